#include "core/explain/attention_explainer.h"

#include <ATen/ATen.h>

#include "core/explain/map_utils.h"
#include "core/explain/trace_context.h"
#include "core/util/error.h"

namespace sightline {
namespace {

// Aggregated attention row over keys [N] for query `q` across the selected layers and heads.
at::Tensor aggregated_row(TraceContext& ctx, std::int64_t q, const std::vector<int>& layers,
                          const std::vector<int>& heads, const std::string& aggregation) {
    std::vector<at::Tensor> rows;
    const at::Tensor head_idx = at::tensor(std::vector<std::int64_t>(heads.begin(), heads.end()), at::kLong);
    for (int l : layers) rows.push_back(ctx.attention_row(l, q).index_select(0, head_idx));  // [|heads|, N]
    const at::Tensor all = at::cat(rows, 0);
    return aggregation == "max" ? std::get<0>(all.max(0)) : all.mean(0);
}

}  // namespace

std::string AttentionExplainer::description() const {
    return "Post-softmax attention of the language model from the token's prediction step to the image "
           "patches "
           "and earlier text, for chosen layers and heads (0-based), aggregated by mean or max and min-max "
           "normalised.";
}

std::vector<ParamSpec> AttentionExplainer::params(const ModelConfig& c) const {
    const double last_layer = static_cast<double>(c.text.num_hidden_layers - 1);
    const double last_head = static_cast<double>(c.text.num_attention_heads - 1);
    return {
        {"layers",
         "Layers (0-based)",
         "LM layers to read: all, 3, 0,2 or 4-7",
         ParamKind::IndexList,
         "all",
         0,
         last_layer,
         {}},
        {"heads",
         "Heads (0-based)",
         "Attention heads to read: all, 3, 0,2 or 4-7",
         ParamKind::IndexList,
         "all",
         0,
         last_head,
         {}},
        {"aggregation",
         "Aggregation",
         "How the selected layers and heads combine",
         ParamKind::Choice,
         "mean",
         0,
         0,
         {"mean", "max"}},
        {"row",
         "Query row",
         "prediction: the row that predicted the token (t-1); token: the token's own row (t)",
         ParamKind::Choice,
         "prediction",
         0,
         0,
         {"prediction", "token"}},
    };
}

Explanation AttentionExplainer::explain(TraceContext& ctx, std::int64_t target,
                                        const nlohmann::json& p) const {
    const auto layers = p.at("layers").get<std::vector<int>>();
    const auto heads = p.at("heads").get<std::vector<int>>();
    const std::string agg = p.at("aggregation").get<std::string>();
    const std::int64_t pos = ctx.target_position(target);
    const std::int64_t q = p.at("row").get<std::string>() == "token" ? pos : pos - 1;
    const Trace& trace = ctx.trace();

    Explanation e;
    e.method = name();
    e.target = target;
    e.target_position = pos;
    const at::Tensor row = aggregated_row(ctx, q, layers, heads, agg);
    if (trace.has_image()) {
        e.grid_h = trace.grid_h;
        e.grid_w = trace.grid_w;
        ctx.set_image_map(e, gather(row, ctx.image_positions()));
        minmax_normalize(e.image_map);
    }
    // Text scores: raw attention to every earlier text token except the querying position itself.
    for (auto t : ctx.text_positions_before(q)) e.text_positions.push_back(t);
    e.text_scores = gather(row, e.text_positions);

    // Summary series for the query row: attention mass per role, per layer (mean over all heads), and the
    // heads x layers matrix of attention mass on the image.
    const auto L = ctx.layers(), H = ctx.heads();
    std::vector<double> to_image(static_cast<std::size_t>(L)), to_prompt(static_cast<std::size_t>(L)),
        to_system(static_cast<std::size_t>(L)), to_answer(static_cast<std::size_t>(L));
    nlohmann::json head_layer = nlohmann::json::array();
    std::vector<std::int64_t> by_role[4];
    for (std::int64_t k = 0; k <= q; ++k)
        by_role[static_cast<int>(trace.tokens[static_cast<std::size_t>(k)].role)].push_back(k);
    auto mass = [](const at::Tensor& r, const std::vector<std::int64_t>& keys) -> at::Tensor {
        if (keys.empty()) return at::zeros({r.size(0)});
        return r.index_select(1, at::tensor(keys, at::kLong)).sum(1);
    };
    for (int l = 0; l < L; ++l) {
        const at::Tensor r = ctx.attention_row(l, q);  // [H, N]
        const at::Tensor img = mass(r, by_role[static_cast<int>(TokenRole::Image)]);
        to_image[static_cast<std::size_t>(l)] = img.mean().item<double>();
        to_prompt[static_cast<std::size_t>(l)] =
            mass(r, by_role[static_cast<int>(TokenRole::Prompt)]).mean().item<double>();
        to_system[static_cast<std::size_t>(l)] =
            mass(r, by_role[static_cast<int>(TokenRole::System)]).mean().item<double>();
        to_answer[static_cast<std::size_t>(l)] =
            mass(r, by_role[static_cast<int>(TokenRole::Answer)]).mean().item<double>();
        head_layer.push_back(to_vector(img));
    }
    (void)H;
    e.layer_shares = LayerShares{to_image, to_prompt, to_system, to_answer};
    e.head_layer = HeadLayerGrid{head_layer};
    e.diagnostics = {{"query_position", q}};
    return e;
}

std::vector<float> image_to_answer_scores(TraceContext& ctx, const std::vector<std::pair<int, int>>& patches,
                                          const std::vector<int>& layers, const std::vector<int>& heads,
                                          const std::string& aggregation) {
    const Trace& t = ctx.trace();
    if (!t.has_image()) fail("this trace has no image");
    std::vector<std::int64_t> keys;
    for (const auto& [r, c] : patches) {
        if (r < 0 || r >= t.grid_h || c < 0 || c >= t.grid_w)
            fail("patch (", r, ", ", c, ") is outside the ", t.grid_h, "x", t.grid_w, " grid");
        for (const std::int64_t i : ctx.image_positions_at(r, c)) keys.push_back(i);
    }
    if (keys.empty()) fail("no image patches selected");
    const at::Tensor key_idx = at::tensor(keys, at::kLong);
    std::vector<float> scores;
    for (std::int64_t k = 0; k < t.answer_size(); ++k) {
        const at::Tensor row = aggregated_row(ctx, t.answer_begin + k - 1, layers, heads, aggregation);
        scores.push_back(row.index_select(0, key_idx).mean().item<float>());
    }
    return scores;
}

}  // namespace sightline
