#include "core/model/layers.h"

#include <ATen/ATen.h>

#include "core/util/error.h"

namespace sightline {

namespace {
thread_local Linear* visiting_linear = nullptr;
}  // namespace

at::Tensor Linear::operator()(const at::Tensor& x) const {
    if (quantized()) return int8_linear(x, int8, bias);
    return at::linear(x, weight, bias);
}

void Linear::visit(const std::string& prefix, const ParamVisitor& v) {
    visiting_linear = this;
    try {
        v(prefix + ".weight", weight, {out, in});
    } catch (...) {
        visiting_linear = nullptr;
        throw;
    }
    visiting_linear = nullptr;
    if (has_bias) v(prefix + ".bias", bias, {out});
}

Linear* Linear::visiting() {
    return visiting_linear;
}

void Linear::set_int8(Int8Weight w) {
    if (!w.q.defined() || w.q.scalar_type() != at::kChar || w.q.dim() != 2 || w.q.size(0) != out ||
        w.q.size(1) != in || !w.scale.defined() || w.scale.numel() != out)
        fail("int8 weights do not fit a ", out, "x", in, " linear layer");
    int8 = std::move(w);
    weight = at::Tensor();
}

at::Tensor LayerNorm::operator()(const at::Tensor& x) const {
    return at::layer_norm(x, {dim}, weight, bias, eps);
}

void LayerNorm::visit(const std::string& prefix, const ParamVisitor& v) {
    v(prefix + ".weight", weight, {dim});
    v(prefix + ".bias", bias, {dim});
}

at::Tensor RMSNorm::operator()(const at::Tensor& x) const {
    const auto input_dtype = x.scalar_type();
    at::Tensor h = x.to(at::kFloat);
    const at::Tensor variance = h.pow(2).mean(-1, /*keepdim=*/true);
    h = h * at::rsqrt(variance + eps);
    if (unit_offset) return (h * (weight.to(at::kFloat) + 1.0)).to(input_dtype);
    return weight * h.to(input_dtype);
}

void RMSNorm::visit(const std::string& prefix, const ParamVisitor& v) {
    v(prefix + ".weight", weight, {dim});
}

at::Tensor activation(const std::string& name, const at::Tensor& x) {
    if (name == "quick_gelu") return x * at::sigmoid(x * 1.702);
    if (name == "gelu") return at::gelu(x);
    if (name == "gelu_pytorch_tanh" || name == "gelu_new") return at::gelu(x, "tanh");
    if (name == "silu") return at::silu(x);
    fail("activation '", name, "' is not supported");
}

RotaryTables rotary_tables(std::int64_t head_dim, double theta, double linear_factor, std::int64_t offset,
                           std::int64_t length, c10::ScalarType dtype) {
    const auto f32 = at::TensorOptions().dtype(at::kFloat);
    const at::Tensor exponent =
        at::arange(0, head_dim, 2, at::TensorOptions().dtype(at::kLong)).to(at::kFloat) /
        static_cast<double>(head_dim);
    const at::Tensor inv_freq = 1.0 / at::pow(theta, exponent);
    at::Tensor pos = at::arange(offset, offset + length, f32.dtype(at::kLong)).to(at::kFloat);
    if (linear_factor != 1.0) pos = pos / linear_factor;
    const at::Tensor freqs = at::outer(pos, inv_freq);
    const at::Tensor emb = at::cat({freqs, freqs}, -1);
    return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

at::Tensor apply_rotary(const at::Tensor& x, const RotaryTables& r) {
    const auto half = x.size(-1) / 2;
    const at::Tensor x1 = x.narrow(-1, 0, half);
    const at::Tensor x2 = x.narrow(-1, half, half);
    const at::Tensor rotated = at::cat({-x2, x1}, -1);
    return x * r.cos + rotated * r.sin;
}

}  // namespace sightline
