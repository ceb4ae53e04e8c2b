#pragma once
// Writes tensors in the safetensors format (header padded to 8 bytes, tensors in the given order).
#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sightline {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// Writes `tensors` (CPU; any of F64/F32/F16/BF16/I64/I32/I16/I8/U8/BOOL) to `path` atomically
// (temporary file + rename). Throws sightline::Error on duplicate names or I/O failure.
void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace sightline
