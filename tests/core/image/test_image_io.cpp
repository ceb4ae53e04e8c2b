// Image loading: channel order and conversions like PIL's convert("RGB"), EXIF orientation ignored,
// and clear errors for files that are not usable images. All test images are generated here.
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include "core/image/image_io.h"
#include "core/util/error.h"
#include "tests/core/image/image_test_helpers.h"

using namespace sightline;
using sightline::test::compare_images;
using sightline::test::make_rgb;
using sightline::test::read_bytes;
using sightline::test::write_bytes;

namespace {

// The message of the sightline::Error that fn throws ("" when it throws nothing).
template <typename Fn>
QString error_of(Fn fn) {
    try {
        fn();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

// A minimal big-endian EXIF APP1 segment with Orientation (0x0112) = `orientation`.
std::vector<std::uint8_t> exif_orientation_segment(std::uint8_t orientation) {
    return {0xFF, 0xE1,        0x00, 0x22,                          // APP1, length 34
            'E',  'x',         'i',  'f',  0x00, 0x00,              // Exif header
            'M',  'M',         0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,  // TIFF header, IFD0 at 8
            0x00, 0x01,                                             // one entry
            0x01, 0x12,        0x00, 0x03, 0x00, 0x00, 0x00, 0x01,  // Orientation, SHORT, count 1
            0x00, orientation, 0x00, 0x00,                          // value
            0x00, 0x00,        0x00, 0x00};                         // no next IFD
}

}  // namespace

class TestImageIo : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }

  private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void loadsRgbInRgbOrder() {
        // cv::imwrite takes BGR: (255, 0, 0) there is pure blue.
        cv::imwrite(path("blue.png"), cv::Mat(3, 5, CV_8UC3, cv::Scalar(255, 0, 0)));
        const cv::Mat img = load_image_rgb(path("blue.png"));
        QCOMPARE(img.type(), CV_8UC3);
        QCOMPARE(img.cols, 5);
        QCOMPARE(img.rows, 3);
        QCOMPARE(img.at<cv::Vec3b>(1, 2), cv::Vec3b(0, 0, 255));

        const cv::Mat rgb = make_rgb(9, 4, [](int x, int y, int c) { return x * 20 + y * 5 + c * 70; });
        save_image_rgb(path("roundtrip.png"), rgb);
        QCOMPARE(compare_images(load_image_rgb(path("roundtrip.png")), rgb).exact, 1.0);
        QCOMPARE(compare_images(decode_image_rgb(encode_png_rgb(rgb), "bytes"), rgb).exact, 1.0);
    }

    void grayscaleBecomesThreeChannels() {
        cv::Mat gray(4, 6, CV_8UC1);
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 6; ++x) gray.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>(x * 40 + y);
        QVERIFY(cv::imwrite(path("gray.png"), gray));
        QCOMPARE(cv::imread(path("gray.png"), cv::IMREAD_UNCHANGED).channels(), 1);  // really a gray PNG
        const cv::Mat img = load_image_rgb(path("gray.png"));
        QCOMPARE(img.type(), CV_8UC3);
        const cv::Vec3b v = img.at<cv::Vec3b>(3, 5);
        QCOMPARE(v, cv::Vec3b(203, 203, 203));
    }

    void rgbaDropsAlphaWithoutCompositing() {
        cv::Mat bgra(2, 2, CV_8UC4, cv::Scalar(10, 20, 30, 255));
        bgra.at<cv::Vec4b>(0, 1) = cv::Vec4b(40, 50, 60, 0);  // fully transparent pixel keeps its colour
        QVERIFY(cv::imwrite(path("rgba.png"), bgra));
        const cv::Mat img = load_image_rgb(path("rgba.png"));
        QCOMPARE(img.type(), CV_8UC3);
        QCOMPARE(img.at<cv::Vec3b>(0, 0), cv::Vec3b(30, 20, 10));
        QCOMPARE(img.at<cv::Vec3b>(0, 1), cv::Vec3b(60, 50, 40));
    }

    void sixteenBitKeepsHighByte() {
        QVERIFY(cv::imwrite(path("deep.png"), cv::Mat(3, 3, CV_16UC3, cv::Scalar(0x1234, 0xFFFF, 0x00FF))));
        const cv::Mat img = load_image_rgb(path("deep.png"));
        QCOMPARE(img.type(), CV_8UC3);
        QCOMPARE(img.at<cv::Vec3b>(1, 1), cv::Vec3b(0x00, 0xFF, 0x12));
    }

    void exifOrientationIsIgnored() {
        std::vector<std::uint8_t> jpeg;
        QVERIFY(cv::imencode(".jpg", cv::Mat(20, 40, CV_8UC3, cv::Scalar(90, 120, 150)), jpeg));
        const std::vector<std::uint8_t> exif = exif_orientation_segment(6);  // "rotate 90 CW to display"
        jpeg.insert(jpeg.begin() + 2, exif.begin(), exif.end());
        write_bytes(path("rotated.jpg"), jpeg);
        // The EXIF tag is real: OpenCV's default decode would rotate the image to 20x40.
        QCOMPARE(cv::imread(path("rotated.jpg"), cv::IMREAD_COLOR).cols, 20);
        const cv::Mat img = load_image_rgb(path("rotated.jpg"));
        QCOMPARE(img.cols, 40);
        QCOMPARE(img.rows, 20);
        QCOMPARE(decode_image_rgb(jpeg, "pasted image").cols, 40);
    }

    void missingFileIsAClearError() {
        const QString msg = error_of([&] { load_image_rgb(path("nope.png")); });
        QVERIFY2(msg.contains("nope.png") && msg.contains("not found"), qPrintable(msg));
        const QString folder = error_of([&] { load_image_rgb(dir_.path().toStdString()); });
        QVERIFY2(folder.contains("folder"), qPrintable(folder));
    }

    void textFileIsNotAnImage() {
        const std::string text = "hello, this is definitely not a PNG file\n";
        write_bytes(path("text.png"), std::vector<std::uint8_t>(text.begin(), text.end()));
        const QString msg = error_of([&] { load_image_rgb(path("text.png")); });
        QVERIFY2(msg.contains("text.png") && msg.contains("not an image"), qPrintable(msg));
    }

    void emptyFileIsAClearError() {
        write_bytes(path("empty.png"), {});
        const QString msg = error_of([&] { load_image_rgb(path("empty.png")); });
        QVERIFY2(msg.contains("empty.png") && msg.contains("empty"), qPrintable(msg));
        const QString bytes = error_of([&] { decode_image_rgb({}, "pasted image"); });
        QVERIFY2(bytes.contains("pasted image") && bytes.contains("empty"), qPrintable(bytes));
    }

    void truncatedPngIsAClearError() {
        const cv::Mat noisy =
            make_rgb(64, 64, [](int x, int y, int c) { return (x * 7919 + y * 104729 + c) % 251; });
        save_image_rgb(path("full.png"), noisy);
        std::vector<std::uint8_t> bytes = read_bytes(path("full.png"));
        QVERIFY(bytes.size() > 200);
        bytes.resize(bytes.size() / 2);
        write_bytes(path("truncated.png"), bytes);
        const QString msg = error_of([&] { load_image_rgb(path("truncated.png")); });
        QVERIFY2(msg.contains("truncated.png") && msg.contains("corrupt or truncated PNG"), qPrintable(msg));
    }

    void unsupportedFormatIsNamed() {
        const std::string gif = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        write_bytes(path("anim.gif"), std::vector<std::uint8_t>(gif.begin(), gif.end()));
        const QString msg = error_of([&] { load_image_rgb(path("anim.gif")); });
        QVERIFY2(msg.contains("GIF") && msg.contains("not supported"), qPrintable(msg));
    }

    // Formats OpenCV could decode but Sightline does not read never reach OpenCV: a malformed DICOM file
    // ("DICM" at byte 128) made its GDCM reader abort the process (a fuzzing finding).
    void otherDecodersAreNeverTried() {
        std::vector<std::uint8_t> dicom(128, 0);
        for (char c : std::string("DICM\x02\x00\x01\x00")) dicom.push_back(static_cast<std::uint8_t>(c));
        const QString msg = error_of([&] { decode_image_rgb(dicom, "scan"); });
        QVERIFY2(msg.contains("scan") && msg.contains("cannot read"), qPrintable(msg));
        const std::string ppm = "P6\n2 1\n255\n\x01\x02\x03\x04\x05\x06";
        const QString pnm = error_of([&] { decode_image_rgb({ppm.begin(), ppm.end()}, "netpbm"); });
        QVERIFY2(pnm.contains("cannot read"), qPrintable(pnm));
    }

    void saveReportsUnwritablePaths() {
        const cv::Mat rgb(2, 2, CV_8UC3, cv::Scalar(1, 2, 3));
        QVERIFY_THROWS_EXCEPTION(Error, save_image_rgb(path("no_such_folder/x.png"), rgb));
        QVERIFY_THROWS_EXCEPTION(Error, save_image_rgb(path("x.png"), cv::Mat()));
    }
};

QTEST_APPLESS_MAIN(TestImageIo)
#include "test_image_io.moc"
