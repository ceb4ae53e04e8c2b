#include "plugins/attention_rollout/attention_rollout.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/explain/map_utils.h"
#include "core/explain/trace_context.h"
#include "core/util/error.h"

namespace sightline {

at::Tensor attention_rollout(const std::vector<at::Tensor>& patterns, const std::string& fusion, double w) {
    if (patterns.empty()) fail("rollout: no attention patterns");
    const auto n = patterns[0].size(-1);
    const at::Tensor eye = at::eye(n, at::kDouble);
    at::Tensor r = eye;
    for (const auto& p : patterns) {
        const at::Tensor a = p.to(at::kDouble);
        at::Tensor fused = fusion == "max"   ? std::get<0>(a.max(0))
                           : fusion == "min" ? std::get<0>(a.min(0))
                                             : a.mean(0);
        fused = w * fused + (1.0 - w) * eye;
        fused = fused / fused.sum(-1, true);
        r = at::matmul(fused, r);
    }
    return r;
}

std::string AttentionRolloutExplainer::description() const {
    return "Attention rollout (Abnar & Zuidema 2020), loaded from a plugin: head-fused attention with the "
           "residual "
           "path mixed in, multiplied through every layer; the prediction step's row, read at the image "
           "patches.";
}

std::vector<ParamSpec> AttentionRolloutExplainer::params(const ModelConfig&) const {
    return {
        {"head_fusion",
         "Head fusion",
         "How heads combine within a layer",
         ParamKind::Choice,
         "mean",
         0,
         0,
         {"mean", "max", "min"}},
        {"attention_weight",
         "Attention weight",
         "w in A' = w A + (1 - w) I (residual mixing)",
         ParamKind::Double,
         0.5,
         0.0,
         1.0,
         {}},
    };
}

Explanation AttentionRolloutExplainer::explain(TraceContext& ctx, std::int64_t target,
                                               const nlohmann::json& p) const {
    const std::int64_t pos = ctx.target_position(target);
    const std::int64_t q = pos - 1;
    RunOptions o;
    o.cache = {"lm.blocks.*.attn.hook_pattern"};
    ActivationCache cache;
    {
        at::NoGradGuard ng;
        ctx.run_prefix(pos, &o, &cache);
    }
    std::vector<at::Tensor> patterns;
    for (int l = 0; l < ctx.layers(); ++l)
        patterns.push_back(cache.get("lm.blocks." + std::to_string(l) + ".attn.hook_pattern")[0]);
    const at::Tensor r = attention_rollout(patterns, p.at("head_fusion").get<std::string>(),
                                           p.at("attention_weight").get<double>());
    const at::Tensor row = r[q].to(at::kFloat);
    Explanation e;
    e.target = target;
    e.target_position = pos;
    const Trace& t = ctx.trace();
    if (t.has_image()) {
        e.grid_h = t.grid_h;
        e.grid_w = t.grid_w;
        e.image_map = ctx.to_grid(gather(row, ctx.image_positions()));
        minmax_normalize(e.image_map);
    }
    e.text_positions = ctx.text_positions_before(q);
    e.text_scores = gather(row, e.text_positions);
    e.extras = {{"layers", ctx.layers()}};
    return e;
}

}  // namespace sightline
