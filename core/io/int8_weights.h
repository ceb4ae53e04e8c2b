#pragma once
// Int8 weight-only quantisation: a linear layer's weight [out, in] stored as int8 with one float32 scale
// per output channel (symmetric, scale = max |w_row| / 127, q = round(w / scale)), dequantised to the
// compute dtype on the fly, one layer at a time, for every forward pass. Activations stay in the compute
// dtype; gradients flow to the input (the backward dequantises again rather than keeping the dequantised
// weight alive), so every explainer, relevancy included, works unchanged. Halves the weights' memory
// against bfloat16 (a 7B model: about 7 GB instead of 13.3 GiB).
#include <ATen/core/Tensor.h>

namespace sightline {

struct Int8Weight {
    at::Tensor q;      // int8 [out, in]
    at::Tensor scale;  // float32 [out]
};

// Quantises a floating [out, in] matrix (any floating dtype) row by row.
Int8Weight quantize_int8(const at::Tensor& weight);
// q * scale in `dtype` (float32 or bfloat16), [out, in].
at::Tensor dequantize_int8(const Int8Weight& w, c10::ScalarType dtype);
// x @ dequantize(w)^T + bias, differentiable in x (not in the weight). Without a gradient and for up to
// four rows of x (decode steps) on AVX-512 CPUs, the product reads the int8 codes directly (float32
// accumulation, exact q x scale) instead of materialising the dequantised matrix.
at::Tensor int8_linear(const at::Tensor& x, const Int8Weight& w, const at::Tensor& bias);

}  // namespace sightline
