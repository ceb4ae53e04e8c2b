#pragma once
// Token Activation Map (Li et al., ICCV 2025; METHODS.md section 3): class activations from the model's
// own logits at every position, estimated causal inference removing context interference, joint
// min-max normalisation of image map and text scores, then the rank Gaussian filter.
#include "core/explain/explainer.h"

namespace sightline {

class TamExplainer : public Explainer {
  public:
    std::string name() const override { return "tam"; }
    std::string title() const override { return "TAM"; }
    std::string description() const override;
    std::vector<ParamSpec> params(const ModelConfig& config) const override;
    Explanation explain(TraceContext& ctx, std::int64_t target, const nlohmann::json& params) const override;
};

}  // namespace sightline
