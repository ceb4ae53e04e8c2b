#pragma once
// Relevancy (Chefer et al., ICCV 2021, decoder-only form; METHODS.md section 2): one uncached
// forward + backward per target, Abar = mean_h max(0, dS/dA * A), R = I; R += Abar R per layer; the
// explanation is row t-1 of R. Options: layer range; vision-tower relevancy (read at the class token,
// or propagated from the LM's image-token relevance through the tower's own R).
#include <ATen/core/Tensor.h>

#include "core/explain/explainer.h"

namespace sightline {

class RelevancyExplainer : public Explainer {
  public:
    std::string name() const override { return "relevancy"; }
    std::string title() const override { return "Relevancy"; }
    std::string description() const override;
    std::vector<ParamSpec> params(const ModelConfig& config) const override;
    Explanation explain(TraceContext& ctx, std::int64_t target, const nlohmann::json& params) const override;
};

// The rule itself on given patterns and gradients ([heads, n, n] per layer), exposed for tests.
at::Tensor relevancy_matrix(const std::vector<at::Tensor>& patterns, const std::vector<at::Tensor>& grads);

}  // namespace sightline
