#pragma once
// Calibrating the "defer to a human expert" flag (METHODS.md, "Deferral"). A flag is useful only if it
// fires on answers that are wrong and stays quiet on easy, right ones. On held-out scene-world questions
// (right or wrong), each case records the signals a reviewer sees for the default token (the first
// colour or shape word of the answer, else its first token): the consistency of every method's map
// (the Compare tab's score) and the model's probability of that token. A signal's worth is its AUROC for
// telling wrong answers from right ones; a rule's threshold is chosen on a calibration seed range (at most
// a given share of right answers flagged) and then measured on disjoint held-out ranges.
#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sightline {

class Explorer;
struct Trace;

// The lowest probability among the answer's tokens (1 for an empty answer).
double min_answer_prob(const Trace& t);

struct DeferCase {
    std::uint64_t seed = 0;
    std::string task, question, expected, answer, token;
    bool correct = false;
    int target = 0;
    double token_prob = 0;       // the model's probability of the explained token
    double answer_min_prob = 0;  // the lowest probability among the answer's tokens
    double consistency = 1;      // metrics::consistency over every method's map (k = 10)
};

struct DeferCollectOptions {
    int n = 100;
    std::uint64_t first_seed = 0;
    std::vector<std::string> methods;  // empty: every registered explainer (what the Compare tab shows)
    std::function<void(int done, int total)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

std::vector<DeferCase> collect_defer_cases(Explorer& explorer, const DeferCollectOptions& options);

// The signals a rule may threshold; higher means "more likely wrong".
enum class DeferSignal { Inconsistency, TokenDoubt, AnswerDoubt, Combined };
std::string to_string(DeferSignal s);
// In words, for the window and the report ("1 - token probability").
std::string describe(DeferSignal s);
// Inconsistency = 1 - consistency; TokenDoubt = 1 - token_prob; AnswerDoubt = 1 - answer_min_prob
// (the least sure token of the whole answer); Combined = mean of Inconsistency and AnswerDoubt.
double defer_signal(DeferSignal s, double consistency, double token_prob, double answer_min_prob);

struct DeferRule {
    DeferSignal signal = DeferSignal::TokenDoubt;
    double threshold = 0.5;  // defer when the signal is above it
    bool fires(double consistency, double token_prob, double answer_min_prob) const {
        return defer_signal(signal, consistency, token_prob, answer_min_prob) > threshold;
    }
};

// The rule Sightline ships: answer doubt > 0.09 (chosen by calibrate_defer on seeds 1000100000..+149 and
// measured on the disjoint ranges 1000200000.. and 1000300000..; docs/EVALUATION.md). The Compare tab,
// the report and `sightline-cli eval --defer` use it.
DeferRule shipped_defer_rule();

// Area under the ROC curve of `scores` for telling positives (wrong answers) from negatives; ties count
// one half. 0.5 when either class is empty.
double auroc(const std::vector<double>& scores, const std::vector<bool>& positive);

struct DeferReport {
    int cases = 0, wrong = 0;
    double auroc_inconsistency = 0.5, auroc_token_doubt = 0.5, auroc_answer_doubt = 0.5, auroc_combined = 0.5;
    double false_alarm_rate = 0;  // share of right answers the rule flags
    double recall = 0;            // share of wrong answers the rule flags
    nlohmann::json to_json() const;
};
DeferReport evaluate_defer(const std::vector<DeferCase>& cases, const DeferRule& rule);

// The signal with the best AUROC on `calibration`, and the lowest threshold among the observed signal
// values that flags at most `max_false_alarm` of the right answers.
DeferRule calibrate_defer(const std::vector<DeferCase>& calibration, double max_false_alarm);

nlohmann::json defer_case_to_json(const DeferCase& c);

}  // namespace sightline
