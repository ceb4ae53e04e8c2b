// Preprocessing: fidelity against PIL/Hugging Face fixtures, and hand-checkable pad, crop,
// normalisation and geometry cases that need no fixtures.
#include <QtTest>

#include "core/image/preprocess.h"
#include "core/util/error.h"
#include "tests/core/image/image_test_helpers.h"
#include "tests/support/test_paths.h"

using namespace sightline;
using sightline::test::compare_images;
using sightline::test::make_rgb;

Q_DECLARE_METATYPE(sightline::ImageProcessorKind)

namespace {

ImageProcessorConfig clip336() {
    ImageProcessorConfig cfg;  // the struct defaults are LLaVA-1.5's CLIP-L/336 processor
    return cfg;
}

ImageProcessorConfig siglip384() {
    ImageProcessorConfig cfg;
    cfg.kind = ImageProcessorKind::Siglip;
    cfg.resize_height = cfg.resize_width = 384;
    cfg.do_center_crop = false;
    cfg.mean = cfg.std = {0.5f, 0.5f, 0.5f};
    return cfg;
}

ImageProcessorConfig no_geometry_change() {
    ImageProcessorConfig cfg;
    cfg.do_resize = false;
    cfg.do_center_crop = false;
    return cfg;
}

bool near(double a, double b, double tol = 1e-9) {
    return std::abs(a - b) <= tol;
}

}  // namespace

class TestImagePreprocess : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void matchesPillowFixtures_data() {
        QTest::addColumn<ImageProcessorKind>("kind");
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("clip336 downscale + crop") << ImageProcessorKind::Clip << "images/input_480x360.png"
                                                  << "images/clip336_pil_bicubic_crop.png";
        QTest::newRow("siglip384") << ImageProcessorKind::Siglip << "images/input_480x360.png"
                                   << "images/siglip384_pil_bicubic.png";
        QTest::newRow("clip336 upscale + crop") << ImageProcessorKind::Clip << "images/input_120x90.png"
                                                << "images/small_clip336_pil_bicubic_crop.png";
    }
    void matchesPillowFixtures() {
        SIGHTLINE_REQUIRE_FIXTURES();
        QFETCH(ImageProcessorKind, kind);
        QFETCH(QString, input);
        QFETCH(QString, expected);
        const cv::Mat original = load_image_rgb(test::fixture(input.toStdString()));
        const cv::Mat reference = load_image_rgb(test::fixture(expected.toStdString()));
        const PreprocessedImage p =
            preprocess_image(original, kind == ImageProcessorKind::Clip ? clip336() : siglip384());
        const test::ImageDiff d = compare_images(p.model_view, reference);
        qInfo("%s: %zu values, exact %.4f%%, within +-1 %.4f%%, max error %d", qPrintable(expected), d.values,
              100.0 * d.exact, 100.0 * d.within_one, d.max_error);
        QVERIFY(d.values > 0);
        QVERIFY2(d.within_one >= 0.99, "fewer than 99% of values within +-1 of Pillow");
        QVERIFY(d.max_error <= 1);
        QCOMPARE(d.exact, 1.0);  // the implementation is bit-exact; any drift is a regression
        QCOMPARE(p.height, reference.rows);
        QCOMPARE(p.width, reference.cols);
        QCOMPARE(p.pixel_values.size(), static_cast<std::size_t>(3 * p.height * p.width));
    }

    void resizeOutputSizeFollowsTransformers() {
        const ImageProcessorConfig cfg = clip336();
        QCOMPARE(resize_output_size(480, 360, cfg), cv::Size(448, 336));
        QCOMPARE(resize_output_size(360, 480, cfg), cv::Size(336, 448));
        QCOMPARE(resize_output_size(120, 90, cfg), cv::Size(448, 336));
        QCOMPARE(resize_output_size(1000, 333, cfg), cv::Size(1009, 336));  // int(1009.009...)
        QCOMPARE(resize_output_size(299, 500, cfg), cv::Size(336, 561));    // int(561.87...) truncates
        QCOMPARE(resize_output_size(336, 336, cfg), cv::Size(336, 336));
        ImageProcessorConfig exact = cfg;
        exact.resize_width = 300;
        exact.resize_height = 200;
        QCOMPARE(resize_output_size(480, 360, exact), cv::Size(300, 200));
        QCOMPARE(resize_output_size(480, 360, siglip384()), cv::Size(384, 384));
        ImageProcessorConfig broken = cfg;
        broken.shortest_edge = 0;
        QVERIFY_THROWS_EXCEPTION(Error, resize_output_size(480, 360, broken));
    }

    void padToSquareCentresImageOnMeanColour() {
        const ImageProcessorConfig cfg = clip336();
        const std::array<int, 3> fill = pad_fill_rgb(cfg);
        QCOMPARE(fill[0], 122);  // int(0.48145466 * 255)
        QCOMPARE(fill[1], 116);
        QCOMPARE(fill[2], 104);

        ImageProcessorConfig pad = no_geometry_change();
        pad.pad_to_square = true;
        const cv::Mat wide = make_rgb(40, 20, [](int, int, int) { return 200; });
        const PreprocessedImage p = preprocess_image(wide, pad);
        QCOMPARE(p.model_view.cols, 40);
        QCOMPARE(p.model_view.rows, 40);
        for (int y = 0; y < 40; ++y) {
            const bool inside = y >= 10 && y < 30;  // top = (40 - 20) // 2
            const cv::Vec3b v = p.model_view.at<cv::Vec3b>(y, 17);
            QCOMPARE(int{v[0]}, inside ? 200 : 122);
            QCOMPARE(int{v[1]}, inside ? 200 : 116);
            QCOMPARE(int{v[2]}, inside ? 200 : 104);
        }
        QVERIFY(near(p.offset_x, 0) && near(p.offset_y, -10));

        // Odd difference: left = (41 - 20) // 2 = 10, the extra column goes to the right.
        const cv::Mat tall = make_rgb(20, 41, [](int, int, int) { return 9; });
        int left = -1, top = -1;
        const cv::Mat sq = expand_to_square(tall, fill, &left, &top);
        QCOMPARE(sq.cols, 41);
        QCOMPARE(left, 10);
        QCOMPARE(top, 0);
        QCOMPARE(int{sq.at<cv::Vec3b>(5, 9)[0]}, 122);
        QCOMPARE(int{sq.at<cv::Vec3b>(5, 10)[0]}, 9);
        QCOMPARE(int{sq.at<cv::Vec3b>(5, 29)[0]}, 9);
        QCOMPARE(int{sq.at<cv::Vec3b>(5, 30)[0]}, 122);
    }

    void normalisesKnownPixels() {
        const cv::Mat img = make_rgb(2, 1, [](int x, int, int c) {
            static const int px[2][3] = {{255, 0, 128}, {10, 20, 30}};
            return px[x][c];
        });
        const PreprocessedImage p = preprocess_image(img, no_geometry_change());
        QCOMPARE(p.channels, 3);
        QCOMPARE(p.height, 1);
        QCOMPARE(p.width, 2);
        QCOMPARE(p.pixel_values.size(), std::size_t{6});
        // CHW: [R(0,0), R(0,1), G(0,0), G(0,1), B(0,0), B(0,1)]
        QVERIFY(std::abs(p.pixel_values[0] - 1.9303361f) < 1e-5f);   // (1 - 0.48145466) / 0.26862954
        QVERIFY(std::abs(p.pixel_values[2] - -1.7520971f) < 1e-5f);  // (0 - 0.4578275) / 0.26130258
        QVERIFY(std::abs(p.pixel_values[4] - 0.3399468f) < 1e-5f);   // (128/255 - 0.40821073) / 0.27577711
        QVERIFY(std::abs(p.pixel_values[1] - (10.0f / 255.0f - 0.48145466f) / 0.26862954f) < 1e-6f);
        // transformers' float32 arithmetic exactly
        QCOMPARE(p.pixel_values[4], (static_cast<float>(128 * (1.0 / 255.0)) - 0.40821073f) / 0.27577711f);

        ImageProcessorConfig sig = siglip384();
        sig.do_resize = false;
        const PreprocessedImage s = preprocess_image(img, sig);
        QCOMPARE(s.pixel_values[0], 1.0f);
        QCOMPARE(s.pixel_values[2], -1.0f);

        ImageProcessorConfig raw = no_geometry_change();
        raw.do_rescale = false;
        raw.do_normalize = false;
        const PreprocessedImage r = preprocess_image(img, raw);
        QCOMPARE(r.pixel_values[4], 128.0f);
        QCOMPARE(r.pixel_values[5], 30.0f);
    }

    void geometryMapsCropBackToOriginal() {
        // 480x360 -> 448x336 (scale 360/336), crop left = (448 - 336) // 2 = 56 -> 60 original px.
        const cv::Mat img = make_rgb(480, 360, [](int x, int y, int c) { return (x + y + c) % 256; });
        const PreprocessedImage p = preprocess_image(img, clip336());
        QCOMPARE(p.original_width, 480);
        QCOMPARE(p.original_height, 360);
        QVERIFY(near(p.scale_x, 480.0 / 448.0) && near(p.scale_y, 360.0 / 336.0));
        QVERIFY(near(p.offset_x, 60.0) && near(p.offset_y, 0.0));
        const cv::Point2d tl = model_view_to_original(p, {0, 0});
        const cv::Point2d br = model_view_to_original(p, {336, 336});
        QVERIFY(near(tl.x, 60) && near(tl.y, 0));
        QVERIFY(near(br.x, 420) && near(br.y, 360));
        const cv::Point2d back = original_to_model_view(p, {240, 180});
        QVERIFY(near(back.x, 168) && near(back.y, 168));
        const cv::Rect2d patch = model_view_rect_to_original(p, cv::Rect2d(14, 28, 14, 14));  // a ViT patch
        QVERIFY(near(patch.x, 75) && near(patch.y, 30) && near(patch.width, 15) && near(patch.height, 15));

        // Portrait: the crop moves down instead.
        const PreprocessedImage q =
            preprocess_image(make_rgb(360, 480, [](int, int, int) { return 1; }), clip336());
        QVERIFY(near(q.offset_x, 0.0) && near(q.offset_y, 60.0));

        // SigLIP ignores the aspect ratio: no offset, separate scales.
        const PreprocessedImage s = preprocess_image(img, siglip384());
        QVERIFY(near(s.scale_x, 1.25) && near(s.scale_y, 0.9375) && near(s.offset_x, 0) &&
                near(s.offset_y, 0));
    }

    void geometryMapsPaddingBackToOriginal() {
        // 40x20 padded to 40x40 (top 10), resized to 336x336, crop is a no-op.
        ImageProcessorConfig cfg = clip336();
        cfg.pad_to_square = true;
        const cv::Mat img = make_rgb(40, 20, [](int x, int, int) { return x * 6; });
        const PreprocessedImage p = preprocess_image(img, cfg);
        QCOMPARE(p.model_view.cols, 336);
        QCOMPARE(p.model_view.rows, 336);
        QVERIFY(near(p.scale_x, 40.0 / 336.0) && near(p.scale_y, 40.0 / 336.0));
        QVERIFY(near(p.offset_x, 0.0) && near(p.offset_y, -10.0));
        const cv::Point2d top_of_image = original_to_model_view(p, {0, 0});
        QVERIFY(near(top_of_image.y, 84.0));  // 10 padded rows * 336 / 40
        const cv::Point2d corner = model_view_to_original(p, {0, 0});
        QVERIFY(near(corner.x, 0) && near(corner.y, -10));
        // The padding rows of the model view carry the mean colour.
        QCOMPARE(int{p.model_view.at<cv::Vec3b>(5, 100)[0]}, 122);
        QCOMPARE(int{p.model_view.at<cv::Vec3b>(330, 100)[2]}, 104);
    }

    void centerCropPadsWithZerosWhenTooSmall() {
        const cv::Mat img = make_rgb(10, 6, [](int x, int y, int) { return 100 + 10 * y + x; });
        int left = 0, top = 0;
        const cv::Mat out = center_crop(img, 8, 8, &left, &top);
        QCOMPARE(left, 1);  // (10 - 8) // 2
        QCOMPARE(top, -1);  // (6 - 8) // 2 == -1 (floor)
        QCOMPARE(out.cols, 8);
        QCOMPARE(out.rows, 8);
        QCOMPARE(int{out.at<cv::Vec3b>(0, 3)[0]}, 0);
        QCOMPARE(int{out.at<cv::Vec3b>(1, 0)[0]}, 101);  // image (x=1, y=0)
        QCOMPARE(int{out.at<cv::Vec3b>(6, 7)[0]}, 158);  // image (x=8, y=5)
        QCOMPARE(int{out.at<cv::Vec3b>(7, 3)[1]}, 0);

        const cv::Mat small = make_rgb(5, 5, [](int, int, int) { return 50; });
        const cv::Mat padded = center_crop(small, 8, 8, &left, &top);
        QCOMPARE(left, -2);  // (5 - 8) // 2 == -2: three zero columns on the right, two on the left
        QCOMPARE(int{padded.at<cv::Vec3b>(2, 1)[0]}, 0);
        QCOMPARE(int{padded.at<cv::Vec3b>(2, 2)[0]}, 50);
        QCOMPARE(int{padded.at<cv::Vec3b>(2, 6)[0]}, 50);
        QCOMPARE(int{padded.at<cv::Vec3b>(2, 7)[0]}, 0);

        ImageProcessorConfig cfg = no_geometry_change();
        cfg.do_center_crop = true;
        cfg.crop_width = cfg.crop_height = 8;
        const PreprocessedImage p = preprocess_image(small, cfg);
        QVERIFY(near(p.offset_x, -2) && near(p.offset_y, -2));
    }

    void identityConfigKeepsPixels() {
        const cv::Mat img = make_rgb(7, 5, [](int x, int y, int c) { return x * 30 + y * 7 + c; });
        ImageProcessorConfig cfg = clip336();
        cfg.shortest_edge = 5;
        cfg.crop_width = 7;
        cfg.crop_height = 5;
        const PreprocessedImage p = preprocess_image(img, cfg);
        QCOMPARE(compare_images(p.model_view, img).exact, 1.0);
        QVERIFY(near(p.scale_x, 1) && near(p.offset_x, 0));
        QVERIFY(p.model_view.data != img.data);  // the result owns its pixels
    }

    void rejectsBadInput() {
        QVERIFY_THROWS_EXCEPTION(Error, preprocess_image(cv::Mat(), clip336()));
        QVERIFY_THROWS_EXCEPTION(Error, preprocess_image(cv::Mat(4, 4, CV_8UC1, cv::Scalar(0)), clip336()));
        QVERIFY_THROWS_EXCEPTION(Error, center_crop(cv::Mat(4, 4, CV_8UC3), 0, 4));
    }

    void gaussianBlurKeepsConstantsAndChecksArguments() {
        const cv::Mat flat = make_rgb(12, 9, [](int, int, int c) { return 40 + c; });
        const cv::Mat blurred = gaussian_blur_rgb(flat, 5, 2.0);
        QCOMPARE(compare_images(blurred, flat).exact, 1.0);
        const cv::Mat dot = make_rgb(9, 9, [](int x, int y, int) { return x == 4 && y == 4 ? 255 : 0; });
        const cv::Mat spread = gaussian_blur_rgb(dot, 5, 1.0);
        QVERIFY(spread.at<cv::Vec3b>(4, 4)[0] < 255 && spread.at<cv::Vec3b>(4, 5)[0] > 0);
        QVERIFY_THROWS_EXCEPTION(Error, gaussian_blur_rgb(flat, 4, 1.0));
        QVERIFY_THROWS_EXCEPTION(Error, gaussian_blur_rgb(flat, 3, 0.0));
        QVERIFY_THROWS_EXCEPTION(Error, gaussian_blur_rgb(cv::Mat(), 3, 1.0));
    }
};

QTEST_APPLESS_MAIN(TestImagePreprocess)
#include "test_image_preprocess.moc"
