#pragma once
// What a knockout asks for and what it found (core/explain/knockout.h runs it), with their JSON form
// for sessions and the command line. No torch: sessions read and validate these without a model.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/explain/explanation.h"

namespace sightline {

struct KnockoutSpec {
    std::string op = "block";                // "block", "mean" or "blur"
    std::vector<std::int64_t> positions;     // absolute positions knocked out (image patches, prompt tokens)
    std::vector<std::pair<int, int>> cells;  // map cells (row, col) whose image positions join `positions`
    std::vector<int> layers;                 // "block": layers whose attention is cut (empty: every layer)
    int window = 1;                          // "block": layers per step of the per-layer curve (0: no curve)
};

struct KnockoutResult {
    KnockoutSpec spec;
    std::int64_t target = 0;  // answer-token index
    std::string token;        // its text
    std::string answer_before, answer_after;
    std::vector<std::int64_t> ids_after;
    double p_before = 0, p_after = 0;  // the token's probability at its step, teacher-forced
    std::string predicted_after;       // the most likely token at that step with the knockout
    std::optional<LayerCurves> per_layer;
    bool answer_changed() const { return answer_after != answer_before; }
};

// "block", "mean" or "blur".
bool is_knockout_op(const std::string& op);

nlohmann::json to_json(const KnockoutResult& r);
KnockoutResult knockout_from_json(const nlohmann::json& j);
}  // namespace sightline
