#pragma once
// The result every explainer returns: a map over the image grid, scores over the input text tokens,
// method-specific extras for plots, and its own timing. Resolved by position, never by string.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sightline {

struct Explanation {
    std::string method;
    std::int64_t target = 0;           // answer-token index (0-based among answer tokens)
    std::int64_t target_position = 0;  // its sequence position
    int grid_h = 0, grid_w = 0;
    std::vector<float> image_map;  // grid_h * grid_w, row-major; empty when the trace has no image
    std::vector<std::int64_t> text_positions;          // sequence positions of the scored text tokens
    std::vector<float> text_scores;                    // one score per text position
    nlohmann::json params = nlohmann::json::object();  // effective parameters (defaults filled in)
    nlohmann::json extras = nlohmann::json::object();  // series, tables, graphs for plots
    double time_ms = 0;
    bool from_cache = false;

    bool has_image_map() const { return !image_map.empty(); }
    float at(int row, int col) const { return image_map[static_cast<std::size_t>(row * grid_w + col)]; }
};

nlohmann::json explanation_to_json(const Explanation& e);
Explanation explanation_from_json(const nlohmann::json& j);

}  // namespace sightline
