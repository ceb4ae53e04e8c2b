#pragma once
// Explicit multi-head attention (no fused kernel, so the probabilities exist as a tensor and can be
// cached, edited, knocked out and differentiated). Shared by the vision tower (bidirectional, no RoPE)
// and the decoder (causal, RoPE, grouped-query, KV cache).
#include <ATen/core/Tensor.h>

#include <string>

#include "core/model/hooks.h"
#include "core/model/layers.h"

namespace sightline {

class KVCache;

// Hook names of one transformer block, built once per layer ("lm.blocks.3" ->
// "lm.blocks.3.attn.hook_pattern"...).
struct BlockHookNames {
    explicit BlockHookNames(const std::string& block_prefix);
    std::string resid_pre, resid_mid, resid_post, attn_out, mlp_out, mlp_post;
    std::string q, k, v, z, attn_scores, pattern;
};

struct AttentionSpec {
    std::int64_t heads = 1, kv_heads = 1, head_dim = 1;
    bool causal = false;
    const char* tower = "lm";
    int layer = 0;
    double scale = 0;                 // score scale; 0: 1/sqrt(head_dim)
    std::int64_t sliding_window = 0;  // causal layers: keys at distance >= this are hidden (0: none)
};

struct AttentionWeights {
    Linear q, k, v, o;
    RMSNorm q_norm, k_norm;  // per-head norms before RoPE (Gemma 3); unused while their weight is undefined
    void visit(const std::string& prefix, const ParamVisitor& visitor, const char* out_name);
};

// x: [batch, T, d]. `rotary` may be null (no RoPE). `cache` may be null (no KV cache); with a cache, keys
// from earlier calls are prepended and `position_offset` is the absolute position of x[:, 0]. With a causal
// spec, a query and a key that are both marked in `mutual` (bool [positions], absolute; may be undefined)
// see each other both ways: a prefix-LM prompt, or Gemma 3's image tokens. The sliding window applies after.
// `hidden_pairs` (bool [T, keys] or undefined) hides further pairs whatever the spec (Qwen2-VL's per-image
// and per-window vision attention).
at::Tensor attention_forward(const at::Tensor& x, const AttentionWeights& w, const AttentionSpec& spec,
                             const RotaryTables* rotary, KVCache* cache, std::int64_t position_offset,
                             const BlockHookNames& names, HookRunner& hooks, const at::Tensor& mutual = {},
                             const at::Tensor& hidden_pairs = {});

}  // namespace sightline
