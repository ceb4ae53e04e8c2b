#pragma once
// Attention rollout (Abnar & Zuidema, ACL 2020), the example explainer plugin: with residual
// connections modelled as A' = w * fuse_h(A) + (1 - w) * I (rows renormalised), attention is multiplied
// through the layers, R = A'_{L-1} ... A'_0, and the prediction step's row of R is the explanation. One
// forward pass per answer records the head-fused patterns; every click after that reads a row.
#include <ATen/core/Tensor.h>

#include "core/explain/explainer.h"

namespace sightline {

class AttentionRolloutExplainer : public Explainer {
  public:
    std::string name() const override { return "rollout"; }
    std::string title() const override { return "Attention rollout"; }
    std::string description() const override;
    std::vector<ParamSpec> params(const ModelConfig& config) const override;
    Explanation explain(TraceContext& ctx, std::int64_t target, const nlohmann::json& params) const override;
};

// The rollout product on head-fused per-layer patterns [n, n] (what the explainer keeps per trace).
at::Tensor attention_rollout_fused(const std::vector<at::Tensor>& fused_layers, double attention_weight);
// The rollout product on given per-layer patterns [heads, n, n] (exposed for tests).
at::Tensor attention_rollout(const std::vector<at::Tensor>& patterns, const std::string& head_fusion,
                             double attention_weight);

}  // namespace sightline
