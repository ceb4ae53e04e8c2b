#include "core/explain/map_utils.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace sightline {

void minmax_normalize(std::vector<float>& v) {
    if (v.empty()) return;
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    const float a = *lo, b = *hi;
    for (auto& x : v) x = b > a ? (x - a) / (b - a) : 0.0f;
}

std::vector<float> to_vector(const at::Tensor& t) {
    const at::Tensor c = t.detach().to(at::kFloat).contiguous().view({-1});
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

std::vector<float> gather(const at::Tensor& values, const std::vector<std::int64_t>& positions) {
    if (positions.empty()) return {};
    return to_vector(values.index_select(0, at::tensor(positions, at::kLong)));
}

}  // namespace sightline
