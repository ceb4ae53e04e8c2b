#pragma once
// CLEANN causal explanation (Rohekar et al., NeurIPS 2023; METHODS.md section 4): nodes = the target's
// prediction step + the image tokens it attends to most + text tokens above a threshold; correlations
// from one last-layer head's attention; (ordered) ICD learns a PAG; candidate sets from the possible-
// d-separation tree are tried in increasing size by a tester that really re-runs the model with those
// tokens masked. The first set whose masking changes the predicted token is the minimal explanation.
#include "core/explain/explainer.h"

namespace sightline {

class CleannExplainer : public Explainer {
  public:
    std::string name() const override { return "cleann"; }
    std::string title() const override { return "Causal (CLEANN)"; }
    std::string description() const override;
    std::vector<ParamSpec> params(const ModelConfig& config) const override;
    Explanation explain(TraceContext& ctx, std::int64_t target, const nlohmann::json& params) const override;
};

// Masks `positions` in the LM input (image tokens: mean image-token embedding or zero; text tokens: the
// pad/unk embedding) and re-runs the prediction step of `target`. Returns (predicted id, probability
// of the original token). Exposed for tests and for the ablation view.
std::pair<std::int64_t, double> run_with_masked_tokens(TraceContext& ctx, std::int64_t target,
                                                       const std::vector<std::int64_t>& positions,
                                                       const std::string& image_mask = "mean");

}  // namespace sightline
