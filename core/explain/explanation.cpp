#include "core/explain/explanation.h"

#include "core/util/error.h"

namespace sightline {
namespace {

using nlohmann::json;

json to_json(const LayerShares& s) {
    return {{"image", s.image}, {"prompt", s.prompt}, {"system", s.system}, {"answer", s.answer}};
}

LayerShares layer_shares_from_json(const json& j) {
    LayerShares s;
    s.image = j.at("image").get<std::vector<double>>();
    s.prompt = j.value("prompt", std::vector<double>{});
    s.system = j.value("system", std::vector<double>{});
    s.answer = j.value("answer", std::vector<double>{});
    for (const auto* v : {&s.prompt, &s.system, &s.answer})
        if (!v->empty() && v->size() != s.image.size()) fail("layer_shares: series of different lengths");
    return s;
}

json to_json(const CausalGraphView& g) {
    json nodes = json::array(), edges = json::array();
    for (const auto& n : g.nodes)
        nodes.push_back({{"id", n.id},
                         {"label", n.label},
                         {"kind", n.kind},
                         {"position", n.position},
                         {"highlighted", n.highlighted}});
    for (const auto& e : g.edges)
        edges.push_back({{"from", e.from}, {"to", e.to}, {"mark_from", e.mark_from}, {"mark_to", e.mark_to}});
    return {{"nodes", nodes}, {"edges", edges}};
}

CausalGraphView graph_from_json(const json& j) {
    CausalGraphView g;
    for (const auto& n : j.at("nodes"))
        g.nodes.push_back({n.at("id").get<int>(), n.value("label", std::string()),
                           n.value("kind", std::string("text")), n.value("position", std::int64_t{-1}),
                           n.value("highlighted", false)});
    const auto valid = [&](int id) {
        for (const auto& n : g.nodes)
            if (n.id == id) return true;
        return false;
    };
    for (const auto& e : j.at("edges")) {
        CausalGraphView::Edge edge{e.at("from").get<int>(), e.at("to").get<int>(),
                                   e.at("mark_from").get<std::string>(), e.at("mark_to").get<std::string>()};
        if (!valid(edge.from) || !valid(edge.to))
            fail("graph: edge ", edge.from, " - ", edge.to, " names a node that is not in the graph");
        g.edges.push_back(std::move(edge));
    }
    return g;
}

json to_json(const MaskingCheck& m) {
    return {{"validated", m.validated},
            {"positions", m.positions},
            {"prob_clean", m.prob_clean},
            {"prob_masked", m.prob_masked},
            {"probability_drop", m.probability_drop()},
            {"masked_prediction", m.masked_prediction},
            {"message", m.message}};
}

// `positions_key`: "positions" (views) or "explanation" (the flat layout before typed views).
MaskingCheck masking_from_json(const json& j, const char* positions_key) {
    MaskingCheck m;
    m.validated = j.at("validated").get<bool>();
    m.positions = j.value(positions_key, std::vector<std::int64_t>{});
    m.prob_clean = j.value("prob_clean", 0.0);
    m.prob_masked = j.value("prob_masked", 0.0);
    m.masked_prediction = j.value("masked_prediction", std::string());
    m.message = j.value("message", std::string());
    return m;
}

json to_json(const Interference& t) {
    json context = json::array();
    for (const auto& c : t.context)
        context.push_back(
            {{"position", c.position}, {"weight_position", c.weight_position}, {"weight", c.weight}});
    return {{"class", t.class_id}, {"alpha", t.alpha}, {"context", context}};
}

Interference interference_from_json(const json& j) {
    Interference t;
    t.class_id = j.value("class", std::int64_t{0});
    t.alpha = j.at("alpha").get<double>();
    for (const auto& c : j.value("context", json::array()))
        t.context.push_back({c.at("position").get<std::int64_t>(),
                             c.value("weight_position", std::int64_t{0}), c.at("weight").get<double>()});
    return t;
}

json to_json(const LayerCurves& c) {
    return {{"title", c.title},
            {"y_label", c.y_label},
            {"layers", c.layers},
            {"names", c.names},
            {"values", c.values}};
}

LayerCurves layer_curves_from_json(const json& j) {
    LayerCurves c;
    c.title = j.value("title", std::string());
    c.y_label = j.value("y_label", std::string());
    c.layers = j.at("layers").get<std::vector<int>>();
    c.names = j.at("names").get<std::vector<std::string>>();
    c.values = j.at("values").get<std::vector<std::vector<double>>>();
    if (c.names.size() != c.values.size())
        fail("layer_curves: ", c.names.size(), " names for ", c.values.size(), " curves");
    for (const auto& v : c.values)
        if (v.size() != c.layers.size())
            fail("layer_curves: a curve of ", v.size(), " points over ", c.layers.size(), " layers");
    return c;
}

json to_json(const LayerPositionGrid& g) {
    return {{"name", g.name},
            {"title", g.title},
            {"layers", g.layers},
            {"columns", g.columns},
            {"values", g.values}};
}

LayerPositionGrid layer_positions_from_json(const json& j) {
    LayerPositionGrid g;
    g.name = j.value("name", std::string());
    g.title = j.value("title", std::string());
    g.layers = j.at("layers").get<std::vector<int>>();
    g.columns = j.at("columns").get<std::vector<std::string>>();
    g.values = j.at("values").get<std::vector<std::vector<double>>>();
    if (g.values.size() != g.layers.size())
        fail("layer_positions: ", g.values.size(), " rows for ", g.layers.size(), " layers");
    for (const auto& row : g.values)
        if (row.size() != g.columns.size())
            fail("layer_positions: a row of ", row.size(), " values for ", g.columns.size(), " columns");
    return g;
}

json to_json(const CellWords& w) {
    return {{"k", w.k}, {"words", w.words}, {"scores", w.scores}};
}

CellWords cell_words_from_json(const json& j) {
    CellWords w;
    w.k = j.at("k").get<int>();
    w.words = j.at("words").get<std::vector<std::vector<std::string>>>();
    w.scores = j.at("scores").get<std::vector<std::vector<double>>>();
    if (w.words.size() != w.scores.size())
        fail("cell_words: ", w.words.size(), " cells of words for ", w.scores.size(), " of scores");
    for (std::size_t i = 0; i < w.words.size(); ++i)
        if (w.words[i].size() != w.scores[i].size())
            fail("cell_words: cell ", i, " has ", w.words[i].size(), " words and ", w.scores[i].size(),
                 " scores");
    return w;
}

json views_to_json(const Explanation& e) {
    json v = json::object();
    if (e.layer_shares) v["layer_shares"] = to_json(*e.layer_shares);
    if (e.head_layer) v["head_layer_image"] = e.head_layer->values;
    if (e.graph) v["graph"] = to_json(*e.graph);
    if (e.masking) v["masking"] = to_json(*e.masking);
    if (e.budget)
        v["budget"] = {{"budget_ms", e.budget->budget_ms},
                       {"forward_ms", e.budget->forward_ms},
                       {"scaled", e.budget->scaled}};
    if (e.interference) v["interference"] = to_json(*e.interference);
    if (e.ground_truth) v["ground_truth"] = to_json(*e.ground_truth);
    if (e.layer_curves) v["layer_curves"] = to_json(*e.layer_curves);
    if (!e.layer_positions.empty()) {
        v["layer_positions"] = json::array();
        for (const auto& g : e.layer_positions) v["layer_positions"].push_back(to_json(g));
    }
    if (e.cell_words) v["cell_words"] = to_json(*e.cell_words);
    return v;
}

// Views from "views", or from "extras" in files written before the views were typed (flat keys).
void views_from_json(const json& v, Explanation& e) {
    if (v.contains("layer_shares")) e.layer_shares = layer_shares_from_json(v.at("layer_shares"));
    if (v.contains("head_layer_image"))
        e.head_layer = HeadLayerGrid{v.at("head_layer_image").get<std::vector<std::vector<double>>>()};
    if (v.contains("graph")) e.graph = graph_from_json(v.at("graph"));
    if (v.contains("masking"))
        e.masking = masking_from_json(v.at("masking"), "positions");
    else if (v.contains("validated"))
        e.masking = masking_from_json(v, "explanation");
    if (v.contains("budget")) {
        const auto& b = v.at("budget");
        e.budget = SearchBudget{b.at("budget_ms").get<double>(), b.value("forward_ms", 0.0),
                                b.value("scaled", false)};
    } else if (v.contains("budget_ms")) {
        e.budget = SearchBudget{v.at("budget_ms").get<double>(), v.value("forward_ms", 0.0),
                                v.value("budget_scaled", false)};
    }
    if (v.contains("interference"))
        e.interference = interference_from_json(v.at("interference"));
    else if (v.contains("alpha"))
        e.interference = interference_from_json(v);
    if (v.contains("ground_truth")) e.ground_truth = ground_truth_from_json(v.at("ground_truth"));
    if (v.contains("layer_curves")) e.layer_curves = layer_curves_from_json(v.at("layer_curves"));
    if (v.contains("layer_positions"))
        for (const auto& g : v.at("layer_positions"))
            e.layer_positions.push_back(layer_positions_from_json(g));
    if (v.contains("cell_words")) e.cell_words = cell_words_from_json(v.at("cell_words"));
}

}  // namespace

json to_json(const GroundTruthReadout& g) {
    if (!g.applicable) return {{"applicable", false}, {"reason", g.reason}};
    return {{"applicable", true},           {"word", g.word},       {"object", g.object},
            {"object_name", g.object_name}, {"outcome", g.outcome}, {"pointing_hit", g.pointing_hit},
            {"obj_iou", g.obj_iou}};
}

GroundTruthReadout ground_truth_from_json(const json& j) {
    try {
        GroundTruthReadout g;
        g.applicable = j.at("applicable").get<bool>();
        g.reason = j.value("reason", std::string());
        g.word = j.value("word", std::string());
        g.object = j.value("object", -1);
        g.object_name = j.value("object_name", std::string());
        g.outcome = j.value("outcome", std::string());
        g.pointing_hit = j.value("pointing_hit", false);
        g.obj_iou = j.value("obj_iou", 0.0);
        return g;
    } catch (const json::exception& ex) {
        fail("ground-truth readout JSON is malformed: ", ex.what());
    }
}

json explanation_to_json(const Explanation& e) {
    return {
        {"method", e.method},           {"target", e.target},       {"target_position", e.target_position},
        {"grid", {e.grid_h, e.grid_w}}, {"image_map", e.image_map}, {"text_positions", e.text_positions},
        {"text_scores", e.text_scores}, {"params", e.params},       {"views", views_to_json(e)},
        {"diagnostics", e.diagnostics}, {"time_ms", e.time_ms},     {"image_tokens", e.image_tokens}};
}

Explanation explanation_from_json(const json& j) {
    const char* field = "explanation";
    try {
        if (!j.is_object()) fail("not an object");
        Explanation e;
        field = "method";
        e.method = j.at("method").get<std::string>();
        field = "target";
        e.target = j.at("target").get<std::int64_t>();
        field = "target_position";
        e.target_position = j.value("target_position", std::int64_t{0});
        field = "grid";
        if (!j.at("grid").is_array() || j.at("grid").size() != 2) fail("not a [height, width] pair");
        e.grid_h = j.at("grid").at(0).get<int>();
        e.grid_w = j.at("grid").at(1).get<int>();
        if (e.grid_h < 0 || e.grid_w < 0) fail(e.grid_h, "x", e.grid_w, " has a negative side");
        field = "image_map";
        e.image_map = j.at("image_map").get<std::vector<float>>();
        if (!e.image_map.empty() &&
            static_cast<std::int64_t>(e.image_map.size()) !=
                static_cast<std::int64_t>(e.grid_h) * static_cast<std::int64_t>(e.grid_w))
            fail(e.image_map.size(), " values for a ", e.grid_h, "x", e.grid_w, " grid");
        field = "image_tokens";
        e.image_tokens = j.value("image_tokens", std::vector<float>{});
        field = "text_positions";
        e.text_positions = j.value("text_positions", std::vector<std::int64_t>{});
        field = "text_scores";
        e.text_scores = j.value("text_scores", std::vector<float>{});
        if (e.text_positions.size() != e.text_scores.size())
            fail("text_positions and text_scores differ in length");
        field = "params";
        e.params = j.value("params", json::object());
        if (j.contains("views")) {
            field = "views";
            views_from_json(j.at("views"), e);
            field = "diagnostics";
            e.diagnostics = j.value("diagnostics", json::object());
        } else if (j.contains("extras")) {  // written before the views were typed
            field = "extras";
            views_from_json(j.at("extras"), e);
            e.diagnostics = j.at("extras");
        }
        field = "time_ms";
        e.time_ms = j.value("time_ms", 0.0);
        return e;
    } catch (const json::exception& ex) {
        // The library's message names the type or key, never a whole value; keep it short anyway.
        const std::string what = ex.what();
        fail("explanation JSON is malformed at '", field,
             "': ", what.size() > 160 ? what.substr(0, 160) + "..." : what);
    } catch (const Error& ex) {
        fail("explanation JSON is malformed at '", field, "': ", ex.what());
    }
}

}  // namespace sightline
