#include "core/model/decoder.h"

#include <ATen/ATen.h>

#include <cmath>

#include "core/model/kv_cache.h"
#include "core/model/mrope.h"
#include "core/util/error.h"

namespace sightline {

Decoder::Decoder(const TextConfig& c, c10::ScalarType dtype)
    : config_(c),
      dtype_(dtype),
      norm_(c.hidden_size, c.rms_norm_eps, c.norm_unit_offset),
      lm_head_(c.hidden_size, c.vocab_size, false) {
    const bool qkv_bias = c.kind == DecoderKind::Qwen2 || c.attention_bias;
    const bool o_bias = (c.kind == DecoderKind::Llama || c.kind == DecoderKind::Mistral) && c.attention_bias;
    const auto d = c.hidden_size, hd = c.head_dim;
    for (std::int64_t l = 0; l < c.num_hidden_layers; ++l) {
        Block b{
            RMSNorm(d, c.rms_norm_eps, c.norm_unit_offset),
            RMSNorm(d, c.rms_norm_eps, c.norm_unit_offset),
            AttentionWeights{Linear(d, c.num_attention_heads * hd, qkv_bias),
                             Linear(d, c.num_key_value_heads * hd, qkv_bias),
                             Linear(d, c.num_key_value_heads * hd, qkv_bias),
                             Linear(c.num_attention_heads * hd, d, o_bias), RMSNorm{}, RMSNorm{}},
            Linear(d, c.intermediate_size, c.mlp_bias),
            Linear(d, c.intermediate_size, c.mlp_bias),
            Linear(c.intermediate_size, d, c.mlp_bias),
            BlockHookNames("lm.blocks." + std::to_string(l)),
            AttentionSpec{c.num_attention_heads, c.num_key_value_heads, hd, true, "lm", static_cast<int>(l)},
            RMSNorm{},
            RMSNorm{}};  // the per-head and Gemma 3 norms are set below when the config has them
        if (c.qk_norm) {
            b.attn.q_norm = RMSNorm(hd, c.rms_norm_eps, c.norm_unit_offset);
            b.attn.k_norm = RMSNorm(hd, c.rms_norm_eps, c.norm_unit_offset);
        }
        if (c.sandwich_norms) {
            b.pre_ff_norm = RMSNorm(d, c.rms_norm_eps, c.norm_unit_offset);
            b.post_ff_norm = RMSNorm(d, c.rms_norm_eps, c.norm_unit_offset);
        }
        if (c.query_pre_attn_scalar > 0) b.spec.scale = 1.0 / std::sqrt(c.query_pre_attn_scalar);
        if (c.is_sliding(l)) b.spec.sliding_window = c.sliding_window;
        blocks_.push_back(std::move(b));
    }
}

void Decoder::visit(const std::string& p, const std::string& head_name, const ParamVisitor& v) {
    v(p + "embed_tokens.weight", embed_tokens_, {config_.vocab_size, config_.hidden_size});
    for (std::size_t l = 0; l < blocks_.size(); ++l) {
        Block& b = blocks_[l];
        const std::string lp = p + "layers." + std::to_string(l) + ".";
        b.input_norm.visit(lp + "input_layernorm", v);
        b.post_norm.visit(lp + "post_attention_layernorm", v);
        b.attn.visit(lp + "self_attn", v, "o_proj");
        if (config_.qk_norm) {
            b.attn.q_norm.visit(lp + "self_attn.q_norm", v);
            b.attn.k_norm.visit(lp + "self_attn.k_norm", v);
        }
        if (config_.sandwich_norms) {
            b.pre_ff_norm.visit(lp + "pre_feedforward_layernorm", v);
            b.post_ff_norm.visit(lp + "post_feedforward_layernorm", v);
        }
        b.gate.visit(lp + "mlp.gate_proj", v);
        b.up.visit(lp + "mlp.up_proj", v);
        b.down.visit(lp + "mlp.down_proj", v);
    }
    norm_.visit(p + "norm", v);
    if (!head_name.empty()) v(head_name, lm_head_.weight, {config_.vocab_size, config_.hidden_size});
}

at::Tensor Decoder::embed(const at::Tensor& ids) const {
    const auto max_id = ids.numel() ? ids.max().item<std::int64_t>() : 0;
    const auto min_id = ids.numel() ? ids.min().item<std::int64_t>() : 0;
    if (min_id < 0 || max_id >= config_.vocab_size)
        fail("token id ", (min_id < 0 ? min_id : max_id), " is outside the vocabulary (0..",
             config_.vocab_size - 1, ")");
    if (config_.scale_embeddings_at_lookup)  // Gemma 3: sqrt(d) rounded to the weights' dtype
        return at::embedding(embed_tokens_, ids) * embed_scale(embed_tokens_.scalar_type());
    return at::embedding(embed_tokens_, ids);
}

at::Tensor Decoder::embed_scale(c10::ScalarType dtype) const {
    return at::scalar_tensor(std::sqrt(static_cast<double>(config_.hidden_size)), at::kFloat).to(dtype);
}

at::Tensor Decoder::forward(const at::Tensor& embeds, std::int64_t offset, KVCache* cache, HookRunner& hooks,
                            const at::Tensor& mutual, const at::Tensor& positions) const {
    const auto t = embeds.size(1);
    if (offset + t > config_.max_position_embeddings)
        fail("sequence of ", offset + t, " positions exceeds the model's context of ",
             config_.max_position_embeddings);
    const std::int64_t first = offset + config_.position_base;
    const RotaryTables rotary =
        positions.defined()
            ? mrope_tables(config_.head_dim, config_.rope_theta, positions, config_.mrope_section, dtype_)
            : rotary_tables(config_.head_dim, config_.rope_theta, config_.rope_linear_factor, first, t,
                            dtype_);
    // Gemma 3's sliding-window layers use their own RoPE base without scaling (Mistral's use the one base).
    const bool any_sliding = config_.kind == DecoderKind::Gemma3 && config_.sliding_window > 0 &&
                             config_.sliding_window_pattern > 0;
    const RotaryTables local =
        any_sliding ? rotary_tables(config_.head_dim, config_.rope_local_theta, 1.0, first, t, dtype_)
                    : rotary;
    at::Tensor h = hooks(embed_hook_, embeds, 1, offset);
    // Gemma: every input row (text and merged image alike) times sqrt(d), rounded to the compute dtype as
    // transformers' normalizer is.
    if (config_.scale_embeddings) h = h * embed_scale(h.scalar_type());
    const int layers = static_cast<int>(blocks_.size());
    for (int l = 0; l < layers; ++l) {
        const Block& b = blocks_[static_cast<std::size_t>(l)];
        h = hooks(b.names.resid_pre, h, 1, offset);
        const RotaryTables* rope = any_sliding && b.spec.sliding_window > 0 ? &local : &rotary;
        at::Tensor a =
            attention_forward(b.input_norm(h), b.attn, b.spec, rope, cache, offset, b.names, hooks, mutual);
        if (config_.sandwich_norms) a = b.post_norm(a);  // Gemma 3: post_attention_layernorm on the output
        a = hooks(b.names.attn_out, a, 1, offset);
        h = hooks(b.names.resid_mid, h + a, 1, offset);
        const at::Tensor x = config_.sandwich_norms ? b.pre_ff_norm(h) : b.post_norm(h);
        at::Tensor m =
            hooks(b.names.mlp_post, activation(config_.hidden_act, b.gate(x)) * b.up(x), 1, offset);
        m = b.down(m);
        if (config_.sandwich_norms) m = b.post_ff_norm(m);
        m = hooks(b.names.mlp_out, m, 1, offset);
        h = hooks(b.names.resid_post, h + m, 1, offset);
        hooks.block_done("lm", l, layers);
    }
    return hooks(final_hook_, norm_(h), 1, offset);
}

}  // namespace sightline
