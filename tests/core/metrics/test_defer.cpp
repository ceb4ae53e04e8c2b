// The deferral rule's arithmetic on hand-computed cases: AUROC with ties and empty classes, the signals,
// the false-alarm rate and recall of a rule, and calibration (best-AUROC signal, the threshold that flags
// at most the allowed share of right answers).
#include <QtTest>
#include <cmath>

#include "core/eval/defer_eval.h"
#include "core/util/error.h"

using namespace sightline;

namespace {
DeferCase make(bool correct, double prob, double consistency) {
    DeferCase c;
    c.correct = correct;
    c.token_prob = prob;
    c.answer_min_prob = std::min(prob, 0.95);
    c.consistency = consistency;
    return c;
}
}  // namespace

class TestDefer : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void auroc_by_hand() {
        // Positives {0.9, 0.3} against negatives {0.8, 0.1}: 0.9 beats both, 0.3 beats 0.1 only: 3 of 4.
        QCOMPARE(auroc({0.9, 0.8, 0.3, 0.1}, {true, false, true, false}), 0.75);
        QCOMPARE(auroc({0.5, 0.5}, {true, false}), 0.5);   // a tie counts one half
        QCOMPARE(auroc({0.2, 0.9}, {true, false}), 0.0);   // perfectly backwards
        QCOMPARE(auroc({0.2, 0.9}, {false, false}), 0.5);  // no positives
        QCOMPARE(auroc({}, {}), 0.5);
        QVERIFY_THROWS_EXCEPTION(Error, auroc({0.1}, {}));
    }

    void signals() {
        QCOMPARE(defer_signal(DeferSignal::Inconsistency, 0.25, 0.9, 0.6), 0.75);
        QVERIFY(std::abs(defer_signal(DeferSignal::TokenDoubt, 0.25, 0.9, 0.6) - 0.1) < 1e-12);
        QVERIFY(std::abs(defer_signal(DeferSignal::AnswerDoubt, 0.25, 0.9, 0.6) - 0.4) < 1e-12);
        QVERIFY(std::abs(defer_signal(DeferSignal::Combined, 0.25, 0.9, 0.6) - 0.575) < 1e-12);
        DeferRule r;
        r.signal = DeferSignal::TokenDoubt;
        r.threshold = 0.5;
        QVERIFY(r.fires(1.0, 0.4, 1.0));
        QVERIFY(!r.fires(0.0, 0.5, 0.0));  // strictly above
    }

    void rates_and_calibration() {
        // Right answers: doubts 0.01 0.05 0.1 0.2 0.4; wrong: 0.7 and 0.5. Consistency tells nothing here
        // (the same for all), so token doubt must be chosen.
        const std::vector<DeferCase> cases = {
            make(true, 0.99, 0.4), make(true, 0.95, 0.4), make(true, 0.9, 0.4), make(true, 0.8, 0.4),
            make(true, 0.6, 0.4),  make(false, 0.3, 0.4), make(false, 0.5, 0.4)};
        const DeferRule r = calibrate_defer(cases, 0.2);
        QCOMPARE(r.signal, DeferSignal::TokenDoubt);
        // Allowed alarms floor(0.2 * 5) = 1: the threshold is the 2nd-highest right doubt, 0.2.
        QVERIFY(std::abs(r.threshold - 0.2) < 1e-12);
        const DeferReport rep = evaluate_defer(cases, r);
        QCOMPARE(rep.cases, 7);
        QCOMPARE(rep.wrong, 2);
        QCOMPARE(rep.false_alarm_rate, 0.2);  // only the 0.4 one
        QCOMPARE(rep.recall, 1.0);
        QCOMPARE(rep.auroc_token_doubt, 1.0);
        QCOMPARE(rep.auroc_inconsistency, 0.5);
        // No false alarm allowed: the threshold is the highest right doubt, flagging none of them.
        const DeferRule strict = calibrate_defer(cases, 0.0);
        QVERIFY(std::abs(strict.threshold - 0.4) < 1e-12);
        QCOMPARE(evaluate_defer(cases, strict).false_alarm_rate, 0.0);
        QCOMPARE(evaluate_defer(cases, strict).recall, 1.0);
        // Calibration needs right answers.
        QVERIFY_THROWS_EXCEPTION(Error, calibrate_defer({make(false, 0.1, 0.1)}, 0.1));
    }
};

QTEST_GUILESS_MAIN(TestDefer)
#include "test_defer.moc"
