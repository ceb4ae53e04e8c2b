#pragma once
// A scalar map on the token grid (h rows x w columns, row-major) and the resampling and normalisation
// every metric shares.
#include <opencv2/core.hpp>
#include <vector>

namespace sightline::metrics {

struct GridMap {
    int h = 0, w = 0;
    std::vector<float> values;  // row-major, values[r * w + c]

    // Value of cell (r, c); throws sightline::Error when (r, c) is outside the grid.
    float at(int r, int c) const;
    int cells() const { return h * w; }
};

// Throws sightline::Error (naming `what`) unless h > 0, w > 0, values.size() == h * w and every value is
// finite.
void check_grid(const GridMap& m, const char* what = "map");

// The map as an h x w CV_32F matrix (a copy).
cv::Mat to_mat(const GridMap& m);

// Bilinear resize of the map to width x height (CV_32F, height rows). Alignment convention: OpenCV
// INTER_LINEAR, i.e. half-pixel centres — output pixel x samples source coordinate (x + 0.5) * w / width
// - 0.5, clamped at the borders — the same as PyTorch interpolate(mode="bilinear",
// align_corners=False, antialias=False). Down-scaling does no area averaging.
cv::Mat resize_bilinear(const GridMap& m, int width, int height);

// Min-max normalisation to [0, 1]: (v - min) / (max - min). A constant input (max == min) maps to all
// zeros. Empty in, empty out.
std::vector<float> minmax_normalised(const std::vector<float>& values);

}  // namespace sightline::metrics
