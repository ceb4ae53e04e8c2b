#pragma once
// Fast, bit-exact conversion of checkpoint data to the compute dtype. LibTorch 1.13 converts F16 to
// BF16 at about 120 M elements/s on two cores (an element at a time through float), which made loading
// a 7B checkpoint take a minute on conversion alone; these loops use AVX-512 where the CPU has it
// (F16C for half -> float, integer round-to-nearest-even for float -> bfloat16) and split the work over
// LibTorch's threads. Results equal at::Tensor::to() bit for bit; a NaN becomes bfloat16 0x7FC0
// (LibTorch gives 0x7FC0 or 0xFFFF depending on its code path), a half NaN keeps its payload
// in float32 with the quiet bit set.
#include <ATen/core/Tensor.h>

#include <cstddef>
#include <cstdint>

namespace sightline {

// Supported pairs: F16 -> BF16, F16 -> F32, BF16 -> F32, F32 -> BF16. `src` may be unaligned.
enum class Conversion { F16ToBF16, F16ToF32, BF16ToF32, F32ToBF16 };

void convert_elements(Conversion c, const void* src, void* dst, std::size_t n);
// Single-threaded reference loop (what convert_elements must equal), for tests.
void convert_elements_scalar(Conversion c, const void* src, void* dst, std::size_t n);
// t.to(dtype) through the fast loops when the pair is supported (any layout: non-contiguous tensors are
// made contiguous first), else through LibTorch. Used on the hot paths of inference (attention scores to
// float32 and probabilities back), where LibTorch 1.13's bfloat16 <-> float32 copy ran at 60-120 M
// elements/s.
at::Tensor convert_tensor(const at::Tensor& t, c10::ScalarType dtype);
// True when the AVX-512 loops are in use on this CPU.
bool dtype_convert_vectorized();

}  // namespace sightline
