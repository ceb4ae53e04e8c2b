#include "core/eval/defer_eval.h"

#include <algorithm>
#include <limits>

#include "core/eval/eval_questions.h"
#include "core/explore/explorer.h"
#include "core/metrics/consistency.h"
#include "core/toy/answer_match.h"
#include "core/toy/sample.h"
#include "core/util/error.h"
#include "core/util/progress.h"
#include "core/util/strings.h"

namespace sightline {

double min_answer_prob(const Trace& t) {
    double m = 1.0;
    for (const auto& step : t.steps) m = std::min(m, step.prob);
    return m;
}

std::string to_string(DeferSignal s) {
    switch (s) {
        case DeferSignal::Inconsistency:
            return "inconsistency";
        case DeferSignal::TokenDoubt:
            return "token_doubt";
        case DeferSignal::AnswerDoubt:
            return "answer_doubt";
        case DeferSignal::Combined:
            return "combined";
    }
    return "?";
}

std::string describe(DeferSignal s) {
    switch (s) {
        case DeferSignal::Inconsistency:
            return "1 - consistency";
        case DeferSignal::TokenDoubt:
            return "1 - token probability";
        case DeferSignal::AnswerDoubt:
            return "1 - the least sure answer token's probability";
        case DeferSignal::Combined:
            return "the mean of (1 - consistency) and (1 - the least sure answer token's probability)";
    }
    return "?";
}

double defer_signal(DeferSignal s, double consistency, double token_prob, double answer_min_prob) {
    const double inc = 1.0 - consistency;
    switch (s) {
        case DeferSignal::Inconsistency:
            return inc;
        case DeferSignal::TokenDoubt:
            return 1.0 - token_prob;
        case DeferSignal::AnswerDoubt:
            return 1.0 - answer_min_prob;
        case DeferSignal::Combined:
            return (inc + 1.0 - answer_min_prob) / 2.0;
    }
    return 0;
}

double auroc(const std::vector<double>& scores, const std::vector<bool>& positive) {
    if (scores.size() != positive.size())
        fail("auroc: ", scores.size(), " scores for ", positive.size(), " labels");
    double pairs = 0, wins = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (!positive[i]) continue;
        for (std::size_t j = 0; j < scores.size(); ++j) {
            if (positive[j]) continue;
            pairs += 1;
            wins += scores[i] > scores[j] ? 1.0 : (scores[i] == scores[j] ? 0.5 : 0.0);
        }
    }
    return pairs > 0 ? wins / pairs : 0.5;
}

nlohmann::json DeferReport::to_json() const {
    return {{"cases", cases},
            {"wrong", wrong},
            {"auroc",
             {{"inconsistency", auroc_inconsistency},
              {"token_doubt", auroc_token_doubt},
              {"answer_doubt", auroc_answer_doubt},
              {"combined", auroc_combined}}},
            {"false_alarm_rate", false_alarm_rate},
            {"recall", recall}};
}

DeferReport evaluate_defer(const std::vector<DeferCase>& cases, const DeferRule& rule) {
    DeferReport r;
    r.cases = static_cast<int>(cases.size());
    std::vector<bool> wrong;
    std::vector<double> inc, doubt, adoubt, comb;
    int right = 0, alarms = 0, caught = 0;
    for (const auto& c : cases) {
        wrong.push_back(!c.correct);
        inc.push_back(
            defer_signal(DeferSignal::Inconsistency, c.consistency, c.token_prob, c.answer_min_prob));
        doubt.push_back(
            defer_signal(DeferSignal::TokenDoubt, c.consistency, c.token_prob, c.answer_min_prob));
        adoubt.push_back(
            defer_signal(DeferSignal::AnswerDoubt, c.consistency, c.token_prob, c.answer_min_prob));
        comb.push_back(defer_signal(DeferSignal::Combined, c.consistency, c.token_prob, c.answer_min_prob));
        const bool fires = rule.fires(c.consistency, c.token_prob, c.answer_min_prob);
        if (c.correct) {
            ++right;
            alarms += fires;
        } else {
            ++r.wrong;
            caught += fires;
        }
    }
    r.auroc_inconsistency = auroc(inc, wrong);
    r.auroc_token_doubt = auroc(doubt, wrong);
    r.auroc_answer_doubt = auroc(adoubt, wrong);
    r.auroc_combined = auroc(comb, wrong);
    r.false_alarm_rate = right > 0 ? static_cast<double>(alarms) / right : 0.0;
    r.recall = r.wrong > 0 ? static_cast<double>(caught) / r.wrong : 0.0;
    return r;
}

DeferRule calibrate_defer(const std::vector<DeferCase>& cal, double max_false_alarm) {
    const DeferReport base = evaluate_defer(cal, DeferRule{});
    DeferRule rule;
    rule.signal = DeferSignal::TokenDoubt;
    double best = base.auroc_token_doubt;
    for (const auto& [signal, a] : {std::pair{DeferSignal::AnswerDoubt, base.auroc_answer_doubt},
                                    std::pair{DeferSignal::Combined, base.auroc_combined},
                                    std::pair{DeferSignal::Inconsistency, base.auroc_inconsistency}})
        if (a > best) {
            best = a;
            rule.signal = signal;
        }
    // Signals of the right answers, highest first: flagging only above the value at rank
    // floor(max_false_alarm * right) keeps the alarms at or under that share.
    std::vector<double> right;
    for (const auto& c : cal)
        if (c.correct)
            right.push_back(defer_signal(rule.signal, c.consistency, c.token_prob, c.answer_min_prob));
    if (right.empty()) fail("calibrate_defer: the calibration range has no right answers");
    std::sort(right.begin(), right.end(), std::greater<>());
    const auto allowed = static_cast<std::size_t>(max_false_alarm * static_cast<double>(right.size()));
    rule.threshold = right[std::min(allowed, right.size() - 1)];
    return rule;
}

DeferRule shipped_defer_rule() {
    // Calibrated with `sightline-cli eval --defer --n 150 --first-seed 1000100000 --calibrate 0.1` on the
    // embedded model: answer doubt had the best AUROC (0.976; token doubt 0.795, inconsistency 0.393)
    // and 0.0901 flagged 9.4% of the right answers there. Held-out figures: docs/EVALUATION.md.
    DeferRule r;
    r.signal = DeferSignal::AnswerDoubt;
    r.threshold = 0.09;
    return r;
}

nlohmann::json defer_case_to_json(const DeferCase& c) {
    return {{"seed", c.seed},
            {"task", c.task},
            {"question", c.question},
            {"expected", c.expected},
            {"answer", c.answer},
            {"correct", c.correct},
            {"target", c.target},
            {"token", c.token},
            {"token_prob", c.token_prob},
            {"answer_min_prob", c.answer_min_prob},
            {"consistency", c.consistency}};
}

std::vector<DeferCase> collect_defer_cases(Explorer& explorer, const DeferCollectOptions& o) {
    const LoadedModel& m = explorer.model();
    if (!m.config.multimodal || !m.tokenizer)
        fail("deferral evaluation needs a multimodal model with a tokenizer");
    std::vector<std::string> methods = o.methods.empty() ? explorer.registry().compared_names() : o.methods;
    for (const auto& name : methods) explorer.registry().get(name);
    const JobControl control(o.cancel, nullptr);
    std::vector<DeferCase> out;
    for (int i = 0; i < o.n; ++i) {
        if (o.cancel && o.cancel->load()) throw CancelledError();
        const toy::Sample s = eval_question(o.first_seed, i);
        const auto trace = answer_eval_question(explorer, s, &control);
        DeferCase c;
        c.seed = o.first_seed + static_cast<std::uint64_t>(i);
        c.task = toy::to_string(s.task);
        c.question = s.question;
        c.expected = s.answer;
        c.answer = trace->answer_text;
        c.correct = toy::answers_match(trace->answer_text, s.answer);
        c.answer_min_prob = min_answer_prob(*trace);
        const std::int64_t target = default_target(*trace);  // the token the window explains first
        if (target < 0) {  // an empty answer: nothing to explain, nothing the model was sure of
            c.answer_min_prob = 0;
            c.token_prob = 0;
            c.consistency = 1;
        } else {
            c.target = static_cast<int>(target);
            c.token = trace->tokens[static_cast<std::size_t>(trace->answer_begin + target)].text;
            c.token_prob = trace->steps[static_cast<std::size_t>(target)].prob;
            std::vector<std::pair<std::string, metrics::GridMap>> maps;
            for (const auto& name : methods) {
                const Explanation e = explorer.explain(name, target, nlohmann::json::object(), &control);
                if (e.has_image_map())
                    maps.emplace_back(name, metrics::GridMap{e.grid_h, e.grid_w, e.image_map});
            }
            c.consistency = metrics::consistency(maps, metrics::kConsistencyTopK, 0.0).score;
        }
        out.push_back(c);
        if (o.progress) o.progress(i + 1, o.n);
    }
    return out;
}

}  // namespace sightline
