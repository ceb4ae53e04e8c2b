#include "core/io/int8_weights.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <immintrin.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/io/dtype_convert.h"
#include "core/util/error.h"

namespace sightline {

Int8Weight quantize_int8(const at::Tensor& weight) {
    if (weight.dim() != 2 || !at::isFloatingType(weight.scalar_type()))
        fail("int8 quantisation needs a floating [out, in] matrix, got ", weight.dim(), " dimensions");
    at::NoGradGuard ng;
    const at::Tensor w = weight.to(at::kFloat).contiguous();
    const at::Tensor absmax = w.abs().amax(1);
    const at::Tensor scale = at::where(absmax > 0, absmax / 127.0, at::ones_like(absmax));
    Int8Weight out;
    out.q = at::round(w / scale.unsqueeze(1)).clamp(-127, 127).to(at::kChar).contiguous();
    out.scale = scale.contiguous();
    return out;
}

at::Tensor dequantize_int8(const Int8Weight& w, c10::ScalarType dtype) {
    if (dtype != at::kFloat && dtype != at::kBFloat16) fail("int8 weights dequantise to f32 or bf16 only");
    const std::int64_t rows = w.q.size(0), cols = w.q.size(1);
    at::Tensor out = at::empty({rows, cols}, at::TensorOptions().dtype(dtype));
    const auto* q = w.q.data_ptr<std::int8_t>();
    const auto* s = w.scale.data_ptr<float>();
    const bool bf16 = dtype == at::kBFloat16;
    auto* out_f = bf16 ? nullptr : out.data_ptr<float>();
    auto* out_b = bf16 ? static_cast<char*>(out.data_ptr()) : nullptr;
    // One pass: int8 * scale in float32 (a row at a time, vectorised by the compiler), then the AVX-512
    // float32 -> bfloat16 converter.
    at::parallel_for(0, rows, 16, [&](std::int64_t begin, std::int64_t end) {
        std::vector<float> row(bf16 ? static_cast<std::size_t>(cols) : 0);
        for (std::int64_t r = begin; r < end; ++r) {
            const std::int8_t* src = q + r * cols;
            float* dst = bf16 ? row.data() : out_f + r * cols;
            const float k = s[r];
            for (std::int64_t i = 0; i < cols; ++i) dst[i] = static_cast<float>(src[i]) * k;
            if (bf16)
                convert_elements(Conversion::F32ToBF16, row.data(), out_b + r * cols * 2,
                                 static_cast<std::size_t>(cols));
        }
    });
    return out;
}

namespace {

bool avx512() {
    static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
    return yes;
}

// sum_i q[i] * x[i] for one weight row: 16 int8 codes widened to float per step, fused multiply-add.
// GCC 12 warns inside its own AVX-512 headers (their undefined-vector placeholder, "__Y"); not this code's.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f,avx512bw"))) float dot_int8(const std::int8_t* q, const float* x,
                                                           std::int64_t n) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    std::int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m128i c0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + i));
        const __m128i c1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + i + 16));
        acc0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(c0)), _mm512_loadu_ps(x + i), acc0);
        acc1 =
            _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(c1)), _mm512_loadu_ps(x + i + 16), acc1);
    }
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    for (; i < n; ++i) sum += static_cast<float>(q[i]) * x[i];
    return sum;
}
#pragma GCC diagnostic pop

// y = x W^T for a few rows of x (decode steps): reads the int8 codes once, never materialises W.
at::Tensor int8_matvec(const at::Tensor& x, const Int8Weight& w) {
    const std::int64_t out = w.q.size(0), in = w.q.size(1);
    const at::Tensor x2 = x.reshape({-1, in}).to(at::kFloat).contiguous();
    const std::int64_t rows = x2.size(0);
    at::Tensor y = at::empty({rows, out}, at::TensorOptions().dtype(at::kFloat));
    const float* xs = x2.data_ptr<float>();
    const auto* q = w.q.data_ptr<std::int8_t>();
    const float* s = w.scale.data_ptr<float>();
    float* ys = y.data_ptr<float>();
    at::parallel_for(0, out, 64, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t o = begin; o < end; ++o)
            for (std::int64_t r = 0; r < rows; ++r)
                ys[r * out + o] = s[o] * dot_int8(q + o * in, xs + r * in, in);
    });
    auto shape = x.sizes().vec();
    shape.back() = out;
    return y.to(x.scalar_type()).reshape(shape);
}

constexpr std::int64_t kMatvecMaxRows = 4;

// y = x W^T with W dequantised in the forward and again in the backward (nothing big is saved). The bias
// is added outside (an undefined tensor cannot be an input of a custom function).
struct Int8LinearFunction : public torch::autograd::Function<Int8LinearFunction> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& q,
                              const at::Tensor& scale) {
        ctx->save_for_backward({q, scale});
        return at::linear(x, dequantize_int8(Int8Weight{q, scale}, x.scalar_type()));
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const at::Tensor& g = grads[0];
        const at::Tensor w = dequantize_int8(Int8Weight{saved[0], saved[1]}, g.scalar_type());
        return {at::matmul(g, w), at::Tensor(), at::Tensor()};
    }
};

}  // namespace

at::Tensor int8_linear(const at::Tensor& x, const Int8Weight& w, const at::Tensor& bias) {
    if (x.size(-1) != w.q.size(1))
        fail("int8 linear: input has ", x.size(-1), " features, the weight ", w.q.size(1));
    if (at::GradMode::is_enabled() && x.requires_grad()) {
        const at::Tensor y = Int8LinearFunction::apply(x, w.q, w.scale);
        return bias.defined() ? y + bias : y;
    }
    if (avx512() && x.numel() / x.size(-1) <= kMatvecMaxRows) {
        const at::Tensor y = int8_matvec(x, w);
        return bias.defined() ? y + bias : y;
    }
    return at::linear(x, dequantize_int8(w, x.scalar_type()), bias);
}

}  // namespace sightline
