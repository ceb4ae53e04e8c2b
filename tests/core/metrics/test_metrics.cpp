// Grid maps, Otsu and the localisation metrics (METHODS.md section 9) against hand-computed values.
#include "tests/core/metrics/test_metrics.h"

#include <QtTest>

#include <opencv2/core.hpp>
#include <string>

#include "core/metrics/metrics.h"
#include "core/util/error.h"
#include "tests/core/metrics/metrics_test_helpers.h"

using namespace sightline;
using namespace sightline::metrics;

namespace {

std::vector<float> mat_values(const cv::Mat& m) {
    std::vector<float> out;
    for (int y = 0; y < m.rows; ++y)
        for (int x = 0; x < m.cols; ++x) out.push_back(m.at<float>(y, x));
    return out;
}

// A rows x cols mask with the rectangle [y0, y1) x [x0, x1) set to 255.
cv::Mat rect_mask(int rows, int cols, int y0, int y1, int x0, int x1) {
    cv::Mat mask(rows, cols, CV_8UC1, cv::Scalar(0));
    mask(cv::Range(y0, y1), cv::Range(x0, x1)).setTo(255);
    return mask;
}

// The 2x2 map [[1, 0], [0, 0]] used by the Obj-IoU tests.
GridMap corner_map() {
    return GridMap{2, 2, {1, 0, 0, 0}};
}

}  // namespace

void TestMetrics::gridMapAccessAndChecks() {
    const GridMap m{2, 3, {0, 1, 2, 3, 4, 5}};
    QCOMPARE(m.at(1, 2), 5.0f);
    QCOMPARE(m.at(0, 1), 1.0f);
    QVERIFY_THROWS_EXCEPTION(Error, m.at(2, 0));
    QVERIFY_THROWS_EXCEPTION(Error, check_grid(GridMap{2, 2, {1, 2, 3}}));
    QVERIFY_THROWS_EXCEPTION(Error, check_grid(GridMap{0, 2, {}}));
    QVERIFY_THROWS_EXCEPTION(Error, check_grid(GridMap{1, 2, {1, NAN}}));
    SL_EXPECT_ALL_NEAR(minmax_normalised({3, 5, 4}), 1e-7, 0, 1, 0.5);
    SL_EXPECT_ALL_NEAR(minmax_normalised({2, 2}), 0.0, 0, 0);
}

void TestMetrics::resizeUsesHalfPixelCentres() {
    // 1x2 [0, 4] -> 1x4: output x samples source (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped
    // to [0, 1]: 0, 0.25 * 4 = 1, 0.75 * 4 = 3, 4. (align_corners=True would give 0, 4/3, 8/3, 4.)
    const cv::Mat row = resize_bilinear(GridMap{1, 2, {0, 4}}, 4, 1);
    QCOMPARE(row.type(), CV_32F);
    QCOMPARE(row.rows, 1);
    SL_EXPECT_ALL_NEAR(mat_values(row), 1e-6, 0, 1, 3, 4);
    // 2x2 [[1, 0], [0, 0]] -> 4x4: separable, the 1-D profile of [1, 0] is p = [1, .75, .25, 0] and the
    // result is p(y) p(x).
    const cv::Mat up = resize_bilinear(corner_map(), 4, 4);
    SL_EXPECT_ALL_NEAR(mat_values(up), 1e-6,  //
                       1, .75, .25, 0,        //
                       .75, .5625, .1875, 0,  //
                       .25, .1875, .0625, 0,  //
                       0, 0, 0, 0);
    QVERIFY_THROWS_EXCEPTION(Error, resize_bilinear(corner_map(), 0, 4));
}

void TestMetrics::otsuSplitsABimodalMap() {
    // {2,2,2,3 | 8,9,9,9}: min 2, max 9, normalised (v - 2) / 7 = 0,0,0,1/7, 6/7,1,1,1; levels
    // round(255 v) = 0,0,0,36 | 219,255,255,255. Between-class variance w0 w1 (mu0 - mu1)^2 of the splits:
    //   {0,0,0} | {36,219,255x3}:   (3/8)(5/8)(204)^2       = 9753.75
    //   {0,0,0,36} | {219,255x3}:   (1/2)(1/2)(246 - 9)^2   = 14042.25  <- best
    //   {.., 219} | {255x3}:        (5/8)(3/8)(255 - 51)^2  = 9753.75
    // Threshold midway between the classes' nearest levels 36 and 219: (36 + 219) / (2 * 255) = 0.5,
    // in the original units 2 + 0.5 * 7 = 5.5.
    const OtsuThreshold t = otsu({2, 2, 2, 3, 8, 9, 9, 9});
    QVERIFY(!t.degenerate);
    SL_EXPECT_NEAR(t.normalised, 0.5, 1e-12);
    SL_EXPECT_NEAR(t.original, 5.5, 1e-12);
    // {0, 0.2, 1, 1}: levels 0, 51, 255, 255. Splits: {0}|{51,255,255}: (1/4)(3/4)(187)^2 = 6556.7;
    // {0,51}|{255,255}: (1/2)(1/2)(229.5)^2 = 13167.6 <- best; threshold (51 + 255) / 510 = 0.6.
    SL_EXPECT_NEAR(otsu_threshold({0, 0.2f, 1, 1}), 0.6, 1e-12);
    // Two values: midway, whatever the bin count.
    const OtsuThreshold two = otsu({5, 1, 5}, 2);
    SL_EXPECT_NEAR(two.normalised, 0.5, 1e-12);
    SL_EXPECT_NEAR(two.original, 3.0, 1e-12);
}

void TestMetrics::otsuDegenerateCases() {
    const OtsuThreshold flat = otsu({3, 3, 3});
    QVERIFY(flat.degenerate);
    QCOMPARE(flat.normalised, 0.0);
    QCOMPARE(flat.original, 3.0);
    const OtsuThreshold empty = otsu({});
    QVERIFY(empty.degenerate);
    QCOMPARE(empty.normalised, 0.0);
    QVERIFY_THROWS_EXCEPTION(Error, otsu({1, 2}, 1));
    QVERIFY_THROWS_EXCEPTION(Error, otsu({1, INFINITY}));
}

void TestMetrics::objIouOfAnUpscaledMap() {
    // The 4x4 upscaled corner map (see resizeUsesHalfPixelCentres) quantised to 8-bit levels:
    //   255 191  64 0 /  191 143 48 0 /  64 48 16 0 /  0 0 0 0
    // sorted: 0 x7, 16, 48 x2, 64 x2, 143, 191 x2, 255 (sum 1020). Splits (lower | upper):
    //   ..0 | 16..:  (7/16)(9/16)(113.3 - 0)^2   = 3160.9
    //   ..16 | 48..: (8/16)(8/16)(125.5 - 2)^2   = 3813.1
    //   ..48 | 64..: (10/16)(6/16)(151.3-11.2)^2 = 4602.5
    //   ..64 | 143..: (12/16)(4/16)(195 - 20)^2  = 5742.2  <- best
    //   ..143 | 191..: (13/16)(3/16)(212.3-29.5)^2 = 5094.7
    //   ..191 | 255: (15/16)(1/16)(255 - 51)^2   = 2438.4
    // Threshold (64 + 143) / 510 = 0.406: predicted = {1, .75, .75, .5625} = the top-left 2x2 pixels.
    SL_EXPECT_NEAR(obj_iou(corner_map(), rect_mask(4, 4, 0, 2, 0, 2)), 1.0, 1e-12);
    // Top-left 3x3 mask: 4 shared pixels, union 9.
    SL_EXPECT_NEAR(obj_iou(corner_map(), rect_mask(4, 4, 0, 3, 0, 3)), 4.0 / 9.0, 1e-12);
    // Right half: nothing shared.
    QCOMPARE(obj_iou(corner_map(), rect_mask(4, 4, 0, 4, 2, 4)), 0.0);
    // A constant map predicts nothing: IoU 0, also against an empty mask (empty union).
    QCOMPARE(obj_iou(GridMap{2, 2, {3, 3, 3, 3}}, rect_mask(4, 4, 0, 2, 0, 2)), 0.0);
    QCOMPARE(obj_iou(GridMap{2, 2, {3, 3, 3, 3}}, rect_mask(4, 4, 0, 0, 0, 0)), 0.0);
    QVERIFY_THROWS_EXCEPTION(Error, obj_iou(corner_map(), cv::Mat(4, 4, CV_8UC3, cv::Scalar(0))));
    QVERIFY_THROWS_EXCEPTION(Error, obj_iou(corner_map(), cv::Mat()));
}

void TestMetrics::objIouMaxOverSubtokens() {
    const GridMap flat{2, 2, {1, 1, 1, 1}};
    const cv::Mat mask3 = rect_mask(4, 4, 0, 3, 0, 3);
    // max(0 for the flat map, 4/9 for the corner map).
    SL_EXPECT_NEAR(obj_iou_max({flat, corner_map()}, mask3), 4.0 / 9.0, 1e-12);
    SL_EXPECT_NEAR(obj_iou_max({corner_map(), flat}, mask3), 4.0 / 9.0, 1e-12);
    QVERIFY_THROWS_EXCEPTION(Error, obj_iou_max({}, mask3));
}

void TestMetrics::funcIouAgainstMeanNounThreshold() {
    // Noun maps: {2,2,2,3,8,9,9,9} has threshold 0.5 and {0, .2, 1, 1} has 0.6 (otsuSplitsABimodalMap);
    // the constant map is skipped -> mean (0.5 + 0.6) / 2 = 0.55.
    const std::vector<GridMap> nouns = {GridMap{2, 4, {2, 2, 2, 3, 8, 9, 9, 9}},
                                        GridMap{2, 2, {0, 0.2f, 1, 1}}, GridMap{1, 3, {4, 4, 4}}};
    const std::optional<double> threshold = mean_otsu_threshold(nouns);
    QVERIFY(threshold.has_value());
    SL_EXPECT_NEAR(*threshold, 0.55, 1e-9);
    QVERIFY(!mean_otsu_threshold({}).has_value());
    QVERIFY(!mean_otsu_threshold({GridMap{1, 2, {1, 1}}}).has_value());
    // Function word [0, .2, .6, 1] (already normalised): below 0.55 are 0 and 0.2 -> 2 / 4.
    SL_EXPECT_NEAR(func_iou(GridMap{2, 2, {0, 0.2f, 0.6f, 1}}, *threshold), 0.5, 1e-12);
    // The same map in other units, [10, 18, 34, 50] -> normalised (v - 10) / 40 = the same -> 0.5.
    SL_EXPECT_NEAR(func_iou(GridMap{2, 2, {10, 18, 34, 50}}, *threshold), 0.5, 1e-12);
    // A constant map normalises to zeros: everything is below any positive threshold.
    QCOMPARE(func_iou(GridMap{2, 2, {7, 7, 7, 7}}, 0.55), 1.0);
    QVERIFY_THROWS_EXCEPTION(Error, func_iou(GridMap{1, 2, {0, 1}}, NAN));
}

void TestMetrics::f1Iou() {
    // 2 * 1 * 0.5 / 1.5 = 2/3; 2 * .25 * .75 / 1 = 0.375; both zero -> 0.
    SL_EXPECT_NEAR(f1_iou(1.0, 0.5), 2.0 / 3.0, 1e-12);
    SL_EXPECT_NEAR(f1_iou(0.25, 0.75), 0.375, 1e-12);
    QCOMPARE(f1_iou(0.0, 0.0), 0.0);
    QCOMPARE(f1_iou(0.0, 0.8), 0.0);
}

void TestMetrics::pointingGame() {
    // 2x3 map with its maximum at cell (1, 2); mask 4 rows x 6 columns:
    // centre y = (1 + 0.5) * 4 / 2 = 3, x = (2 + 0.5) * 6 / 3 = 5 -> pixel (3, 5).
    const GridMap map{2, 3, {0, 1, 2, 3, 4, 5}};
    QVERIFY(pointing_game(map, rect_mask(4, 6, 3, 4, 5, 6)));
    QVERIFY(!pointing_game(map, rect_mask(4, 6, 2, 3, 4, 5)));
    QVERIFY(pointing_game(map, rect_mask(4, 6, 2, 4, 4, 6)));
    // Ties: the first maximum in row-major order, cell (0, 0) -> centre (1, 1).
    const GridMap flat{2, 3, {2, 2, 2, 2, 2, 2}};
    QVERIFY(pointing_game(flat, rect_mask(4, 6, 1, 2, 1, 2)));
    QVERIFY(!pointing_game(flat, rect_mask(4, 6, 0, 1, 0, 1)));
    const GridMap two_maxima{2, 3, {0, 9, 0, 0, 0, 9}};  // (0,1) wins over (1,2): centre (1, 3)
    QVERIFY(pointing_game(two_maxima, rect_mask(4, 6, 1, 2, 3, 4)));
    QVERIFY(!pointing_game(two_maxima, rect_mask(4, 6, 3, 4, 5, 6)));
    QVERIFY_THROWS_EXCEPTION(Error, pointing_game(map, cv::Mat(4, 6, CV_32F, cv::Scalar(1))));
}

void TestMetrics::pointingOutcomes() {
    // 2x3 map, maximum at cell (1, 2); mask 4 x 6: the cell covers pixels rows 2-3, columns 4-5, its centre
    // is pixel (3, 5).
    const GridMap map{2, 3, {0, 1, 2, 3, 4, 5}};
    const cv::Mat centre = rect_mask(4, 6, 3, 4, 5, 6), corner = rect_mask(4, 6, 2, 3, 4, 5);
    const cv::Mat elsewhere = rect_mask(4, 6, 0, 2, 0, 3);  // cells (0, 0) and (0, 1) only
    const cv::Mat cell_edge = rect_mask(4, 6, 2, 3, 3, 5);  // touches the argmax cell, not its centre
    using O = PointingOutcome;
    QCOMPARE(classify_pointing(map, centre, {}, {}), O::Hit);
    QCOMPARE(classify_pointing(map, corner, {centre}, {true}), O::TargetCell);  // target before others
    QCOMPARE(classify_pointing(map, elsewhere, {}, {}), O::Background);
    QCOMPARE(classify_pointing(map, elsewhere, {centre}, {true}), O::SameWordObject);
    QCOMPARE(classify_pointing(map, elsewhere, {centre}, {false}), O::OtherObject);
    // An object holding the centre pixel wins over an earlier one that only touches the cell.
    QCOMPARE(classify_pointing(map, elsewhere, {cell_edge, centre}, {false, true}), O::SameWordObject);
    QCOMPARE(classify_pointing(map, elsewhere, {cell_edge, elsewhere}, {false, true}), O::OtherObject);
    QCOMPARE(classify_pointing(map, elsewhere, {elsewhere}, {true}), O::Background);
    // Consistent with pointing_game on the same inputs.
    QCOMPARE(classify_pointing(map, corner, {}, {}) == O::Hit, pointing_game(map, corner));
    QCOMPARE(std::string(to_string(O::TargetCell)), std::string("target_cell"));
    QCOMPARE(std::string(to_string(O::SameWordObject)), std::string("same_word_object"));
    QVERIFY_THROWS_EXCEPTION(Error, classify_pointing(map, centre, {corner}, {}));
    QVERIFY_THROWS_EXCEPTION(Error, classify_pointing(map, centre, {rect_mask(8, 6, 0, 1, 0, 1)}, {true}));
}

QTEST_APPLESS_MAIN(TestMetrics)
