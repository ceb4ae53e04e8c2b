#pragma once
// Causal tracing (Meng et al. 2022) on the image (METHODS.md section 8). The image is corrupted —
// Gaussian noise of k times the image-token input embeddings' standard deviation added to every image
// position's LM input, several samples averaged, or the image replaced by a blurred copy — and the clean
// value of one kind of state (the residual stream after a layer, an attention block's output, an MLP's
// output) is restored at chosen layers and positions. The indirect effect of a (layer, positions) pair
// is p_restored - p_corrupted of the answer token. Explainer: a layers x positions table per kind, a
// per-layer curve, and the image map of the chosen layer.
#include <cstdint>
#include <string>
#include <vector>

#include "core/explain/explainer.h"
#include "core/model/hooks.h"

namespace sightline {

struct TracingOptions {
    std::string corruption = "noise";  // "noise" or "blur"
    double noise_scale = 3.0;          // k: noise standard deviation in units of the embeddings'
    int samples = 3;                   // noise samples averaged (blur: one corrupted input)
    std::uint64_t seed = 1;            // noise generator seed (fixed: a trace is reproducible)
};

enum class StateKind { Residual, Attention, Mlp };
// "resid" / "attn" / "mlp", and the hook each restores ("lm.blocks.{l}.hook_resid_post" ...).
std::string to_string(StateKind kind);
StateKind state_kind_from_string(const std::string& s);

class TraceContext;

// Clean and corrupted runs of one answer token, and restored runs on demand. Every run is a forward over
// the positions before the token (the last one predicts it); the clean states of the kinds asked for are
// cached once.
class CausalTracer {
  public:
    CausalTracer(TraceContext& ctx, std::int64_t target, const TracingOptions& options,
                 const std::vector<StateKind>& kinds);

    double clean_probability() const { return p_clean_; }
    double corrupted_probability() const { return p_corrupted_; }
    double embedding_std() const { return sigma_; }
    std::int64_t prefix_length() const { return n_; }
    // The answer token's probability, averaged over the corruption samples, with the clean value of `kind`
    // restored at every layer of `layers` and every position of `positions` (absolute, < prefix_length()).
    // Nothing restored: the corrupted probability; every position at every layer (or the residual after
    // the last layer): the clean one.
    double restored_probability(StateKind kind, const std::vector<int>& layers,
                                const std::vector<std::int64_t>& positions) const;
    // Forward passes run so far (clean, corrupted and restored, each noise sample counted).
    std::int64_t passes() const { return passes_; }
    double pass_ms() const { return pass_ms_; }

  private:
    double run(const std::vector<Intervention>& restore) const;
    TraceContext& ctx_;
    std::int64_t target_id_ = 0, n_ = 0;
    TracingOptions options_;
    std::vector<std::int64_t> image_positions_;
    std::vector<at::Tensor> noise_;  // one [1, n_image, d] per sample (noise corruption)
    at::Tensor blurred_pixels_;      // blur corruption
    ActivationCache clean_;
    double sigma_ = 0, p_clean_ = 0, p_corrupted_ = 0;
    mutable std::int64_t passes_ = 0;
    mutable double pass_ms_ = 0;
};

class CausalTracingExplainer : public Explainer {
  public:
    std::string name() const override { return "causal_tracing"; }
    std::string title() const override { return "Causal tracing"; }
    std::string description() const override;
    bool on_demand() const override { return true; }
    std::vector<ParamSpec> params(const ModelConfig& config) const override;
    Explanation explain(TraceContext& ctx, std::int64_t target, const nlohmann::json& params) const override;
};

}  // namespace sightline
