#pragma once
// Relevancy (Chefer et al., ICCV 2021, decoder-only form; METHODS.md section 2): one forward pass with a
// gradient graph over prompt + answer, kept with the trace, and one backward per target, Abar = mean_h max(0,
// dS/dA * A), R = I; R += Abar R per layer; the explanation is row t-1 of R. Options: layer range;
// vision-tower relevancy (read at the class token, or propagated from the LM's image-token relevance through
// the tower's own R).
#include <ATen/core/Tensor.h>

#include <cstdint>

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

// Bytes the kept gradient graph of a forward over n positions holds (estimate, for the memory check).
std::uint64_t relevancy_graph_bytes(const ModelConfig& config, std::int64_t n, std::uint64_t elem_bytes,
                                    bool vision);
// The graph is released after a click when less than this much memory would remain available.
constexpr std::uint64_t kRelevancyKeepMargin = 2ull << 30;

// The rule itself on given patterns and gradients ([heads, n, n] per layer), exposed for tests.
at::Tensor relevancy_matrix(const std::vector<at::Tensor>& patterns, const std::vector<at::Tensor>& grads);

}  // namespace sightline
