// Pillow-exact resize, checked against coefficients and results worked out by hand from Pillow's
// ImagingResample algorithm (no fixtures needed).
#include <QtTest>

#include <numeric>
#include <opencv2/imgproc.hpp>

#include "core/image/pil_resize.h"
#include "core/util/error.h"
#include "tests/core/image/image_test_helpers.h"

using namespace sightline;
using sightline::test::compare_images;
using sightline::test::make_rgb;

namespace {

// One row of RGB pixels with the same value in every channel.
cv::Mat row_of(const std::vector<int>& values) {
    return make_rgb(static_cast<int>(values.size()), 1,
                    [&](int x, int, int) { return values[static_cast<std::size_t>(x)]; });
}

std::vector<int> red_channel(const cv::Mat& m) {
    std::vector<int> out;
    for (int x = 0; x < m.cols; ++x) out.push_back(m.at<cv::Vec3b>(0, x)[0]);
    return out;
}

}  // namespace

class TestImageResize : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void constantImagesStayConstant_data() {
        QTest::addColumn<int>("resample");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        for (int resample : {1, 2, 3, 4, 5}) {
            QTest::addRow("filter %d down", resample) << resample << 17 << 9;
            QTest::addRow("filter %d up", resample) << resample << 113 << 87;
            QTest::addRow("filter %d mixed", resample) << resample << 13 << 80;
        }
    }
    void constantImagesStayConstant() {
        QFETCH(int, resample);
        QFETCH(int, width);
        QFETCH(int, height);
        for (int value : {0, 37, 128, 255}) {
            const cv::Mat flat =
                make_rgb(41, 29, [&](int, int, int c) { return value == 0 ? 0 : value - c; });
            const cv::Mat out = pil_resize(flat, width, height, resample);
            QCOMPARE(out.cols, width);
            QCOMPARE(out.rows, height);
            QCOMPARE(out.type(), CV_8UC3);
            const cv::Mat expected(height, width, CV_8UC3,
                                   cv::Scalar(value, std::max(value - 1, 0), std::max(value - 2, 0)));
            QCOMPARE(compare_images(out, expected).exact, 1.0);
        }
    }

    // Halving 8 pixels with bicubic: scale 2, support 2 * 2 = 4, kernel size 9. Output pixel i is
    // centred at 2i + 1; taps are cubic((x + 0.5 - centre) / 2) with a = -0.5:
    // cubic(0.25) = 0.8671875, cubic(0.75) = 0.2265625, cubic(1.25) = -0.0703125, cubic(1.75) = -0.0234375.
    void stepEdgeHalvedMatchesHandComputedCoefficients() {
        const PilResampleWeights w = pil_resample_weights(8, 4, 3);
        QCOMPARE(w.kernel_size, 9);
        QCOMPARE(w.first, (std::vector<int>{0, 0, 1, 3}));  // int(2i + 1 - 4 + 0.5) clamped to 0
        QCOMPARE(w.count, (std::vector<int>{5, 7, 7, 5}));  // min(int(2i + 1 + 4.5), 8) - first
        const double a = 0.8671875, b = 0.2265625, c = -0.0703125, d = -0.0234375;
        const std::vector<std::vector<double>> raw = {
            {a, a, b, c, d}, {c, b, a, a, b, c, d}, {d, c, b, a, a, b, c}, {d, c, b, a, a}};
        for (int i = 0; i < 4; ++i) {
            const auto& taps = raw[static_cast<std::size_t>(i)];
            const double sum = std::accumulate(taps.begin(), taps.end(), 0.0);
            for (std::size_t k = 0; k < taps.size(); ++k) {
                const double got = w.weights[static_cast<std::size_t>(i * w.kernel_size) + k];
                QVERIFY2(std::abs(got - taps[k] / sum) < 1e-15,
                         qPrintable(QString("pixel %1 tap %2").arg(i).arg(k)));
                const double fixed = taps[k] / sum * (1 << kPilPrecisionBits);
                QCOMPARE(w.fixed[static_cast<std::size_t>(i * w.kernel_size) + k],
                         static_cast<std::int32_t>(fixed < 0 ? fixed - 0.5 : fixed + 0.5));
            }
        }
        // 255 * (sum of taps on the bright side) / sum: -3.2 -> 0, 16.74 -> 17, 238.26 -> 238, 258.2 -> 255.
        const cv::Mat step = row_of({0, 0, 0, 0, 255, 255, 255, 255});
        QCOMPARE(red_channel(pil_resize(step, 4, 1, 3)), (std::vector<int>{0, 17, 238, 255}));
        // Several identical rows: the vertical pass is skipped and rows stay identical.
        cv::Mat tall;
        cv::vconcat(std::vector<cv::Mat>{step, step, step}, tall);
        const cv::Mat out = pil_resize(tall, 4, 3, 3);
        for (int y = 0; y < 3; ++y) QCOMPARE(int{out.at<cv::Vec3b>(y, 1)[2]}, 17);
    }

    // Doubling [0, 100] with bilinear: centres 0.25, 0.75, 1.25, 1.75 and support 1; the edge
    // outputs see a single input pixel after Pillow's bounds clamping, so they copy it exactly.
    void bilinearDoublingMatchesHand() {
        const cv::Mat two = row_of({0, 100});
        QCOMPARE(red_channel(pil_resize(two, 4, 1, 2)), (std::vector<int>{0, 25, 75, 100}));
        const PilResampleWeights w = pil_resample_weights(2, 4, 2);
        QCOMPARE(w.kernel_size, 3);
        QCOMPARE(w.first, (std::vector<int>{0, 0, 0, 1}));
        QCOMPARE(w.count, (std::vector<int>{1, 2, 2, 1}));
    }

    void verticalPassMatchesHorizontalPass() {
        // Resizing only the height equals resizing only the width of the transpose: both passes use
        // the same arithmetic. (With both axes changing the order matters: horizontal goes first.)
        const cv::Mat img =
            make_rgb(23, 17, [](int x, int y, int c) { return (x * 37 + y * 91 + c * 13) % 256; });
        for (int resample = 1; resample <= 5; ++resample) {
            const cv::Mat a = pil_resize(img, 23, 31, resample);
            const cv::Mat b = pil_resize(cv::Mat(img.t()), 31, 23, resample);
            QCOMPARE(compare_images(a, cv::Mat(b.t())).exact, 1.0);
            const cv::Mat c = pil_resize(img, 23, 8, resample);
            const cv::Mat d = pil_resize(cv::Mat(img.t()), 8, 23, resample);
            QCOMPARE(compare_images(c, cv::Mat(d.t())).exact, 1.0);
        }
    }

    void identitySizeIsACopy() {
        const cv::Mat img = make_rgb(13, 7, [](int x, int y, int c) { return x * 19 + y * 3 + c; });
        for (int resample = 0; resample <= 5; ++resample) {
            const cv::Mat out = pil_resize(img, 13, 7, resample);
            QCOMPARE(compare_images(out, img).exact, 1.0);
            QVERIFY(out.data != img.data);
        }
    }

    void nearestPicksPillowSourcePixels() {
        // 5 -> 3: source = floor((i + 0.5) * 5 / 3) = 0, 2, 4.
        const cv::Mat five = row_of({10, 20, 30, 40, 50});
        QCOMPARE(red_channel(pil_resize(five, 3, 1, 0)), (std::vector<int>{10, 30, 50}));
        // 2 -> 5: floor((i + 0.5) * 0.4) = 0, 0, 1, 1, 1.
        QCOMPARE(red_channel(pil_resize(row_of({10, 20}), 5, 1, 0)), (std::vector<int>{10, 10, 20, 20, 20}));
    }

    void worksOnGrayAndRgba() {
        const cv::Mat gray(6, 8, CV_8UC1, cv::Scalar(77));
        const cv::Mat g = pil_resize(gray, 3, 5);
        QCOMPARE(g.type(), CV_8UC1);
        QCOMPARE(int{g.at<std::uint8_t>(2, 1)}, 77);
        const cv::Mat rgba(6, 8, CV_8UC4, cv::Scalar(1, 2, 3, 4));
        const cv::Mat r = pil_resize(rgba, 5, 3);
        QCOMPARE(r.type(), CV_8UC4);
        QCOMPARE(int{r.at<cv::Vec4b>(1, 1)[3]}, 4);
    }

    void rejectsBadArguments() {
        const cv::Mat img(4, 4, CV_8UC3, cv::Scalar(0));
        QVERIFY_THROWS_EXCEPTION(Error, pil_resize(cv::Mat(), 2, 2));
        QVERIFY_THROWS_EXCEPTION(Error, pil_resize(img, 0, 2));
        QVERIFY_THROWS_EXCEPTION(Error, pil_resize(img, 2, -1));
        QVERIFY_THROWS_EXCEPTION(Error, pil_resize(img, 2, 2, 6));
        QVERIFY_THROWS_EXCEPTION(Error, pil_resize(cv::Mat(4, 4, CV_16UC3), 2, 2));
        QVERIFY_THROWS_EXCEPTION(Error, pil_resample_weights(0, 3, 3));
    }
};

QTEST_APPLESS_MAIN(TestImageResize)
#include "test_image_resize.moc"
