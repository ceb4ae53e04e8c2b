#include "core/model/attention.h"

#include <ATen/ATen.h>

#include <cmath>
#include <limits>

#include "core/io/dtype_convert.h"
#include "core/model/kv_cache.h"

namespace sightline {

BlockHookNames::BlockHookNames(const std::string& p)
    : resid_pre(p + ".hook_resid_pre"),
      resid_mid(p + ".hook_resid_mid"),
      resid_post(p + ".hook_resid_post"),
      attn_out(p + ".hook_attn_out"),
      mlp_out(p + ".hook_mlp_out"),
      mlp_post(p + ".mlp.hook_post"),
      q(p + ".attn.hook_q"),
      k(p + ".attn.hook_k"),
      v(p + ".attn.hook_v"),
      z(p + ".attn.hook_z"),
      attn_scores(p + ".attn.hook_attn_scores"),
      pattern(p + ".attn.hook_pattern") {}

void AttentionWeights::visit(const std::string& prefix, const ParamVisitor& visitor, const char* out_name) {
    q.visit(prefix + ".q_proj", visitor);
    k.visit(prefix + ".k_proj", visitor);
    v.visit(prefix + ".v_proj", visitor);
    o.visit(prefix + "." + out_name, visitor);
}

namespace {

// [b, T, heads*hd] -> [b, T, heads, hd]
at::Tensor split_heads(const at::Tensor& x, std::int64_t heads, std::int64_t hd) {
    return x.view({x.size(0), x.size(1), heads, hd});
}

// [b, kv_heads, K, hd] -> [b, kv_heads * n_rep, K, hd], head h reading kv head h / n_rep.
at::Tensor repeat_kv(const at::Tensor& x, std::int64_t n_rep) {
    if (n_rep == 1) return x;
    const auto b = x.size(0), kvh = x.size(1), len = x.size(2), hd = x.size(3);
    return x.unsqueeze(2).expand({b, kvh, n_rep, len, hd}).reshape({b, kvh * n_rep, len, hd});
}

}  // namespace

at::Tensor attention_forward(const at::Tensor& x, const AttentionWeights& w, const AttentionSpec& spec,
                             const RotaryTables* rotary, KVCache* cache, std::int64_t offset,
                             const BlockHookNames& names, HookRunner& hooks, const at::Tensor& mutual,
                             const at::Tensor& hidden_pairs) {
    const auto b = x.size(0), t = x.size(1);
    at::Tensor q = split_heads(w.q(x), spec.heads, spec.head_dim);
    at::Tensor k = split_heads(w.k(x), spec.kv_heads, spec.head_dim);
    if (w.q_norm.weight.defined()) q = w.q_norm(q);
    if (w.k_norm.weight.defined()) k = w.k_norm(k);
    q = hooks(names.q, q, 1, offset).transpose(1, 2);
    k = hooks(names.k, k, 1, offset).transpose(1, 2);
    at::Tensor v =
        hooks(names.v, split_heads(w.v(x), spec.kv_heads, spec.head_dim), 1, offset).transpose(1, 2);
    if (rotary != nullptr) {
        q = apply_rotary(q, *rotary);
        k = apply_rotary(k, *rotary);
    }
    if (cache != nullptr) std::tie(k, v) = cache->append(spec.layer, k, v);
    const auto n_rep = spec.heads / spec.kv_heads;
    k = repeat_kv(k, n_rep);
    v = repeat_kv(v, n_rep);
    const auto key_len = k.size(2);

    // Scores in the compute dtype (as transformers' eager attention), masking and softmax in float32.
    // Without autograd the float32 copy is fresh, so scaling and masking happen in place.
    const bool grad = at::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad());
    at::Tensor scores = convert_tensor(at::matmul(q, k.transpose(2, 3)), at::kFloat);
    const double scale = spec.scale > 0 ? spec.scale : 1.0 / std::sqrt(double(spec.head_dim));
    if (grad)
        scores = scores * scale;
    else
        scores.mul_(scale);
    if (spec.causal && (t > 1 || (spec.sliding_window > 0 && key_len > spec.sliding_window))) {
        // query i (absolute offset + i) may see keys 0..offset + i, and every key marked with it in `mutual`
        const auto bools = at::TensorOptions().dtype(at::kBool);
        at::Tensor blocked = at::ones({t, key_len}, bools).triu(offset + 1);
        if (mutual.defined() && mutual.size(0) >= offset + t) {
            const at::Tensor mq = mutual.narrow(0, offset, t).unsqueeze(1);
            const at::Tensor mk = mutual.narrow(0, 0, std::min(key_len, mutual.size(0))).unsqueeze(0);
            at::Tensor both = at::zeros({t, key_len}, bools);
            both.narrow(1, 0, mk.size(1)).copy_(mq & mk);
            blocked = blocked & ~both;
        }
        if (spec.sliding_window > 0)  // keys at distance >= window are hidden, marked or not
            blocked = blocked | at::ones({t, key_len}, bools).tril(offset - spec.sliding_window);
        if (grad)
            scores = scores.masked_fill(blocked, -std::numeric_limits<float>::infinity());
        else
            scores.masked_fill_(blocked, -std::numeric_limits<float>::infinity());
    }
    if (hidden_pairs.defined()) {
        if (grad)
            scores = scores.masked_fill(hidden_pairs, -std::numeric_limits<float>::infinity());
        else
            scores.masked_fill_(hidden_pairs, -std::numeric_limits<float>::infinity());
    }
    const at::Tensor knockout = hooks.knockout_mask(spec.tower, spec.layer, offset, t, key_len);
    if (knockout.defined()) scores = scores + knockout;
    scores = hooks(names.attn_scores, scores, 2, offset);
    at::Tensor pattern = at::softmax(scores, -1);
    if (knockout.defined()) pattern = at::nan_to_num(pattern, 0.0);  // a row with every key knocked out
    pattern = hooks(names.pattern, pattern, 2, offset);
    at::Tensor z =
        at::matmul(convert_tensor(pattern, v.scalar_type()), v).transpose(1, 2);  // [b, T, heads, hd]
    z = hooks(names.z, z, 1, offset);
    return w.o(z.reshape({b, t, spec.heads * spec.head_dim}));
}

}  // namespace sightline
