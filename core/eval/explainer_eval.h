#pragma once
// Measured evaluation of explainers on held-out scene-world scenes (METHODS.md section 9): for every
// object-word and function-word answer token, every method's map is scored against the ground-truth
// masks (Obj-IoU, Func-IoU, F1-IoU, pointing game), by deletion/insertion AUC with a blurred baseline,
// and compared with two baselines (a uniform random map and a centre prior).
#include <atomic>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/explain/explanation_service.h"
#include "core/model/loaded_model.h"
#include "core/toy/seeds.h"

namespace sightline {

class Explorer;

struct ExplainerEvalOptions {
    int n = 300;  // scenes
    std::uint64_t first_seed = toy::kHeldOutSeedBase;
    std::vector<std::string> methods = {"attention", "relevancy", "tam", "cleann"};
    nlohmann::json params = nlohmann::json::object();  // per method, e.g. {"cleann": {"alpha": 1e-3}}
    int faithfulness_steps = 8;                        // deletion/insertion steps (0 = skip those metrics)
    int faithfulness_targets_per_scene = 1;  // object-word targets per scene scored by deletion/insertion
    double faithfulness_min_gap =
        0.1;                        // targets with p(image) - p(blurred) below this skip deletion/insertion
    std::uint64_t random_seed = 7;  // for the random baseline
    std::function<void(int done, int total)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

struct MethodScores {
    std::vector<double> obj_iou, func_iou, pointing, deletion, insertion, time_ms;
    int validated = 0, validation_attempts = 0;  // CLEANN
    std::vector<double> set_sizes;               // CLEANN explanation sizes (validated)
    // Object-word targets by where the map's argmax landed (metrics::to_string(PointingOutcome) keys),
    // and the pointing game per question type (describe, color, shape, relation).
    std::map<std::string, int> pointing_outcomes;
    std::map<std::string, std::vector<double>> pointing_by_task;
};

struct ExplainerEvalResult {
    int scenes = 0, scenes_used = 0;  // used: the model's answer was exactly right, so words map to masks
    int object_targets = 0, function_targets = 0;
    int faithfulness_skipped = 0;  // object targets left out of deletion/insertion (see faithfulness_min_gap)
    std::map<std::string, MethodScores> methods;  // includes "random" and "center"
    nlohmann::json to_json() const;
};

ExplainerEvalResult evaluate_explainers(Explorer& explorer, const ExplainerEvalOptions& options);

}  // namespace sightline
