#include "plugins/attention_rollout/attention_rollout.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include "core/explain/map_utils.h"
#include "core/explain/trace_context.h"
#include "core/util/error.h"
#include "core/util/system_info.h"

namespace sightline {

at::Tensor attention_rollout_fused(const std::vector<at::Tensor>& fused_layers, double w) {
    if (fused_layers.empty()) fail("rollout: no attention patterns");
    const auto n = fused_layers[0].size(-1);
    const at::Tensor eye = at::eye(n, at::kDouble);
    at::Tensor r = eye;
    for (const auto& f : fused_layers) {
        at::Tensor mixed = w * f.to(at::kDouble) + (1.0 - w) * eye;
        mixed = mixed / mixed.sum(-1, true);
        r = at::matmul(mixed, r);
    }
    return r;
}

at::Tensor attention_rollout(const std::vector<at::Tensor>& patterns, const std::string& fusion, double w) {
    std::vector<at::Tensor> fused;
    for (const auto& p : patterns) {
        const at::Tensor a = p.to(at::kDouble);
        fused.push_back(fusion == "max"   ? std::get<0>(a.max(0))
                        : fusion == "min" ? std::get<0>(a.min(0))
                                          : a.mean(0));
    }
    return attention_rollout_fused(fused, w);
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

namespace {

// Kept with the trace: every layer's head-fused attention over prompt + answer (one pass, recorded by a hook
// instead of caching the full per-head patterns), and the rollout matrix per (fusion, weight). Rows are
// causal, so row q of the whole sequence's rollout equals that of the prefix 0..q alone: a further click
// reads a row.
struct RolloutState : TraceState {
    std::map<std::string, std::vector<at::Tensor>> fused;  // fusion -> per layer [n, n] float
    std::map<std::pair<std::string, double>, at::Tensor> rollout;
    std::uint64_t bytes() const override {
        std::uint64_t b = 0;
        for (const auto& [k, layers] : fused)
            for (const auto& t : layers) b += static_cast<std::uint64_t>(t.numel()) * 4;
        for (const auto& [k, r] : rollout) b += static_cast<std::uint64_t>(r.numel()) * 8;
        return b;
    }
};

constexpr const char* kRolloutKey = "rollout.fused";

RolloutState& rollout_state(TraceContext& ctx) {
    if (auto* s = dynamic_cast<RolloutState*>(ctx.state(kRolloutKey))) return *s;
    const std::int64_t n = ctx.length() - 1;  // the last answer token is predicted at position N-2
    const int layers = ctx.layers();
    ensure_memory_available(static_cast<std::uint64_t>(layers) * 3 * n * n * 4 +
                                static_cast<std::uint64_t>(ctx.heads()) * n * n * 4 * 2,
                            "attention rollout's fused patterns");
    auto state = std::make_unique<RolloutState>();
    for (const char* f : {"mean", "max", "min"}) state->fused[f].resize(static_cast<std::size_t>(layers));
    RolloutState* raw = state.get();
    RunOptions o;
    o.interventions = {Intervention::apply("lm.blocks.*.attn.hook_pattern",
                                           [raw](const at::Tensor& p, const HookContext& c) {
                                               const auto l = static_cast<std::size_t>(hook_layer(c.name));
                                               const at::Tensor heads = p[0].to(at::kFloat);  // [H, n, n]
                                               raw->fused["mean"][l] = heads.mean(0);
                                               raw->fused["max"][l] = std::get<0>(heads.max(0));
                                               raw->fused["min"][l] = std::get<0>(heads.min(0));
                                               return p;
                                           })};
    {
        at::NoGradGuard ng;
        ctx.run_prefix(n, &o);
    }
    ctx.set_state(kRolloutKey, std::move(state));
    return *raw;
}

}  // namespace

Explanation AttentionRolloutExplainer::explain(TraceContext& ctx, std::int64_t target,
                                               const nlohmann::json& p) const {
    const std::int64_t pos = ctx.target_position(target);
    const std::int64_t q = pos - 1;
    const std::string fusion = p.at("head_fusion").get<std::string>();
    const double w = p.at("attention_weight").get<double>();
    RolloutState& state = rollout_state(ctx);
    ctx.check_cancel();
    at::Tensor& r = state.rollout[{fusion, w}];
    if (!r.defined()) r = attention_rollout_fused(state.fused.at(fusion), w);
    const at::Tensor row = r[q].to(at::kFloat);
    Explanation e;
    e.target = target;
    e.target_position = pos;
    const Trace& t = ctx.trace();
    if (t.has_image()) {
        e.grid_h = t.grid_h;
        e.grid_w = t.grid_w;
        ctx.set_image_map(e, gather(row, ctx.image_positions()));
        minmax_normalize(e.image_map);
    }
    e.text_positions = ctx.text_positions_before(q);
    e.text_scores = gather(row, e.text_positions);
    e.diagnostics = {{"layers", ctx.layers()}, {"state_bytes", state.bytes()}};
    return e;
}

}  // namespace sightline
