#include "core/explain/explanation.h"

#include "core/util/error.h"

namespace sightline {

nlohmann::json explanation_to_json(const Explanation& e) {
    return {
        {"method", e.method},           {"target", e.target},       {"target_position", e.target_position},
        {"grid", {e.grid_h, e.grid_w}}, {"image_map", e.image_map}, {"text_positions", e.text_positions},
        {"text_scores", e.text_scores}, {"params", e.params},       {"extras", e.extras},
        {"time_ms", e.time_ms}};
}

Explanation explanation_from_json(const nlohmann::json& j) {
    try {
        Explanation e;
        e.method = j.at("method").get<std::string>();
        e.target = j.at("target").get<std::int64_t>();
        e.target_position = j.value("target_position", std::int64_t{0});
        e.grid_h = j.at("grid").at(0).get<int>();
        e.grid_w = j.at("grid").at(1).get<int>();
        e.image_map = j.at("image_map").get<std::vector<float>>();
        e.text_positions = j.value("text_positions", std::vector<std::int64_t>{});
        e.text_scores = j.value("text_scores", std::vector<float>{});
        e.params = j.value("params", nlohmann::json::object());
        e.extras = j.value("extras", nlohmann::json::object());
        e.time_ms = j.value("time_ms", 0.0);
        if (!e.image_map.empty() && e.image_map.size() != static_cast<std::size_t>(e.grid_h * e.grid_w))
            fail("image_map has ", e.image_map.size(), " values for a ", e.grid_h, "x", e.grid_w, " grid");
        if (e.text_positions.size() != e.text_scores.size())
            fail("text_positions and text_scores differ in length");
        return e;
    } catch (const nlohmann::json::exception& ex) {
        fail("explanation JSON is malformed: ", ex.what());
    }
}

}  // namespace sightline
