// TAM arithmetic (METHODS.md section 3) against values worked out by hand: the rank Gaussian filter,
// estimated causal inference and joint min-max normalisation.
#include <QtTest>

#include <cmath>
#include <vector>

#include "core/explain/tam_math.h"
#include "core/util/error.h"
#include "tests/core/metrics/metrics_test_helpers.h"

using namespace sightline;
using namespace sightline::tam;

class TestTamMath : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    // --- rank Gaussian filter ---
    void flatWindowsGiveTheMedian() {
        // Every window of a constant map holds nine 2s: mu = 2, std = 0, sigma = 0 -> the median, 2.
        const std::vector<float> out = rank_gaussian_filter(std::vector<float>(9, 2.0f), 3, 3);
        SL_EXPECT_ALL_NEAR(out, 0.0, 2, 2, 2, 2, 2, 2, 2, 2, 2);
    }

    void noisyWindowByHand() {
        // 1 everywhere, 10 in the centre. The centre's window is the whole map, sorted [1 x8, 10]:
        //   mu = 18 / 9 = 2; deviations: eight of -1 and one of +8 -> var = (8 + 64) / 9 = 8, std = 2 sqrt 2;
        //   sigma = std / mu = sqrt 2, so 2 sigma^2 = 4 and k(r) = exp(-r^2 / 4):
        //   k(0) = 1, k(+-1) = 0.7788007831, k(+-2) = 0.3678794412, k(+-3) = 0.1053992246,
        //   k(+-4) = 0.0183156389; sum S = 1 + 2 (1.2703950879) = 3.5407901754.
        //   Ranks -4..3 hold 1 and rank +4 holds 10:
        //   out = (S - k(4) + 10 k(4)) / S = 1 + 9 k(4) / S = 1 + 0.1648407500 / 3.5407901754 = 1.0465547920.
        std::vector<float> map(9, 1.0f);
        map[4] = 10.0f;
        const std::vector<float> out = rank_gaussian_filter(map, 3, 3);
        SL_EXPECT_NEAR(out[4], 1.0465547920, 1e-6);
    }

    void symmetricWindowKeepsItsMean() {
        // Centre window 1..9: mu = 5, var = (16+9+4+1+0+1+4+9+16) / 9 = 60 / 9, sigma = sqrt(60/9) / 5 =
        // 0.5164; the kernel is symmetric in r and the sorted values are symmetric about 5 -> 5.
        const std::vector<float> map = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        SL_EXPECT_NEAR(rank_gaussian_filter(map, 3, 3)[4], 5.0, 1e-6);
    }

    void nonPositiveMeanGivesZero() {
        // All -1: mu = -1 <= 0 -> 0 (not the median, -1).
        SL_EXPECT_ALL_NEAR(rank_gaussian_filter(std::vector<float>(9, -1.0f), 3, 3), 0.0, 0, 0, 0, 0, 0, 0, 0,
                           0, 0);
        // Centre -8, others 1: the centre window sums to -8 + 8 = 0 -> mu = 0 -> 0.
        std::vector<float> map(9, 1.0f);
        map[4] = -8.0f;
        QCOMPARE(rank_gaussian_filter(map, 3, 3)[4], 0.0f);
        // An all-zero map: mu = 0 -> 0 everywhere.
        SL_EXPECT_ALL_NEAR(rank_gaussian_filter(std::vector<float>(4, 0.0f), 2, 2), 0.0, 0, 0, 0, 0);
    }

    void reflect101CornerByHand() {
        // 3x4 map          Corner (0,0): reflect-101 reads row -1 as row 1 and column -1 as column 1:
        //   1  2  3  4        6 5 6
        //   5  6  7  8        2 1 2      sorted [1, 2, 2, 5, 5, 6, 6, 6, 6] (replicate padding would give
        //   9 10 11 12        6 5 6      [1, 1, 1, 1, 2, 2, 5, 5, 6] instead)
        // mu = 39 / 9 = 13/3; squared deviations (in ninths): 100 + 2*49 + 2*4 + 4*25 = 306 -> var = 34/9;
        // sigma^2 = var / mu^2 = (34/9) / (169/9) = 34/169, 2 sigma^2 = 68/169, k(r) = exp(-169 r^2 / 68):
        //   k(1) = exp(-2.4852941) = 0.0833010506, k(2) = exp(-9.9411765) = 4.81506e-5,
        //   k(3) = exp(-22.367647) = 1.93e-10, k(4) ~ 5e-18; S = 1 + 2 (0.0833491) = 1.1666984028.
        // Pairs of ranks (-r, +r) hold (w[4-r], w[4+r]) = (5,6), (2,6), (2,6), (1,6) and rank 0 holds 5:
        // out = (5 + 11 k(1) + 8 k(2) + 8 k(3) + 7 k(4)) / S = 5.9166968 / 1.1666984 = 5.0713164163.
        const std::vector<float> map = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        const std::vector<float> out = rank_gaussian_filter(map, 3, 4);
        QCOMPARE(out.size(), std::size_t{12});
        SL_EXPECT_NEAR(out[0], 5.0713164163, 1e-5);
        // Opposite corner (2,3): window rows {1,2,1}, columns {2,3,2} -> [7,8,7; 11,12,11; 7,8,7]; check it
        // against the same formula via its sorted values [7,7,7,7,8,8,11,11,12] (mu = 78/9 = 26/3):
        // squared deviations (ninths): 4*25 + 2*4 + 2*49 + 100 = 306 -> var = 34/9, 2 sigma^2 = 68/676
        // -> k(1) = exp(-676/68) = exp(-9.9411765) = 4.81506e-5, k(2) = exp(-39.76) ~ 5e-18;
        // rank 0 holds 8, rank +-1 hold (7, 8): out = (8 + 15 k(1)) / (1 + 2 k(1)) = 7.99995186.
        SL_EXPECT_NEAR(out[11], 7.99995186, 1e-5);
    }

    void singleRowRepeatsItself() {
        // 1x3 map [1, 2, 3]: a side of length 1 always reads index 0, columns reflect-101.
        // (0,0): rows {0,0,0} x columns {1,0,1} -> [2,1,2] three times -> sorted [1,1,1,2,2,2,2,2,2]:
        // mu = 15/9 = 5/3, var = (3 (2/3)^2 + 6 (1/3)^2) / 9 = 2/9, sigma^2 = (2/9) / (25/9) = 2/25,
        // 2 sigma^2 = 0.16, k(1) = exp(-6.25) = 0.0019304541, k(2) = exp(-25) = 1.39e-11.
        // Ranks -1..4 hold 2, ranks -4..-2 hold 1: out = 2 - (k(2) + k(3) + k(4)) / S = 2 - 1.4e-11.
        const std::vector<float> out = rank_gaussian_filter({1, 2, 3}, 1, 3);
        SL_EXPECT_NEAR(out[0], 2.0, 1e-6);
        // (0,1): [1,2,3] three times, symmetric about 2 -> 2.
        SL_EXPECT_NEAR(out[1], 2.0, 1e-6);
        // 1x1: nine copies of the single value -> sigma = 0 -> the median.
        SL_EXPECT_ALL_NEAR(rank_gaussian_filter({7}, 1, 1), 0.0, 7);
    }

    void filterRejectsBadShapes() {
        QVERIFY_THROWS_EXCEPTION(sightline::Error, rank_gaussian_filter({1, 2, 3}, 2, 2));
        QVERIFY_THROWS_EXCEPTION(sightline::Error, rank_gaussian_filter({}, 0, 3));
        QVERIFY_THROWS_EXCEPTION(sightline::Error, rank_gaussian_filter({1, NAN, 2, 3}, 2, 2));
    }

    // --- estimated causal inference ---
    void interferenceIsRemoved() {
        // object O = [1, 2, 0, 0], context map C = [0, 0, 2, 4] (disjoint), target = O + 0.5 C = [1, 2, 1,
        // 2]. One context token with txt = 3: w = 3 / (3 + 1e-8) = 1 - 3.3e-9, I = w C. <A, I> = w (1*2 +
        // 2*4) = 10 w; <I, I> = w^2 (4 + 16) = 20 w^2 -> alpha = 0.5 / w = 0.5 (to 2e-9); alpha I = 0.5 C ->
        // ReLU(A - alpha I) = O.
        const InterferenceResult r = remove_interference({1, 2, 1, 2}, {{0, 0, 2, 4}}, {3});
        SL_EXPECT_NEAR(r.alpha, 0.5, 1e-6);
        SL_EXPECT_ALL_NEAR(r.map, 1e-6, 1, 2, 0, 0);
        SL_EXPECT_ALL_NEAR(r.interference, 1e-6, 0, 0, 2, 4);
    }

    void contextWeightsFollowTextScores() {
        // C1 = [0,0,2,0] with txt 1, C2 = [0,0,0,4] with txt 3: w = [1/4, 3/4] (sum 4 + 1e-8),
        // I = [0, 0, 0.5, 3]. Target = O + 2 I = [1, 2, 1, 6]:
        // <A, I> = 0.5 + 18 = 18.5, <I, I> = 0.25 + 9 = 9.25 -> alpha = 2 -> map = O.
        const InterferenceResult r = remove_interference({1, 2, 1, 6}, {{0, 0, 2, 0}, {0, 0, 0, 4}}, {1, 3});
        SL_EXPECT_ALL_NEAR(r.interference, 1e-6, 0, 0, 0.5, 3);
        SL_EXPECT_NEAR(r.alpha, 2.0, 1e-6);
        SL_EXPECT_ALL_NEAR(r.map, 1e-6, 1, 2, 0, 0);
    }

    void overlapIsClippedByRelu() {
        // target [2, 1], context [1, 1] (txt 1): I = [1, 1], alpha = (2 + 1) / 2 = 1.5,
        // A - alpha I = [0.5, -0.5] -> ReLU -> [0.5, 0].
        const InterferenceResult r = remove_interference({2, 1}, {{1, 1}}, {1});
        SL_EXPECT_NEAR(r.alpha, 1.5, 1e-6);
        SL_EXPECT_ALL_NEAR(r.map, 1e-6, 0.5, 0);
    }

    void emptyContextLeavesTheMapAlone() {
        const InterferenceResult r = remove_interference({1, -2, 3}, {}, {});
        QCOMPARE(r.alpha, 0.0);
        SL_EXPECT_ALL_NEAR(r.map, 0.0, 1, -2, 3);  // unchanged: not even ReLU'd
        SL_EXPECT_ALL_NEAR(r.interference, 0.0, 0, 0, 0);
    }

    void zeroContextScoresGiveZeroInterference() {
        // txt = [0, 0]: w_i = 0 / (0 + 1e-8) = 0 -> I = 0 -> <I, I> = 0 -> alpha = 0, map = ReLU(A) = A.
        const InterferenceResult r = remove_interference({1, 2}, {{5, 5}, {1, 0}}, {0, 0});
        QCOMPARE(r.alpha, 0.0);
        SL_EXPECT_ALL_NEAR(r.interference, 0.0, 0, 0);
        SL_EXPECT_ALL_NEAR(r.map, 0.0, 1, 2);
    }

    void negativeAlphaIsClamped() {
        // target [1, 0], context [-2, 0] (txt 1): <A, I> = -2, <I, I> = 4 -> alpha = -0.5 -> clamped to 0;
        // map = ReLU([1, 0]) = [1, 0].
        const InterferenceResult r = remove_interference({1, 0}, {{-2, 0}}, {1});
        QCOMPARE(r.alpha, 0.0);
        SL_EXPECT_ALL_NEAR(r.map, 0.0, 1, 0);
    }

    void interferenceRejectsMismatches() {
        QVERIFY_THROWS_EXCEPTION(sightline::Error, remove_interference({1, 2}, {{1, 2, 3}}, {1}));
        QVERIFY_THROWS_EXCEPTION(sightline::Error, remove_interference({1, 2}, {{1, 2}}, {1, 2}));
    }

    // --- joint min-max normalisation ---
    void jointNormalisationSharesMinAndMax() {
        // union [1, 3 | 5, 2]: min 1, max 5 -> (v - 1) / 4.
        std::vector<float> image = {1, 3}, text = {5, 2};
        joint_minmax(image, text);
        SL_EXPECT_ALL_NEAR(image, 1e-7, 0, 0.5);
        SL_EXPECT_ALL_NEAR(text, 1e-7, 1, 0.25);
        // The extremes may both sit in the text: image [3], text [1, 5] -> image (3 - 1) / 4 = 0.5.
        image = {3};
        text = {1, 5};
        joint_minmax(image, text);
        SL_EXPECT_ALL_NEAR(image, 1e-7, 0.5);
        SL_EXPECT_ALL_NEAR(text, 1e-7, 0, 1);
    }

    void jointNormalisationEdgeCases() {
        // max == min: everything 0.
        std::vector<float> image = {2, 2}, text = {2};
        joint_minmax(image, text);
        SL_EXPECT_ALL_NEAR(image, 0.0, 0, 0);
        SL_EXPECT_ALL_NEAR(text, 0.0, 0);
        // No text: the image alone, [4, 6, 5] -> [0, 1, 0.5].
        image = {4, 6, 5};
        text.clear();
        joint_minmax(image, text);
        SL_EXPECT_ALL_NEAR(image, 1e-7, 0, 1, 0.5);
        // Both empty: nothing to do.
        image.clear();
        joint_minmax(image, text);
        QVERIFY(image.empty() && text.empty());
    }
};

QTEST_APPLESS_MAIN(TestTamMath)
#include "test_tam_math.moc"
