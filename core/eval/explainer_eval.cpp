#include "core/eval/explainer_eval.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <random>

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

GridMap random_map(int h, int w, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    GridMap m{h, w, std::vector<float>(static_cast<std::size_t>(h * w))};
    for (auto& v : m.values) v = static_cast<float>(std::generate_canonical<double, 53>(rng));
    return m;
}

GridMap center_map(int h, int w) {
    GridMap m{h, w, std::vector<float>(static_cast<std::size_t>(h * w))};
    const double cy = (h - 1) / 2.0, cx = (w - 1) / 2.0, s = std::max(h, w) / 4.0;
    for (int r = 0; r < h; ++r)
        for (int c = 0; c < w; ++c)
            m.values[static_cast<std::size_t>(r * w + c)] =
                static_cast<float>(std::exp(-((r - cy) * (r - cy) + (c - cx) * (c - cx)) / (2 * s * s)));
    return m;
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
    ExplainerEvalResult r;
    for (int i = 0; i < o.n; ++i) {
        if (o.cancel && o.cancel->load()) throw CancelledError();
        const std::uint64_t seed = o.first_seed + static_cast<std::uint64_t>(i);
        const toy::Sample s = eval_question(o.first_seed, i);
        const auto trace = answer_eval_question(explorer, s, &control);
        ++r.scenes;
        if (o.progress) o.progress(i + 1, o.n);
        if (!toy::answers_match(trace->answer_text, s.answer)) continue;
        const auto targets = target_words(m, *trace, s);
        if (targets.empty()) continue;
        ++r.scenes_used;
        const int gh = trace->grid_h, gw = trace->grid_w;
        const cv::Mat view = trace->image.model_view;
        const cv::Mat baseline = metrics::blurred_baseline(view);

        std::vector<std::string> names = o.methods;
        names.push_back("random");
        names.push_back("center");
        int faithfulness_left = o.faithfulness_targets_per_scene;
        std::map<std::string, std::vector<GridMap>> noun_maps;
        std::vector<std::pair<std::size_t, std::map<std::string, GridMap>>> function_maps;
        for (std::size_t ti = 0; ti < targets.size(); ++ti) {
            const auto& tw = targets[ti];
            std::map<std::string, GridMap> maps;
            for (const auto& name : names) {
                if (name == "random") {
                    maps[name] = random_map(gh, gw, o.random_seed * 1000003u + seed * 131u + ti);
                } else if (name == "center") {
                    maps[name] = center_map(gh, gw);
                } else {
                    const Explanation e = explorer.explain(
                        name, tw.index, o.params.value(name, nlohmann::json::object()), &control);
                    maps[name] = GridMap{e.grid_h, e.grid_w, e.image_map};
                    r.methods[name].time_ms.push_back(e.time_ms);
                    if (name == "cleann" && tw.object >= 0) {
                        auto& ms = r.methods[name];
                        ++ms.validation_attempts;
                        if (e.masking && e.masking->validated) {
                            ++ms.validated;
                            ms.set_sizes.push_back(static_cast<double>(e.masking->positions.size()));
                        }
                    }
                }
            }
            if (tw.object >= 0) {
                ++r.object_targets;
                const cv::Mat& mask = s.scene.objects[static_cast<std::size_t>(tw.object)].mask;
                for (const auto& [name, map] : maps) {
                    auto& ms = r.methods[name];
                    ms.obj_iou.push_back(metrics::obj_iou(map, mask));
                    const auto outcome = pointing_outcome(s.scene, tw, map);
                    const double hit = outcome == metrics::PointingOutcome::Hit ? 1.0 : 0.0;
                    ms.pointing.push_back(hit);
                    ++ms.pointing_outcomes[metrics::to_string(outcome)];
                    ms.pointing_by_task[toy::to_string(s.task)].push_back(hit);
                    noun_maps[name].push_back(map);
                }
                if (o.faithfulness_steps > 0 && faithfulness_left > 0) {
                    const std::int64_t pos = trace->answer_begin + tw.index;
                    const double p_image = target_probability(m, *trace, pos, view);
                    const double p_baseline = target_probability(m, *trace, pos, baseline);
                    // The normalised score divides by s_image - s_baseline; a target the blurred baseline
                    // hardly changes (flat colours survive blurring) would turn the AUCs into noise, so such
                    // a target is left out and the scene's next object word is tried.
                    if (p_image - p_baseline < o.faithfulness_min_gap) {
                        ++r.faithfulness_skipped;
                    } else {
                        --faithfulness_left;
                        // Every curve starts from the full image and the full baseline: reuse those two
                        // values instead of re-running the model for them per method and curve.
                        const metrics::ProbabilityFn prob = [&](const cv::Mat& img) {
                            if (img.data == view.data) return p_image;
                            if (img.data == baseline.data) return p_baseline;
                            return target_probability(m, *trace, pos, img);
                        };
                        for (const auto& [name, map] : maps) {
                            r.methods[name].deletion.push_back(
                                metrics::deletion_curve(map, o.faithfulness_steps, prob, view, baseline).auc);
                            r.methods[name].insertion.push_back(
                                metrics::insertion_curve(map, o.faithfulness_steps, prob, view, baseline)
                                    .auc);
                        }
                    }
                }
            } else {
                ++r.function_targets;
                function_maps.emplace_back(ti, std::move(maps));
            }
        }
        // Func-IoU needs the mean Otsu threshold of the same method's noun maps in this answer.
        for (const auto& [ti, maps] : function_maps)
            for (const auto& [name, map] : maps) {
                const auto t = metrics::mean_otsu_threshold(noun_maps[name]);
                if (t) r.methods[name].func_iou.push_back(metrics::func_iou(map, *t));
            }
    }
    return r;
}

}  // namespace sightline
