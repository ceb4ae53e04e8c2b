#include "core/model/qwen_vision.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/util/error.h"

namespace sightline {
namespace {

// Rows [start, start + len) of a linear layer (one of q, k, v in a fused qkv projection).
Linear slice_rows(const Linear& l, std::int64_t start, std::int64_t len) {
    Linear out(l.in, len, l.has_bias);
    if (l.quantized())
        out.int8 = Int8Weight{l.int8.q.narrow(0, start, len), l.int8.scale.narrow(0, start, len)};
    else
        out.weight = l.weight.narrow(0, start, len);
    if (l.bias.defined()) out.bias = l.bias.narrow(0, start, len);
    return out;
}

// Pairs (i, j) whose groups differ are hidden; undefined when every patch is in one group.
at::Tensor blocked_between(const std::vector<std::int64_t>& group) {
    if (std::all_of(group.begin(), group.end(), [&](std::int64_t g) { return g == group.front(); }))
        return {};
    const at::Tensor g = at::tensor(group, at::kLong);
    return g.unsqueeze(1).ne(g.unsqueeze(0));
}

}  // namespace

QwenVisionTower::QwenVisionTower(const ModelConfig& c, c10::ScalarType dtype)
    : vc_(c.vision), v25_(c.vision.kind == VisionKind::Qwen25VL), dtype_(dtype) {
    const auto d = vc_.hidden_size, heads = vc_.num_attention_heads, ff = vc_.intermediate_size;
    const double eps = vc_.layer_norm_eps;
    for (std::int64_t l = 0; l < vc_.num_hidden_layers; ++l) {
        Block b{LayerNorm(d, eps),
                LayerNorm(d, eps),
                RMSNorm(d, eps),
                RMSNorm(d, eps),
                Linear(d, 3 * d, true),
                Linear(d, d, true),
                Linear(d, ff, true),
                Linear(ff, d, true),
                Linear(d, ff, true),
                Linear(d, ff, true),
                Linear(ff, d, true),
                BlockHookNames("vision.blocks." + std::to_string(l)),
                AttentionSpec{heads, heads, d / heads, false, "vision", static_cast<int>(l)}};
        const auto& full = vc_.fullatt_block_indexes;
        b.windowed = v25_ && std::find(full.begin(), full.end(), l) == full.end();
        blocks_.push_back(std::move(b));
    }
    const auto merged = d * vc_.spatial_merge_size * vc_.spatial_merge_size;
    merger_ln_ = LayerNorm(d, eps);
    merger_rms_ = RMSNorm(d, eps);
    merger_fc1_ = Linear(merged, merged, true);
    merger_fc2_ = Linear(merged, vc_.out_hidden_size, true);
}

void QwenVisionTower::visit(const std::string& p, const ParamVisitor& v) {
    const auto d = vc_.hidden_size;
    v(p + "patch_embed.proj.weight", patch_weight_,
      {d, vc_.num_channels, vc_.temporal_patch_size, vc_.patch_size, vc_.patch_size});
    for (std::size_t l = 0; l < blocks_.size(); ++l) {
        Block& b = blocks_[l];
        const std::string lp = p + "blocks." + std::to_string(l) + ".";
        if (v25_) {
            b.rms1.visit(lp + "norm1", v);
            b.rms2.visit(lp + "norm2", v);
        } else {
            b.ln1.visit(lp + "norm1", v);
            b.ln2.visit(lp + "norm2", v);
        }
        b.qkv.visit(lp + "attn.qkv", v);
        b.proj.visit(lp + "attn.proj", v);
        if (v25_) {
            b.gate.visit(lp + "mlp.gate_proj", v);
            b.up.visit(lp + "mlp.up_proj", v);
            b.down.visit(lp + "mlp.down_proj", v);
        } else {
            b.fc1.visit(lp + "mlp.fc1", v);
            b.fc2.visit(lp + "mlp.fc2", v);
        }
    }
    if (v25_)
        merger_rms_.visit(p + "merger.ln_q", v);
    else
        merger_ln_.visit(p + "merger.ln_q", v);
    merger_fc1_.visit(p + "merger.mlp.0", v);
    merger_fc2_.visit(p + "merger.mlp.2", v);
}

at::Tensor QwenVisionTower::norm(const Block& b, int which, const at::Tensor& x) const {
    if (v25_) return which == 1 ? b.rms1(x) : b.rms2(x);
    return which == 1 ? b.ln1(x) : b.ln2(x);
}

at::Tensor QwenVisionTower::encode(const ImageInput& image, HookRunner& hooks) const {
    const std::int64_t m = vc_.spatial_merge_size;
    const std::int64_t gt = image.grid_t, gh = image.grid_h, gw = image.grid_w;
    if (gt <= 0 || gh <= 0 || gw <= 0 || gh % m != 0 || gw % m != 0)
        fail("Qwen2-VL pixel values need their patch grid (t, h, w) with h and w multiples of ", m, "; got ",
             gt, "x", gh, "x", gw);
    const std::int64_t n = gt * gh * gw;
    const std::int64_t k = vc_.num_channels * vc_.temporal_patch_size * vc_.patch_size * vc_.patch_size;
    const at::Tensor& px = image.pixels;
    if (px.dim() != 2 || px.size(0) != n || px.size(1) != k)
        fail("Qwen2-VL pixel values must be [", n, " patches, ", k, "] for a ", gt, "x", gh, "x", gw,
             " grid, got ", px.sizes());

    // Every patch's row and column, frame and (Qwen2.5-VL) window, in the processor's merged-group order.
    const std::int64_t bh = gh / m, bw = gw / m;
    const std::int64_t vm = v25_ ? std::max<std::int64_t>(1, vc_.window_size / m / vc_.patch_size) : 1;
    const std::int64_t nww = (bw + vm - 1) / vm, nwh = (bh + vm - 1) / vm;
    std::vector<std::int64_t> rows(static_cast<std::size_t>(n)), cols(rows.size()), frame(rows.size()),
        window(rows.size());
    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t unit = i / (m * m), within = i % (m * m);
        const std::int64_t f = unit / (bh * bw), rest = unit % (bh * bw);
        const std::int64_t r = rest / bw, c = rest % bw;
        const auto idx = static_cast<std::size_t>(i);
        rows[idx] = r * m + within / m;
        cols[idx] = c * m + within % m;
        frame[idx] = f;
        window[idx] = f * nwh * nww + (r / vm) * nww + c / vm;
    }
    const at::Tensor frame_blocked = blocked_between(frame);
    const at::Tensor window_blocked = v25_ ? blocked_between(window) : at::Tensor();

    // 2-D rotary tables: theta 10000 over half the head size, rows then columns, both halves alike.
    const std::int64_t hd = vc_.hidden_size / vc_.num_attention_heads, rd = hd / 2;
    const at::Tensor exponent =
        at::arange(0, rd, 2, at::TensorOptions().dtype(at::kLong)).to(at::kFloat) / static_cast<double>(rd);
    const at::Tensor inv_freq = 1.0 / at::pow(10000.0, exponent);
    const at::Tensor fr = at::tensor(rows, at::kLong).to(at::kFloat).unsqueeze(1) * inv_freq;
    const at::Tensor fc = at::tensor(cols, at::kLong).to(at::kFloat).unsqueeze(1) * inv_freq;
    const at::Tensor half = at::cat({fr, fc}, 1);
    const at::Tensor emb = at::cat({half, half}, 1);  // [n, hd]
    const RotaryTables rope{emb.cos().to(dtype_), emb.sin().to(dtype_)};

    at::Tensor x = at::linear(px.to(dtype_), patch_weight_.reshape({vc_.hidden_size, k})).unsqueeze(0);
    x = hooks("vision.hook_embed", x, 1, 0);
    const int depth = static_cast<int>(blocks_.size());
    const auto d = vc_.hidden_size;
    for (int l = 0; l < depth; ++l) {
        const Block& b = blocks_[static_cast<std::size_t>(l)];
        x = hooks(b.names.resid_pre, x, 1, 0);
        const AttentionWeights w{slice_rows(b.qkv, 0, d),
                                 slice_rows(b.qkv, d, d),
                                 slice_rows(b.qkv, 2 * d, d),
                                 b.proj,
                                 RMSNorm{},
                                 RMSNorm{}};
        at::Tensor a = attention_forward(norm(b, 1, x), w, b.spec, &rope, nullptr, 0, b.names, hooks, {},
                                         b.windowed ? window_blocked : frame_blocked);
        a = hooks(b.names.attn_out, a, 1, 0);
        x = hooks(b.names.resid_mid, x + a, 1, 0);
        const at::Tensor h = norm(b, 2, x);
        at::Tensor mlp;
        if (v25_) {
            mlp = b.down(hooks(b.names.mlp_post, activation(vc_.hidden_act, b.gate(h)) * b.up(h), 1, 0));
        } else {
            mlp = b.fc2(hooks(b.names.mlp_post, activation(vc_.hidden_act, b.fc1(h)), 1, 0));
        }
        mlp = hooks(b.names.mlp_out, mlp, 1, 0);
        x = hooks(b.names.resid_post, x + mlp, 1, 0);
        hooks.block_done("vision", l, depth);
    }
    return x[0];
}

at::Tensor QwenVisionTower::forward(const ImageInput& image, HookRunner& hooks) const {
    const at::Tensor x = encode(image, hooks);
    const at::Tensor normed = v25_ ? merger_rms_(x) : merger_ln_(x);
    const auto m2 = vc_.spatial_merge_size * vc_.spatial_merge_size;
    const at::Tensor grouped = normed.reshape({x.size(0) / m2, x.size(1) * m2});
    return merger_fc2_(at::gelu(merger_fc1_(grouped))).unsqueeze(0);
}

}  // namespace sightline
