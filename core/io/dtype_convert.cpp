#include "core/io/dtype_convert.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own _mm512_undefined_* placeholders.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace sightline {
namespace {

float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    std::uint32_t exp = (h >> 10) & 0x1Fu;
    std::uint32_t mant = h & 0x3FFu;
    std::uint32_t bits;
    if (exp == 0x1F) {
        // inf, or NaN with its payload and the quiet bit set (as F16C's vcvtph2ps and LibTorch do)
        bits = sign | 0x7F800000u | (mant << 13) | (mant != 0 ? 0x00400000u : 0u);
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    } else if (mant == 0) {
        bits = sign;
    } else {  // subnormal half: normalise
        int e = -1;
        do {
            ++e;
            mant <<= 1;
        } while ((mant & 0x400u) == 0);
        bits = sign | (static_cast<std::uint32_t>(112 - e) << 23) | ((mant & 0x3FFu) << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

std::uint16_t float_to_bf16(float f) {
    std::uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FC0;  // NaN, as c10::BFloat16 makes it
    bits += 0x7FFFu + ((bits >> 16) & 1u);                  // round to nearest, ties to even
    return static_cast<std::uint16_t>(bits >> 16);
}

float bf16_to_float(std::uint16_t b) {
    const std::uint32_t bits = static_cast<std::uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

template <typename T>
T load(const void* base, std::size_t i) {
    T v;
    std::memcpy(&v, static_cast<const char*>(base) + i * sizeof(T), sizeof(T));
    return v;
}

void scalar_range(Conversion c, const void* src, void* dst, std::size_t begin, std::size_t end) {
    auto* d16 = static_cast<std::uint16_t*>(dst);
    auto* d32 = static_cast<float*>(dst);
    for (std::size_t i = begin; i < end; ++i) {
        switch (c) {
            case Conversion::F16ToBF16:
                d16[i] = float_to_bf16(half_to_float(load<std::uint16_t>(src, i)));
                break;
            case Conversion::F16ToF32:
                d32[i] = half_to_float(load<std::uint16_t>(src, i));
                break;
            case Conversion::BF16ToF32:
                d32[i] = bf16_to_float(load<std::uint16_t>(src, i));
                break;
            case Conversion::F32ToBF16:
                d16[i] = float_to_bf16(load<float>(src, i));
                break;
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw,f16c"))) __m256i floats_to_bf16(__m512 f) {
    const __m512i bits = _mm512_castps_si512(f);
    const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
    __m512i rounded = _mm512_add_epi32(bits, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7FFF)));
    rounded = _mm512_srli_epi32(rounded, 16);
    const __mmask16 nan = _mm512_cmp_ps_mask(f, f, _CMP_UNORD_Q);
    rounded = _mm512_mask_mov_epi32(rounded, nan, _mm512_set1_epi32(0x7FC0));
    return _mm512_cvtepi32_epi16(rounded);
}

__attribute__((target("avx512f,avx512bw,f16c"))) void vector_range(Conversion c, const void* src, void* dst,
                                                                   std::size_t begin, std::size_t end) {
    const auto* s = static_cast<const char*>(src);
    auto* d = static_cast<char*>(dst);
    std::size_t i = begin;
    for (; i + 16 <= end; i += 16) {
        switch (c) {
            case Conversion::F16ToBF16: {
                const __m512 f =
                    _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + 2 * i)));
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + 2 * i), floats_to_bf16(f));
                break;
            }
            case Conversion::F16ToF32:
                _mm512_storeu_ps(
                    d + 4 * i,
                    _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + 2 * i))));
                break;
            case Conversion::BF16ToF32: {
                const __m512i w =
                    _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + 2 * i)));
                _mm512_storeu_si512(d + 4 * i, _mm512_slli_epi32(w, 16));
                break;
            }
            case Conversion::F32ToBF16:
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + 2 * i),
                                    floats_to_bf16(_mm512_loadu_ps(s + 4 * i)));
                break;
        }
    }
    scalar_range(c, src, dst, i, end);
}
#endif

bool has_avx512() {
#if defined(__x86_64__)
    static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                            __builtin_cpu_supports("f16c");
    return yes;
#else
    return false;
#endif
}

}  // namespace

at::Tensor convert_tensor(const at::Tensor& t, c10::ScalarType dtype) {
    const auto from = t.scalar_type();
    Conversion c;
    if (from == c10::kBFloat16 && dtype == c10::kFloat)
        c = Conversion::BF16ToF32;
    else if (from == c10::kFloat && dtype == c10::kBFloat16)
        c = Conversion::F32ToBF16;
    else if (from == c10::kHalf && dtype == c10::kFloat)
        c = Conversion::F16ToF32;
    else if (from == c10::kHalf && dtype == c10::kBFloat16)
        c = Conversion::F16ToBF16;
    else
        return t.to(dtype);
    if (t.requires_grad() || !t.device().is_cpu()) return t.to(dtype);  // keep autograd's view of it
    const at::Tensor src = t.contiguous();
    at::Tensor out = at::empty(src.sizes(), src.options().dtype(dtype));
    convert_elements(c, src.data_ptr(), out.data_ptr(), static_cast<std::size_t>(src.numel()));
    return out;
}

bool dtype_convert_vectorized() {
    return has_avx512();
}

void convert_elements_scalar(Conversion c, const void* src, void* dst, std::size_t n) {
    scalar_range(c, src, dst, 0, n);
}

void convert_elements(Conversion c, const void* src, void* dst, std::size_t n) {
    constexpr std::int64_t kGrain = 1 << 16;
    at::parallel_for(0, static_cast<std::int64_t>(n), kGrain, [&](std::int64_t b, std::int64_t e) {
#if defined(__x86_64__)
        if (has_avx512()) {
            vector_range(c, src, dst, static_cast<std::size_t>(b), static_cast<std::size_t>(e));
            return;
        }
#endif
        scalar_range(c, src, dst, static_cast<std::size_t>(b), static_cast<std::size_t>(e));
    });
}

}  // namespace sightline
