#pragma once
// Building blocks shared by the vision tower and the decoder. Weights are plain tensors so the same
// structures serve loading, inference, gradients and training.
#include <ATen/core/Tensor.h>

#include <functional>
#include <string>

#include "core/io/int8_weights.h"

namespace sightline {

// Visits every parameter by its checkpoint name; used to load, save, initialise and train.
using ParamVisitor =
    std::function<void(const std::string& name, at::Tensor& tensor, std::vector<std::int64_t> shape)>;

struct Linear {
    at::Tensor weight;  // [out, in]; undefined when the layer holds int8 weights
    at::Tensor bias;    // [out] or undefined
    Int8Weight int8;    // int8 weight-only mode (core/io/int8_weights.h); q undefined otherwise
    std::int64_t in = 0, out = 0;
    bool has_bias = false;
    Linear() = default;
    Linear(std::int64_t in_features, std::int64_t out_features, bool with_bias)
        : in(in_features), out(out_features), has_bias(with_bias) {}
    at::Tensor operator()(const at::Tensor& x) const;
    void visit(const std::string& prefix, const ParamVisitor& v);
    bool quantized() const { return int8.q.defined(); }
    // Takes int8 weights (shape checked) in place of the floating weight.
    void set_int8(Int8Weight w);
    // The Linear whose weight a ParamVisitor is being called for (null for any other parameter): lets
    // the loader hand int8 weights to the layer that owns the visited tensor.
    static Linear* visiting();
};

struct LayerNorm {
    at::Tensor weight, bias;
    std::int64_t dim = 0;
    double eps = 1e-5;
    LayerNorm() = default;
    LayerNorm(std::int64_t d, double e) : dim(d), eps(e) {}
    at::Tensor operator()(const at::Tensor& x) const;
    void visit(const std::string& prefix, const ParamVisitor& v);
};

// Llama RMSNorm: computed in float32, cast back to the input dtype, then scaled by the weight. Gemma's
// (`unit_offset`): scaled by (1 + weight) in float32, then cast back.
struct RMSNorm {
    at::Tensor weight;
    std::int64_t dim = 0;
    double eps = 1e-6;
    bool unit_offset = false;
    RMSNorm() = default;
    RMSNorm(std::int64_t d, double e, bool offset = false) : dim(d), eps(e), unit_offset(offset) {}
    at::Tensor operator()(const at::Tensor& x) const;
    void visit(const std::string& prefix, const ParamVisitor& v);
};

// "quick_gelu" (x * sigmoid(1.702 x)), "gelu" (exact erf), "gelu_pytorch_tanh", "silu".
at::Tensor activation(const std::string& name, const at::Tensor& x);

// Rotary position embedding (rotate-half convention of Hugging Face Llama/Qwen2).
struct RotaryTables {
    at::Tensor cos, sin;  // [T, head_dim] in the compute dtype
};
RotaryTables rotary_tables(std::int64_t head_dim, double theta, double linear_factor, std::int64_t offset,
                           std::int64_t length, c10::ScalarType dtype);
// x: [batch, heads, T, head_dim]
at::Tensor apply_rotary(const at::Tensor& x, const RotaryTables& r);

}  // namespace sightline
