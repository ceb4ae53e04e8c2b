#pragma once
// Raw attention (METHODS.md section 1): answer -> image maps from chosen layers/heads with mean or max
// aggregation, text-token attention, image -> answer scores for selected patches, and the two summary
// series (per-layer attention shares, heads x layers answer->image attention).
#include "core/explain/explainer.h"

namespace sightline {

class AttentionExplainer : public Explainer {
  public:
    std::string name() const override { return "attention"; }
    std::string title() const override { return "Attention"; }
    std::string description() const override;
    std::vector<ParamSpec> params(const ModelConfig& config) const override;
    Explanation explain(TraceContext& ctx, std::int64_t target, const nlohmann::json& params) const override;
};

// Image -> answer: each answer token scored by its mean prediction-step attention to `patches`
// ((row, col) grid cells) over the chosen layers/heads (aggregated as `aggregation`: "mean" or "max").
std::vector<float> image_to_answer_scores(TraceContext& ctx, const std::vector<std::pair<int, int>>& patches,
                                          const std::vector<int>& layers, const std::vector<int>& heads,
                                          const std::string& aggregation);

}  // namespace sightline
