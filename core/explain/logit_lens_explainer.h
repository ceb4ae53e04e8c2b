#pragma once
// Logit lens on the prompt (METHODS.md section 6): every prompt position's residual stream after a chosen
// LM layer, decoded through the final norm and the LM head, read as the probability (or logit) of the
// clicked token's word. Image positions give the map, prompt text positions the text scores; a per-layer
// curve shows where the word first appears and, per map cell, the five words the patch's state reads as.
// One pass per trace (the states of every layer are kept with the trace), so moving the layer is cheap.
#include "core/explain/explainer.h"

namespace sightline {

class LogitLensExplainer : public Explainer {
  public:
    std::string name() const override { return "logit_lens"; }
    std::string title() const override { return "Logit lens"; }
    std::string description() const override;
    bool on_demand() const override { return true; }
    std::vector<ParamSpec> params(const ModelConfig& config) const override;
    Explanation explain(TraceContext& ctx, std::int64_t target, const nlohmann::json& params) const override;
};

}  // namespace sightline
