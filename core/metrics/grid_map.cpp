#include "core/metrics/grid_map.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "core/util/error.h"

namespace sightline::metrics {

float GridMap::at(int r, int c) const {
    if (r < 0 || r >= h || c < 0 || c >= w)
        fail("GridMap::at(", r, ", ", c, ") is outside the ", h, "x", w, " grid");
    return values[static_cast<std::size_t>(r) * static_cast<std::size_t>(w) + static_cast<std::size_t>(c)];
}

void check_grid(const GridMap& m, const char* what) {
    if (m.h <= 0 || m.w <= 0) fail(what, ": grid size ", m.h, "x", m.w, " is empty");
    const std::size_t expected = static_cast<std::size_t>(m.h) * static_cast<std::size_t>(m.w);
    if (m.values.size() != expected)
        fail(what, ": a ", m.h, "x", m.w, " grid needs ", expected, " values, got ", m.values.size());
    for (std::size_t i = 0; i < m.values.size(); ++i)
        if (!std::isfinite(m.values[i])) fail(what, ": value ", i, " is not finite");
}

cv::Mat to_mat(const GridMap& m) {
    check_grid(m);
    cv::Mat out(m.h, m.w, CV_32F);
    std::copy(m.values.begin(), m.values.end(), out.ptr<float>(0));
    return out;
}

cv::Mat resize_bilinear(const GridMap& m, int width, int height) {
    check_grid(m);
    if (width <= 0 || height <= 0) fail("resize_bilinear: target size ", width, "x", height, " is empty");
    cv::Mat out;
    cv::resize(to_mat(m), out, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    return out;
}

std::vector<float> minmax_normalised(const std::vector<float>& values) {
    std::vector<float> out(values.size(), 0.0f);
    if (values.empty()) return out;
    const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
    const double lo = static_cast<double>(*lo_it), hi = static_cast<double>(*hi_it);
    if (!(hi > lo)) return out;
    for (std::size_t i = 0; i < values.size(); ++i)
        out[i] = static_cast<float>((static_cast<double>(values[i]) - lo) / (hi - lo));
    return out;
}

}  // namespace sightline::metrics
