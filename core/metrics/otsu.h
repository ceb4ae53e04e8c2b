#pragma once
// Otsu's threshold (maximum between-class variance) of a map's values.
#include <vector>

namespace sightline::metrics {

struct OtsuThreshold {
    double normalised = 0;    // in units of the min-max normalised values, in [0, 1]
    double original = 0;      // the same threshold in the input's units: min + normalised * (max - min)
    bool degenerate = false;  // empty or constant input (no threshold separates anything)
};

// Convention. The values are min-max normalised to [0, 1] and quantised to `bins` levels
// q = round(v * (bins - 1)) (halves round down; bins = 256 matches an 8-bit map). Otsu picks the split
// "levels <= k | levels > k" with the largest between-class variance (first maximum on exact ties).
// The returned threshold lies midway between the two classes' nearest occupied levels a < b:
// normalised = (a + b) / (2 (bins - 1)); so "value > threshold" selects exactly the upper class (a
// two-valued map {lo, hi} gets 0.5).
// Degenerate cases: empty input -> {0, 0, degenerate}; constant input -> {0, that constant,
// degenerate}, so "normalised value > threshold" (constant maps normalise to all zeros) selects nothing.
// Throws sightline::Error for bins < 2 or non-finite values.
OtsuThreshold otsu(const std::vector<float>& values, int bins = 256);

// otsu(values, bins).normalised
double otsu_threshold(const std::vector<float>& values, int bins = 256);

}  // namespace sightline::metrics
