#include "core/explain/tam_math.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/util/error.h"

namespace sightline::tam {
namespace {

// OpenCV BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba) for an index at most n - 1 outside [0, n).
int reflect101(int p, int n) {
    if (n == 1) return 0;
    if (p < 0) return -p;
    if (p >= n) return 2 * (n - 1) - p;
    return p;
}

double filtered_value(std::array<double, 9>& window) {
    std::sort(window.begin(), window.end());
    double mean = 0;
    for (double v : window) mean += v;
    mean /= 9.0;
    if (mean <= 0) return 0.0;
    double var = 0;
    for (double v : window) var += (v - mean) * (v - mean);
    const double sigma = std::sqrt(var / 9.0) / mean;
    if (sigma == 0) return window[4];
    const double two_sigma2 = 2.0 * sigma * sigma;
    double weight_sum = 0, value = 0;
    for (int i = 0; i < 9; ++i) {
        const double r = i - 4;
        // r == 0 keeps weight 1 even if 2 sigma^2 underflows to 0 (which would give 0 / 0).
        const double k = i == 4 ? 1.0 : std::exp(-r * r / two_sigma2);
        weight_sum += k;
        value += window[static_cast<std::size_t>(i)] * k;
    }
    return value / weight_sum;
}

}  // namespace

std::vector<float> rank_gaussian_filter(const std::vector<float>& map, int h, int w) {
    if (h <= 0 || w <= 0) fail("rank_gaussian_filter: grid size ", h, "x", w, " is empty");
    const std::size_t cells = static_cast<std::size_t>(h) * static_cast<std::size_t>(w);
    if (map.size() != cells)
        fail("rank_gaussian_filter: a ", h, "x", w, " grid needs ", cells, " values, got ", map.size());
    for (std::size_t i = 0; i < map.size(); ++i)
        if (!std::isfinite(map[i])) fail("rank_gaussian_filter: value ", i, " is not finite");

    std::vector<float> out(cells);
    std::array<double, 9> window{};
    for (int r = 0; r < h; ++r) {
        for (int c = 0; c < w; ++c) {
            std::size_t n = 0;
            for (int dr = -1; dr <= 1; ++dr) {
                const std::size_t row =
                    static_cast<std::size_t>(reflect101(r + dr, h)) * static_cast<std::size_t>(w);
                for (int dc = -1; dc <= 1; ++dc)
                    window[n++] =
                        static_cast<double>(map[row + static_cast<std::size_t>(reflect101(c + dc, w))]);
            }
            out[static_cast<std::size_t>(r) * static_cast<std::size_t>(w) + static_cast<std::size_t>(c)] =
                static_cast<float>(filtered_value(window));
        }
    }
    return out;
}

InterferenceResult remove_interference(const std::vector<float>& target_map,
                                       const std::vector<std::vector<float>>& context_maps,
                                       const std::vector<float>& context_text_scores) {
    if (context_maps.size() != context_text_scores.size())
        fail("remove_interference: ", context_maps.size(), " context maps but ", context_text_scores.size(),
             " context text scores");
    const std::size_t n = target_map.size();
    for (std::size_t i = 0; i < context_maps.size(); ++i)
        if (context_maps[i].size() != n)
            fail("remove_interference: context map ", i, " has ", context_maps[i].size(),
                 " values, the target map has ", n);

    InterferenceResult result;
    result.interference.assign(n, 0.0f);
    if (context_maps.empty()) {
        result.map = target_map;
        return result;
    }

    double score_sum = 0;
    for (float s : context_text_scores) score_sum += static_cast<double>(s);
    std::vector<double> interference(n, 0.0);
    for (std::size_t i = 0; i < context_maps.size(); ++i) {
        const double weight = static_cast<double>(context_text_scores[i]) / (score_sum + 1e-8);
        result.weights.push_back(weight);
        for (std::size_t j = 0; j < n; ++j)
            interference[j] += weight * static_cast<double>(context_maps[i][j]);
    }
    double target_dot = 0, self_dot = 0;
    for (std::size_t j = 0; j < n; ++j) {
        target_dot += static_cast<double>(target_map[j]) * interference[j];
        self_dot += interference[j] * interference[j];
    }
    result.alpha = self_dot > 0 ? std::max(0.0, target_dot / self_dot) : 0.0;
    result.map.resize(n);
    for (std::size_t j = 0; j < n; ++j) {
        result.interference[j] = static_cast<float>(interference[j]);
        result.map[j] = static_cast<float>(
            std::max(0.0, static_cast<double>(target_map[j]) - result.alpha * interference[j]));
    }
    return result;
}

void joint_minmax(std::vector<float>& image, std::vector<float>& text) {
    if (image.empty() && text.empty()) return;
    double lo = 0, hi = 0;
    bool first = true;
    for (const std::vector<float>* part : {&image, &text}) {
        for (float v : *part) {
            const double d = static_cast<double>(v);
            if (first || d < lo) lo = d;
            if (first || d > hi) hi = d;
            first = false;
        }
    }
    const double range = hi - lo;
    for (std::vector<float>* part : {&image, &text})
        for (float& v : *part)
            v = range > 0 ? static_cast<float>((static_cast<double>(v) - lo) / range) : 0.0f;
}

}  // namespace sightline::tam
