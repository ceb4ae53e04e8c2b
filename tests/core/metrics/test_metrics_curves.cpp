// Deletion/insertion curves, the blurred baseline and cross-method consistency (METHODS.md sections 7
// and 9) against hand-computed values.
#include <QtTest>

#include <opencv2/imgproc.hpp>

#include "core/metrics/metrics.h"
#include "core/util/error.h"
#include "tests/core/metrics/metrics_test_helpers.h"
#include "tests/core/metrics/test_metrics.h"

using namespace sightline;
using namespace sightline::metrics;

namespace {

// A 4x4 RGB image of 200s, the baseline of 0s, and a fake "probability": the fraction of the left half
// (columns 0-1, i.e. grid cells (0,0) and (1,0) of a 2x2 grid) that still shows the image.
const cv::Mat kImage(4, 4, CV_8UC3, cv::Scalar(200, 200, 200));
const cv::Mat kBaseline(4, 4, CV_8UC3, cv::Scalar(0, 0, 0));

double left_half_visible(const cv::Mat& m) {
    int visible = 0;
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 2; ++x) visible += m.at<cv::Vec3b>(y, x)[0] == 200;
    return visible / 8.0;
}

// Importance [[4, 1], [3, 2]]: order (0,0), (1,0), (1,1), (0,1) = cells 0, 2, 3, 1.
const GridMap kImportance{2, 2, {4, 1, 3, 2}};

}  // namespace

void TestMetrics::trapezoidAuc() {
    // Straight line from 1 to 0: 0.5. Tent 0 -> 1 -> 0: 0.5.
    SL_EXPECT_NEAR(trapezoid_auc({0, 0.5, 1}, {1, 0.5, 0}), 0.5, 1e-12);
    SL_EXPECT_NEAR(trapezoid_auc({0, 0.5, 1}, {0, 1, 0}), 0.5, 1e-12);
    // Uneven: 0.25 * (1 + 1) / 2 + 0.75 * (1 + 0) / 2 = 0.25 + 0.375 = 0.625.
    SL_EXPECT_NEAR(trapezoid_auc({0, 0.25, 1}, {1, 1, 0}), 0.625, 1e-12);
    QCOMPARE(trapezoid_auc({0.3}, {1}), 0.0);
    QCOMPARE(trapezoid_auc({}, {}), 0.0);
    QVERIFY_THROWS_EXCEPTION(Error, trapezoid_auc({0, 1}, {1}));
    QVERIFY_THROWS_EXCEPTION(Error, trapezoid_auc({0, 1, 0.5}, {1, 1, 1}));
}

void TestMetrics::cellsByImportanceIsStable() {
    QCOMPARE(cells_by_importance(kImportance), (std::vector<int>{0, 2, 3, 1}));
    // Ties keep row-major order: values [1, 3, 3, 0, 3] -> 1, 2, 4, 0, 3.
    QCOMPARE(cells_by_importance(GridMap{1, 5, {1, 3, 3, 0, 3}}), (std::vector<int>{1, 2, 4, 0, 3}));
}

void TestMetrics::composeCells() {
    // 4x6 image over a 2x3 grid: cells are 2x2 pixel blocks. Use the image in cells (0,0) and (1,2).
    const cv::Mat image(4, 6, CV_8UC3, cv::Scalar(200, 200, 200));
    const cv::Mat base(4, 6, CV_8UC3, cv::Scalar(10, 10, 10));
    const cv::Mat out = compose_cells(image, base, 2, 3, {true, false, false, false, false, true});
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 6; ++x) {
            const bool from_image = (y < 2 && x < 2) || (y >= 2 && x >= 4);
            QCOMPARE(int(out.at<cv::Vec3b>(y, x)[1]), from_image ? 200 : 10);
        }
    // Uneven split: 5x5 over 2x2 -> rows/cols [0, 5/2 = 2) and [2, 5). Cell (1,1) = rows 2-4, cols 2-4.
    const cv::Mat image5(5, 5, CV_8UC3, cv::Scalar(200, 200, 200));
    const cv::Mat base5(5, 5, CV_8UC3, cv::Scalar(10, 10, 10));
    const cv::Mat out5 = compose_cells(image5, base5, 2, 2, {false, false, false, true});
    QCOMPARE(cv::countNonZero(out5.reshape(1) == 200), 3 * 3 * 3);
    QCOMPARE(int(out5.at<cv::Vec3b>(2, 2)[0]), 200);
    QCOMPARE(int(out5.at<cv::Vec3b>(1, 4)[0]), 10);
    QVERIFY_THROWS_EXCEPTION(Error, compose_cells(image, base5, 2, 2, {true, true, true, true}));
    QVERIFY_THROWS_EXCEPTION(Error, compose_cells(image, base, 2, 3, {true}));
}

void TestMetrics::deletionAndInsertionCurves() {
    int calls = 0;
    const ProbabilityFn prob = [&](const cv::Mat& m) {
        ++calls;
        return left_half_visible(m);
    };
    // s_image = 1, s_baseline = 0: normalised score = raw score. steps = 4 on N = 4 cells: k = 0..4.
    // Deletion removes cells 0, 2, 3, 1: left half visible 1, 0.5, 0, 0, 0.
    // AUC = 0.25 * ((1 + .5)/2 + (.5 + 0)/2 + 0 + 0) = 0.25 * 1 = 0.25.
    const Curve del = deletion_curve(kImportance, 4, prob, kImage, kBaseline);
    QCOMPARE(calls, 5);  // image, baseline, 3 interior points
    SL_EXPECT_ALL_NEAR(del.fraction, 1e-12, 0, 0.25, 0.5, 0.75, 1);
    SL_EXPECT_ALL_NEAR(del.score, 1e-12, 1, 0.5, 0, 0, 0);
    SL_EXPECT_NEAR(del.auc, 0.25, 1e-12);
    QVERIFY(del.normalised);
    // Insertion adds the same cells to the baseline: 0, 0.5, 1, 1, 1.
    // AUC = 0.25 * ((0 + .5)/2 + (.5 + 1)/2 + 1 + 1) = 0.25 * 3 = 0.75.
    const Curve ins = insertion_curve(kImportance, 4, prob, kImage, kBaseline);
    SL_EXPECT_ALL_NEAR(ins.score, 1e-12, 0, 0.5, 1, 1, 1);
    SL_EXPECT_NEAR(ins.auc, 0.75, 1e-12);
    // steps = 3: k = round(4 i / 3) = 0, 1, 3, 4 -> fractions 0, .25, .75, 1; deletion scores 1, .5, 0, 0;
    // AUC = .25 * (1 + .5)/2 + .5 * (.5 + 0)/2 + .25 * 0 = 0.1875 + 0.125 = 0.3125.
    calls = 0;
    const Curve del3 = deletion_curve(kImportance, 3, prob, kImage, kBaseline);
    QCOMPARE(calls, 4);
    SL_EXPECT_ALL_NEAR(del3.fraction, 1e-12, 0, 0.25, 0.75, 1);
    SL_EXPECT_NEAR(del3.auc, 0.3125, 1e-12);
    // More steps than cells: clamped to one cell per step.
    QCOMPARE(deletion_curve(kImportance, 10, prob, kImage, kBaseline).fraction.size(), std::size_t{5});
    // A map that ranks the right half first deletes the evidence late: scores 1, 1, 1, .5, 0;
    // AUC = .25 * (1 + 1 + .75 + .25) = 0.75 (worse, i.e. higher, than 0.25).
    SL_EXPECT_NEAR(deletion_curve(GridMap{2, 2, {1, 4, 2, 3}}, 4, prob, kImage, kBaseline).auc, 0.75, 1e-12);
    QVERIFY_THROWS_EXCEPTION(Error, deletion_curve(kImportance, 0, prob, kImage, kBaseline));
    QVERIFY_THROWS_EXCEPTION(Error, insertion_curve(kImportance, 4, prob, kImage, cv::Mat(4, 5, CV_8UC3)));
    QVERIFY_THROWS_EXCEPTION(Error,
                             deletion_curve(
                                 kImportance, 4, [](const cv::Mat&) { return NAN; }, kImage, kBaseline));
}

void TestMetrics::curvesNormaliseAndGuardZeroDenominator() {
    // prob = 0.2 + 0.6 * visible: s_image = 0.8, s_baseline = 0.2; (s - 0.2) / 0.6 = visible again.
    const ProbabilityFn affine = [](const cv::Mat& m) { return 0.2 + 0.6 * left_half_visible(m); };
    const Curve del = deletion_curve(kImportance, 4, affine, kImage, kBaseline);
    SL_EXPECT_NEAR(del.score_image, 0.8, 1e-12);
    SL_EXPECT_NEAR(del.score_baseline, 0.2, 1e-12);
    SL_EXPECT_ALL_NEAR(del.score, 1e-12, 1, 0.5, 0, 0, 0);
    SL_EXPECT_NEAR(del.auc, 0.25, 1e-12);
    // Constant probability 0.3: s_image - s_baseline = 0 -> raw scores, flagged, AUC = 0.3.
    const Curve flat = insertion_curve(
        kImportance, 4, [](const cv::Mat&) { return 0.3; }, kImage, kBaseline);
    QVERIFY(!flat.normalised);
    SL_EXPECT_ALL_NEAR(flat.score, 1e-12, 0.3, 0.3, 0.3, 0.3, 0.3);
    SL_EXPECT_NEAR(flat.auc, 0.3, 1e-12);
}

void TestMetrics::blurredBaselineKernel() {
    QCOMPARE(blur_kernel_for_width(2000), 501);
    QCOMPARE(blur_kernel_for_width(1999), 301);
    QCOMPARE(blur_kernel_for_width(800), 301);
    QCOMPARE(blur_kernel_for_width(799), 201);
    QCOMPARE(blur_kernel_for_width(500), 201);
    QCOMPARE(blur_kernel_for_width(499), 101);
    QCOMPARE(blur_kernel_size(1000, 700), cv::Size(301, 301));
    QCOMPARE(blur_kernel_size(64, 48), cv::Size(63, 47));  // 101 clamped to odd sizes <= 64 and <= 48
    QCOMPARE(blur_kernel_size(2000, 300), cv::Size(501, 299));
    QCOMPARE(blur_kernel_size(1, 1), cv::Size(1, 1));
    // A flat image stays flat.
    const cv::Mat flat(48, 64, CV_8UC3, cv::Scalar(77, 77, 77));
    const cv::Mat blurred = blurred_baseline(flat);
    QCOMPARE(blurred.type(), CV_8UC3);
    QCOMPARE(blurred.size(), flat.size());
    QCOMPARE(cv::norm(blurred, flat, cv::NORM_INF), 0.0);
    // A small image: kernel (9, 5), sigma 100 (K = 101 from the width rule), reflect-101 borders.
    cv::Mat ramp(5, 10, CV_8UC3);
    for (int y = 0; y < 5; ++y)
        for (int x = 0; x < 10; ++x) ramp.at<cv::Vec3b>(y, x) = cv::Vec3b(x * 25, y * 50, 0);
    cv::Mat expected;
    cv::GaussianBlur(ramp, expected, cv::Size(9, 5), 100, 100, cv::BORDER_REFLECT_101);
    QCOMPARE(cv::norm(blurred_baseline(ramp), expected, cv::NORM_INF), 0.0);
    QVERIFY_THROWS_EXCEPTION(Error, blurred_baseline(cv::Mat()));
}

void TestMetrics::spearmanWithTies() {
    // a = [1, 2, 2, 3] -> ranks [1, 2.5, 2.5, 4]; b = [1, 3, 2, 4] -> ranks [1, 3, 2, 4]; mean rank 2.5.
    // deviations a: [-1.5, 0, 0, 1.5], b: [-1.5, .5, -.5, 1.5];
    // cov = 2.25 + 0 + 0 + 2.25 = 4.5; var_a = 4.5; var_b = 2.25 + .25 + .25 + 2.25 = 5;
    // rho = 4.5 / sqrt(4.5 * 5) = sqrt(0.9) = 0.9486832981.
    const GridMap a{2, 2, {1, 2, 2, 3}}, b{2, 2, {1, 3, 2, 4}};
    SL_EXPECT_NEAR(spearman(a, b), std::sqrt(0.9), 1e-12);
    SL_EXPECT_NEAR(spearman(b, a), std::sqrt(0.9), 1e-12);
    SL_EXPECT_NEAR(spearman(GridMap{1, 4, {1, 2, 3, 4}}, GridMap{1, 4, {40, 30, 20, 10}}), -1.0, 1e-12);
    SL_EXPECT_NEAR(spearman(a, a), 1.0, 1e-12);
    // Monotone transforms do not matter: [1, 4, 9, 16] vs [1, 2, 3, 4] -> 1.
    SL_EXPECT_NEAR(spearman(GridMap{2, 2, {1, 4, 9, 16}}, GridMap{2, 2, {1, 2, 3, 4}}), 1.0, 1e-12);
    QCOMPARE(spearman(GridMap{2, 2, {5, 5, 5, 5}}, b), 0.0);  // a constant map has no ranking
    QVERIFY_THROWS_EXCEPTION(Error, spearman(a, GridMap{1, 4, {1, 2, 3, 4}}));
}

void TestMetrics::topkIou() {
    // a = [4, 3, 2, 1]: top-2 {0, 1}; b = [4, 1, 3, 2]: top-2 {0, 2}; |{0}| / |{0, 1, 2}| = 1/3.
    const GridMap a{2, 2, {4, 3, 2, 1}}, b{2, 2, {4, 1, 3, 2}};
    SL_EXPECT_NEAR(topk_iou(a, b, 2), 1.0 / 3.0, 1e-12);
    QCOMPARE(topk_iou(a, b, 1), 1.0);   // both pick cell 0
    QCOMPARE(topk_iou(a, b, 10), 1.0);  // k clamped to 4: all cells
    QVERIFY_THROWS_EXCEPTION(Error, topk_iou(a, b, 0));
}

void TestMetrics::consistencyFlagsDisagreement() {
    // A = B = [4, 3, 2, 1], C = [1, 2, 3, 4]; k = 2.
    //   (A, B): rho = 1 -> (1 + 1)/2 = 1, top-2 IoU 1 -> agreement 1
    //   (A, C): rho = -1 -> 0, top-2 {0,1} vs {3,2} -> IoU 0 -> agreement 0; (B, C) the same.
    // score = (1 + 0 + 0) / 3 = 1/3.
    const GridMap a{2, 2, {4, 3, 2, 1}}, c{2, 2, {1, 2, 3, 4}};
    const std::vector<std::pair<std::string, GridMap>> maps = {
        {"TAM", a}, {"Relevancy", a}, {"Attention", c}};
    const Consistency low = consistency(maps, 2, 0.5);
    SL_EXPECT_NEAR(low.score, 1.0 / 3.0, 1e-12);
    QVERIFY(low.defer_to_human);
    QCOMPARE(low.pairs.size(), std::size_t{3});
    QCOMPARE(std::get<0>(low.pairs[1]), std::string("TAM"));
    QCOMPARE(std::get<1>(low.pairs[1]), std::string("Attention"));
    SL_EXPECT_NEAR(std::get<2>(low.pairs[1]), -1.0, 1e-12);
    QCOMPARE(std::get<3>(low.pairs[1]), 0.0);
    QVERIFY(!consistency(maps, 2, 0.3).defer_to_human);
    // One pair, partial agreement: a vs b = [4, 1, 3, 2]: ranks a [4,3,2,1], b [4,1,3,2] (mean 2.5),
    // deviations [1.5, .5, -.5, -1.5] and [1.5, -1.5, .5, -.5]: cov = 2.25 - .75 - .25 + .75 = 2,
    // var = 5 each -> rho = 0.4 -> 0.7; top-2 IoU 1/3 -> score (0.7 + 1/3) / 2 = 0.5166667.
    const Consistency one = consistency({{"a", a}, {"b", GridMap{2, 2, {4, 1, 3, 2}}}}, 2, 0.5);
    SL_EXPECT_NEAR(one.score, (0.7 + 1.0 / 3.0) / 2.0, 1e-12);
    QVERIFY(!one.defer_to_human);
    // Fewer than two maps: nothing to disagree with.
    const Consistency single = consistency({{"TAM", a}}, 2, 0.9);
    QCOMPARE(single.score, 1.0);
    QVERIFY(!single.defer_to_human);
    QVERIFY(single.pairs.empty());
    QCOMPARE(consistency({}, 2, 0.9).score, 1.0);
    QVERIFY_THROWS_EXCEPTION(Error, consistency({{"a", a}, {"b", GridMap{1, 4, {1, 2, 3, 4}}}}, 2, 0.5));
}
