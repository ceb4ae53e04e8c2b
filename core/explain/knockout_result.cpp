#include "core/explain/knockout_result.h"

#include "core/util/error.h"

namespace sightline {

bool is_knockout_op(const std::string& op) {
    return op == "block" || op == "mean" || op == "blur";
}

nlohmann::json to_json(const KnockoutResult& r) {
    nlohmann::json j = {{"op", r.spec.op},
                        {"positions", r.spec.positions},
                        {"layers", r.spec.layers},
                        {"window", r.spec.window},
                        {"target", r.target},
                        {"token", r.token},
                        {"answer_before", r.answer_before},
                        {"answer_after", r.answer_after},
                        {"answer_changed", r.answer_changed()},
                        {"ids_after", r.ids_after},
                        {"p_before", r.p_before},
                        {"p_after", r.p_after},
                        {"p_change", r.p_after - r.p_before},
                        {"predicted_after", r.predicted_after}};
    if (r.per_layer)
        j["per_layer"] = {{"title", r.per_layer->title},
                          {"window_start", r.per_layer->layers},
                          {"p", r.per_layer->values[0]}};
    return j;
}

KnockoutResult knockout_from_json(const nlohmann::json& j) {
    KnockoutResult r;
    r.spec.op = j.at("op").get<std::string>();
    r.spec.positions = j.at("positions").get<std::vector<std::int64_t>>();
    r.spec.layers = j.value("layers", std::vector<int>{});
    r.spec.window = j.value("window", 1);
    r.target = j.at("target").get<std::int64_t>();
    r.token = j.value("token", std::string());
    r.answer_before = j.value("answer_before", std::string());
    r.answer_after = j.value("answer_after", std::string());
    r.ids_after = j.value("ids_after", std::vector<std::int64_t>{});
    r.p_before = j.at("p_before").get<double>();
    r.p_after = j.at("p_after").get<double>();
    r.predicted_after = j.value("predicted_after", std::string());
    if (j.contains("per_layer")) {
        const auto& c = j.at("per_layer");
        LayerCurves lc;
        lc.title = c.value("title", std::string());
        lc.y_label = "probability";
        lc.layers = c.at("window_start").get<std::vector<int>>();
        lc.names = {"blocked from this layer", "nothing blocked"};
        lc.values = {c.at("p").get<std::vector<double>>(), std::vector<double>(lc.layers.size(), r.p_before)};
        if (lc.values[0].size() != lc.layers.size())
            fail("knockout per_layer: ", lc.values[0].size(), " values for ", lc.layers.size(), " layers");
        r.per_layer = std::move(lc);
    }
    return r;
}

}  // namespace sightline
