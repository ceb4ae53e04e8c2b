#include "core/metrics/otsu.h"

#include <algorithm>
#include <cmath>

#include "core/metrics/grid_map.h"
#include "core/util/error.h"

namespace sightline::metrics {

OtsuThreshold otsu(const std::vector<float>& values, int bins) {
    if (bins < 2) fail("otsu: bins must be >= 2, got ", bins);
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i])) fail("otsu: value ", i, " is not finite");
    OtsuThreshold out;
    if (values.empty()) {
        out.degenerate = true;
        return out;
    }
    const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
    const double lo = static_cast<double>(*lo_it), hi = static_cast<double>(*hi_it);
    if (!(hi > lo)) {
        out.original = lo;
        out.degenerate = true;
        return out;
    }

    // Histogram of the quantised levels (round half down, so a value exactly between two levels
    // stays in the lower one and "v > threshold" below agrees with the level split).
    const double top = bins - 1;
    std::vector<double> hist(static_cast<std::size_t>(bins), 0.0);
    for (float v : minmax_normalised(values)) {
        const double level = std::ceil(static_cast<double>(v) * top - 0.5);
        hist[static_cast<std::size_t>(std::clamp(level, 0.0, top))] += 1.0;
    }
    const double total = static_cast<double>(values.size());
    double sum_all = 0;
    for (int k = 0; k < bins; ++k) sum_all += k * hist[static_cast<std::size_t>(k)];

    // Between-class variance (up to the constant factor 1 / total^2): w0 w1 (mu0 - mu1)^2.
    double w0 = 0, sum0 = 0, best = -1;
    int best_k = -1;
    for (int k = 0; k < bins - 1; ++k) {
        w0 += hist[static_cast<std::size_t>(k)];
        sum0 += k * hist[static_cast<std::size_t>(k)];
        const double w1 = total - w0;
        if (w0 <= 0 || w1 <= 0) continue;
        const double diff = sum0 / w0 - (sum_all - sum0) / w1;
        const double between = w0 * w1 * diff * diff;
        if (between > best) {
            best = between;
            best_k = k;
        }
    }
    // Non-constant input occupies level 0 and level bins-1, so some split exists.
    int a = best_k, b = best_k + 1;
    while (a > 0 && hist[static_cast<std::size_t>(a)] == 0) --a;
    while (b < bins - 1 && hist[static_cast<std::size_t>(b)] == 0) ++b;
    out.normalised = (a + b) / (2.0 * top);
    out.original = lo + out.normalised * (hi - lo);
    return out;
}

double otsu_threshold(const std::vector<float>& values, int bins) {
    return otsu(values, bins).normalised;
}

}  // namespace sightline::metrics
