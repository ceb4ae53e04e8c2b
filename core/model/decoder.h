#pragma once
// Llama / Qwen2 / Gemma decoder: token embedding, pre-norm blocks (RMSNorm, RoPE attention with grouped-query
// heads, gated MLP: SwiGLU, or GeGLU for Gemma), final RMSNorm and the LM head (tied to the embedding when
// configured or absent). Gemma: norms scale by (1 + w) and the input embeddings are multiplied by sqrt(d)
// right after the lm.hook_embed hook point (so interventions there act on unscaled embeddings).
#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "core/model/attention.h"
#include "core/model/config.h"
#include "core/model/layers.h"

namespace sightline {

class KVCache;

class Decoder {
  public:
    Decoder(const TextConfig& config, c10::ScalarType dtype);

    // Checkpoint names relative to the decoder root ("layers.0.self_attn.q_proj.weight"), and the head.
    void visit(const std::string& model_prefix, const std::string& head_name, const ParamVisitor& v);
    // Ties the head to the embedding (call after loading).
    void tie_head() { lm_head_.weight = embed_tokens_; }
    bool head_tied() const { return lm_head_.weight.defined() && lm_head_.weight.is_same(embed_tokens_); }

    // [b, T] -> [b, T, d] (Gemma 3: already scaled by sqrt(d), as its scaled word embedding is).
    at::Tensor embed(const at::Tensor& ids) const;
    // Runs every block on `embeds` and the final norm; returns the normalised hidden states [b, T, d].
    // Positions marked in `mutual` (bool [positions], absolute; may be undefined) attend to each other both
    // ways: a prefix-LM prompt, Gemma 3's image tokens. `positions` (long [3, T], M-RoPE models only) gives
    // every position's (temporal, height, width) rotary coordinates instead of its index.
    at::Tensor forward(const at::Tensor& embeds, std::int64_t position_offset, KVCache* cache,
                       HookRunner& hooks, const at::Tensor& mutual = {},
                       const at::Tensor& positions = {}) const;
    at::Tensor head(const at::Tensor& hidden) const { return lm_head_(hidden); }
    // The final norm alone (for logit-lens style readouts of intermediate residuals).
    at::Tensor final_norm(const at::Tensor& resid) const { return norm_(resid); }

    const TextConfig& config() const { return config_; }
    const at::Tensor& embedding_matrix() const { return embed_tokens_; }
    const at::Tensor& head_weight() const { return lm_head_.weight; }

  private:
    // sqrt(hidden_size) rounded to `dtype` (Gemma's embedding normalizer).
    at::Tensor embed_scale(c10::ScalarType dtype) const;

    struct Block {
        RMSNorm input_norm, post_norm;  // post_norm: before the MLP (Llama), after attention (Gemma 3)
        AttentionWeights attn;
        Linear gate, up, down;
        BlockHookNames names;
        AttentionSpec spec;
        RMSNorm pre_ff_norm, post_ff_norm;  // Gemma 3 only
    };
    TextConfig config_;
    c10::ScalarType dtype_;
    at::Tensor embed_tokens_;
    std::vector<Block> blocks_;
    RMSNorm norm_;
    Linear lm_head_;
    std::string embed_hook_ = "lm.hook_embed";
    std::string final_hook_ = "lm.ln_final.hook_normalized";
};

}  // namespace sightline
