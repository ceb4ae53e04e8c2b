#pragma once
// Mapping between safetensors dtypes and LibTorch scalar types, and the compute dtype option.
#include <c10/core/ScalarType.h>

#include <string>

#include "core/io/safetensors_format.h"

namespace sightline {

// Compute precision of a loaded model. F16 weights are always converted (LibTorch 1.13 has no F16 CPU
// compute).
enum class ComputeDType { F32, BF16 };

c10::ScalarType to_scalar_type(StDType t);
StDType st_dtype_of(c10::ScalarType t, const std::string& tensor_name);
c10::ScalarType to_scalar_type(ComputeDType t);
const char* to_string(ComputeDType t);
// "f32"/"float32"/"fp32" or "bf16"/"bfloat16"; throws sightline::Error otherwise.
ComputeDType parse_compute_dtype(const std::string& s);

}  // namespace sightline
