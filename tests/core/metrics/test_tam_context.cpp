// TAM's token level (METHODS.md section 3) on hand-worked sequences: which earlier tokens form the
// interference context, where each one's weight is read (an answer token at the step that predicted it,
// as in the authors' reference), and that chat-template tokens stay out of it even with non-zero maps.
#include <QtTest>

#include <vector>

#include "core/explain/tam_context.h"
#include "core/util/error.h"
#include "tests/core/metrics/metrics_test_helpers.h"

using namespace sightline;
using namespace sightline::tam;

namespace {

// <s> USER <img> <img> red ASSISTANT | big circle there
//  0    1    2     3    4      5        6    7      8
// Template tokens 0, 1, 5; the user's prompt "red" at 4; a two-patch image at 2-3; a three-token answer.
std::vector<SequenceToken> sequence() {
    return {
        {1, "<s>", Segment::Template}, {2, "USER", Segment::Template},  {9, "<img>", Segment::Image},
        {9, "<img>", Segment::Image},  {10, "red", Segment::Prompt},    {3, "ASSISTANT", Segment::Template},
        {20, "big", Segment::Answer},  {21, "circle", Segment::Answer}, {22, "there", Segment::Answer}};
}

// ReLU'd class activations at positions 0..8. Target class 22 ("there"): the previous answer token
// "circle" (position 7) has own-position score 8 but predicting-position score s[6] = 2.
ClassActivations activations() {
    return {
        {22, {5, 4, 3, 1, 1, 1, 2, 8, 0}},  // A_v = [3, 1]
        {10, {0, 0, 4, 0, 0, 0, 0, 0, 0}},  // "red":    map [4, 0]
        {20, {0, 0, 4, 0, 0, 0, 0, 0, 0}},  // "big":    map [4, 0]
        {21, {0, 0, 0, 4, 0, 0, 0, 0, 0}},  // "circle": map [0, 4]
        // Template classes with non-zero image maps: they must never enter the context.
        {1, {0, 0, 9, 9, 0, 0, 0, 0, 0}},
        {2, {0, 0, 0, 7, 0, 0, 0, 0, 0}},
        {3, {0, 0, 6, 0, 0, 0, 0, 0, 0}},
    };
}

}  // namespace

class TestTamContext : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void answerTokensAreWeighedAtTheirPredictingStep() {
        // Context of "there" (8): "red" (prompt, weighed at 4), "big" (answer, at 5), "circle" (answer, at
        // 6).
        const auto c = interference_context(sequence(), 8);
        QCOMPARE(c.size(), std::size_t{3});
        QCOMPARE(c[0].position, std::size_t{4});
        QCOMPARE(c[0].weight_position, std::size_t{4});
        QCOMPARE(c[1].position, std::size_t{6});
        QCOMPARE(c[1].weight_position, std::size_t{5});
        QCOMPARE(c[2].position, std::size_t{7});
        QCOMPARE(c[2].weight_position, std::size_t{6});

        // txt = [s[4], s[5], s[6]] = [1, 1, 2] -> w = [0.25, 0.25, 0.5] (sum 4 + 1e-8).
        // I = 0.25 [4, 0] + 0.25 [4, 0] + 0.5 [0, 4] = [2, 2]; A_v = [3, 1]:
        // alpha = <A_v, I> / <I, I> = (6 + 2) / 8 = 1; ReLU([3 - 2, 1 - 2]) = [1, 0].
        // (Reading "circle" at its own position would give txt [1, 2, 8], w = [1, 2, 8] / 11,
        //  I = [12, 32] / 11, alpha = 0.6404 and the map [2.301, 0].)
        const TokenActivation r = token_activation(sequence(), 8, activations(), true);
        SL_EXPECT_ALL_NEAR(r.weights, 1e-8, 0.25, 0.25, 0.5);
        SL_EXPECT_NEAR(r.alpha, 1.0, 1e-7);
        SL_EXPECT_ALL_NEAR(r.image, 1e-6, 1, 0);
    }

    void templateTokensStayOutOfTheContext() {
        // The template classes 1, 2, 3 have large image maps in the table, yet are neither needed nor used.
        QCOMPARE(classes_needed(sequence(), 8), (std::vector<std::int64_t>{22, 10, 20, 21}));
        ClassActivations without = activations();
        without.erase(1);
        without.erase(2);
        without.erase(3);
        const TokenActivation a = token_activation(sequence(), 8, activations(), true);
        const TokenActivation b = token_activation(sequence(), 8, without, true);
        QCOMPARE(a.image, b.image);
        QCOMPARE(a.alpha, b.alpha);
        // Had "USER" counted as the user's prompt, its map [0, 7] would have entered with weight s[1] = 4:
        // txt [4, 1, 1, 2], w = [0.5, 0.125, 0.125, 0.25], I = [0, 3.5] + [0.5, 0] + [0.5, 0] + [0, 1] =
        // [1, 4.5]; alpha = (3 + 4.5) / (1 + 20.25) = 0.35294; map = [3 - 0.35294, 1 - 1.58824] -> [2.64706,
        // 0].
        auto seq = sequence();
        seq[1].segment = Segment::Prompt;
        const TokenActivation c = token_activation(seq, 8, activations(), true);
        SL_EXPECT_ALL_NEAR(c.weights, 1e-8, 0.5, 0.125, 0.125, 0.25);
        SL_EXPECT_ALL_NEAR(c.image, 1e-5, 2.64706, 0);
    }

    void theFirstAnswerTokenIsWeighedAtTheLastTemplatePosition() {
        // Target "circle" (7): context "red" at 4 and "big" at 6, weighed at s_21[4] = 0 and s_21[5] = 0.
        const auto c = interference_context(sequence(), 7);
        QCOMPARE(c.size(), std::size_t{2});
        QCOMPARE(c[1].position, std::size_t{6});
        QCOMPARE(c[1].weight_position, std::size_t{5});
        // Class 21 is zero at 4 and 5: w = [0, 0], I = 0, alpha = 0, the map is its raw [0, 4].
        const TokenActivation r = token_activation(sequence(), 7, activations(), true);
        SL_EXPECT_ALL_NEAR(r.weights, 0.0, 0, 0);
        QCOMPARE(r.alpha, 0.0);
        SL_EXPECT_ALL_NEAR(r.image, 0.0, 0, 4);
    }

    void repeatsOfTheTargetWordAreExcluded() {
        // The answer repeats the prompt's word: "red" at 8 leaves the prompt's "red" (4) out of its context.
        auto seq = sequence();
        seq[8] = {10, "red", Segment::Answer};
        const auto c = interference_context(seq, 8);
        QCOMPARE(c.size(), std::size_t{2});
        QCOMPARE(c[0].position, std::size_t{6});
        QCOMPARE(c[1].position, std::size_t{7});
        QCOMPARE(classes_needed(seq, 8), (std::vector<std::int64_t>{10, 20, 21}));
    }

    void textScoresSkipImagesAndThePredictingPosition() {
        // Positions before 8 without image positions and without 7 (the step predicting "there").
        const TokenActivation r = token_activation(sequence(), 8, activations(), false);
        QCOMPARE(r.text_positions, (std::vector<std::size_t>{0, 1, 4, 5, 6}));
        SL_EXPECT_ALL_NEAR(r.text_scores, 0.0, 5, 4, 1, 1, 2);
        SL_EXPECT_ALL_NEAR(r.image, 0.0, 3, 1);  // raw, no context removed
        QVERIFY(r.context.empty());
        QCOMPARE(r.alpha, 0.0);
    }

    void badInputIsRefused() {
        QVERIFY_THROWS_EXCEPTION(Error, interference_context(sequence(), 9));  // outside
        QVERIFY_THROWS_EXCEPTION(Error, interference_context(sequence(), 4));  // a prompt token
        ClassActivations missing = activations();
        missing.erase(21);
        QVERIFY_THROWS_EXCEPTION(Error, token_activation(sequence(), 8, missing, true));
        ClassActivations short_row = activations();
        short_row[22].pop_back();
        QVERIFY_THROWS_EXCEPTION(Error, token_activation(sequence(), 8, short_row, false));
    }
};

QTEST_APPLESS_MAIN(TestTamContext)
#include "test_tam_context.moc"
