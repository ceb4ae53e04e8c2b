#include "core/explain/explanation_arrays.h"

#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

std::int64_t size_of(std::size_t n) {
    return static_cast<std::int64_t>(n);
}

// A rectangular table as float64 [rows, cols]; throws when the rows differ in length.
NpyArray table(const std::vector<std::vector<double>>& rows, const char* what) {
    std::vector<double> flat;
    const std::size_t cols = rows.empty() ? 0 : rows.front().size();
    for (const auto& r : rows) {
        if (r.size() != cols) fail(what, ": rows of different lengths cannot be one array");
        flat.insert(flat.end(), r.begin(), r.end());
    }
    return NpyArray::f64(std::move(flat), {size_of(rows.size()), size_of(cols)});
}

std::vector<std::int64_t> widen(const std::vector<int>& v) {
    return {v.begin(), v.end()};
}

}  // namespace

std::vector<std::pair<std::string, NpyArray>> explanation_arrays(const Explanation& e) {
    std::vector<std::pair<std::string, NpyArray>> out;
    if (e.has_image_map()) {
        if (e.image_map.size() != static_cast<std::size_t>(e.grid_h) * static_cast<std::size_t>(e.grid_w))
            fail("the ", e.method, " map has ", e.image_map.size(), " values for a ", e.grid_h, "x", e.grid_w,
                 " grid");
        out.emplace_back("map", NpyArray::f32(e.image_map, {e.grid_h, e.grid_w}));
    }
    if (!e.image_tokens.empty())
        out.emplace_back("image_tokens", NpyArray::f32(e.image_tokens, {size_of(e.image_tokens.size())}));
    if (!e.text_scores.empty()) {
        out.emplace_back("text_scores", NpyArray::f32(e.text_scores, {size_of(e.text_scores.size())}));
        out.emplace_back("text_positions",
                         NpyArray::i64(e.text_positions, {size_of(e.text_positions.size())}));
    }
    if (e.layer_shares) {
        const auto& s = *e.layer_shares;
        out.emplace_back("layer_shares", table({s.image, s.prompt, s.system, s.answer}, "layer_shares"));
    }
    if (e.head_layer) out.emplace_back("head_layer", table(e.head_layer->values, "head_layer"));
    if (e.layer_curves) {
        out.emplace_back("layer_curves", table(e.layer_curves->values, "layer_curves"));
        out.emplace_back("layer_curves_layers", NpyArray::i64(widen(e.layer_curves->layers),
                                                              {size_of(e.layer_curves->layers.size())}));
    }
    for (std::size_t k = 0; k < e.layer_positions.size(); ++k) {
        const auto& g = e.layer_positions[k];
        const std::string stem = "effects_" + (g.name.empty() ? std::to_string(k) : g.name);
        out.emplace_back(stem, table(g.values, "layer_positions"));
        out.emplace_back(stem + "_layers", NpyArray::i64(widen(g.layers), {size_of(g.layers.size())}));
    }
    return out;
}

std::vector<std::string> write_explanation_arrays(const std::string& dir, const std::string& stem,
                                                  const Explanation& e) {
    std::vector<std::string> paths;
    for (const auto& [name, array] : explanation_arrays(e)) {
        const std::string path = path_join(dir, cat(stem, "_", name, ".npy"));
        write_npy(path, array);
        paths.push_back(path);
    }
    return paths;
}

}  // namespace sightline
