#pragma once
// Small helpers shared by explainers.
#include <ATen/core/Tensor.h>

#include <vector>

namespace sightline {

// Min-max normalisation in place; a constant vector becomes all zeros.
void minmax_normalize(std::vector<float>& v);
std::vector<float> to_vector(const at::Tensor& t);  // 1-D float tensor -> std::vector<float>
// Gathers t[positions] of a 1-D tensor.
std::vector<float> gather(const at::Tensor& values, const std::vector<std::int64_t>& positions);

}  // namespace sightline
