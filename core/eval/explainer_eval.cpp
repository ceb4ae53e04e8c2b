#include "core/eval/explainer_eval.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/eval/answer_scoring.h"
#include "core/eval/eval_questions.h"
#include "core/eval/ground_truth.h"
#include "core/explore/explorer.h"
#include "core/generate/generator.h"
#include "core/image/preprocess.h"
#include "core/metrics/metrics.h"
#include "core/toy/answer_match.h"
#include "core/toy/sample.h"
#include "core/util/error.h"

namespace sightline {
namespace {

using metrics::GridMap;

double mean(const std::vector<double>& v) {
    if (v.empty()) return 0.0;
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
}

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

}  // namespace

nlohmann::json ExplainerEvalResult::to_json() const {
    nlohmann::json ms = nlohmann::json::object();
    for (const auto& [name, s] : methods) {
        const double o = mean(s.obj_iou), f = mean(s.func_iou);
        nlohmann::json j = {{"obj_iou", o},
                            {"func_iou", f},
                            {"f1_iou", metrics::f1_iou(o, f)},
                            {"pointing_game", mean(s.pointing)},
                            {"deletion_auc", mean(s.deletion)},
                            {"insertion_auc", mean(s.insertion)},
                            {"mean_time_ms", mean(s.time_ms)},
                            {"n_object", s.obj_iou.size()},
                            {"n_function", s.func_iou.size()},
                            {"n_faithfulness", s.deletion.size()}};
        if (s.validation_attempts > 0) {
            j["validated_rate"] = static_cast<double>(s.validated) / s.validation_attempts;
            j["median_set_size"] = median(s.set_sizes);
            j["median_time_ms"] = median(s.time_ms);
        }
        if (!s.pointing.empty()) {
            nlohmann::json outcomes = nlohmann::json::object();
            for (auto outcome :
                 {metrics::PointingOutcome::Hit, metrics::PointingOutcome::TargetCell,
                  metrics::PointingOutcome::SameWordObject, metrics::PointingOutcome::OtherObject,
                  metrics::PointingOutcome::Background}) {
                const auto it = s.pointing_outcomes.find(metrics::to_string(outcome));
                outcomes[metrics::to_string(outcome)] = (it == s.pointing_outcomes.end() ? 0 : it->second) /
                                                        static_cast<double>(s.pointing.size());
            }
            j["pointing_outcomes"] = outcomes;
            nlohmann::json by_task = nlohmann::json::object();
            for (const auto& [task, v] : s.pointing_by_task)
                by_task[task] = {{"pointing_game", mean(v)}, {"n", v.size()}};
            j["pointing_by_task"] = by_task;
        }
        ms[name] = j;
    }
    return {{"n_targets", object_targets + function_targets},
            {"n_object_targets", object_targets},
            {"n_function_targets", function_targets},
            {"scenes", scenes},
            {"scenes_used", scenes_used},
            {"faithfulness_skipped", faithfulness_skipped},
            {"methods", ms}};
}

ExplainerEvalResult evaluate_explainers(Explorer& explorer, const ExplainerEvalOptions& o) {
    const LoadedModel& m = explorer.model();
    if (!m.config.multimodal || !m.tokenizer)
        fail("explainer evaluation needs a multimodal model with a tokenizer");
    for (const auto& name : o.methods) explorer.registry().get(name);
    const JobControl control(o.cancel, nullptr);
    const ScoringOptions so{o.methods,
                            o.params,
                            true,
                            o.faithfulness_steps,
                            o.faithfulness_targets_per_scene,
                            o.faithfulness_min_gap,
                            o.random_seed};
    ExplainerEvalResult r;
    for (int i = 0; i < o.n; ++i) {
        if (o.cancel && o.cancel->load()) throw CancelledError();
        const toy::Sample s = eval_question(o.first_seed, i);
        const auto trace = answer_eval_question(explorer, s, &control);
        ++r.scenes;
        if (o.progress) o.progress(i + 1, o.n);
        // Only exactly right answers are scored: their words map to the scene's objects.
        const AnswerTruth truth = answer_truth_of(s);
        const auto targets = answer_targets(explorer, *trace, truth);
        if (targets.empty()) continue;
        accumulate_scores(score_answer(explorer, *trace, truth, targets, so, &control), r);
    }
    return r;
}

}  // namespace sightline
