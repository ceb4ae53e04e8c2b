#include "core/metrics/consistency.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/metrics/faithfulness.h"
#include "core/util/error.h"

namespace sightline::metrics {
namespace {

void check_same_grid(const GridMap& a, const GridMap& b, const char* who) {
    check_grid(a, who);
    check_grid(b, who);
    if (a.h != b.h || a.w != b.w) fail(who, ": grids differ (", a.h, "x", a.w, " vs ", b.h, "x", b.w, ")");
}

// 1-based ranks, ties get the average of the ranks they span.
std::vector<double> average_ranks(const std::vector<float>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return v[x] < v[y]; });
    std::vector<double> ranks(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
        const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (std::size_t t = i; t <= j; ++t) ranks[order[t]] = rank;
        i = j + 1;
    }
    return ranks;
}

}  // namespace

double spearman(const GridMap& a, const GridMap& b) {
    check_same_grid(a, b, "spearman");
    const std::vector<double> ra = average_ranks(a.values), rb = average_ranks(b.values);
    const double n = static_cast<double>(ra.size());
    const double mean = (n + 1.0) / 2.0;  // average ranks always sum to n (n + 1) / 2
    double cov = 0, var_a = 0, var_b = 0;
    for (std::size_t i = 0; i < ra.size(); ++i) {
        cov += (ra[i] - mean) * (rb[i] - mean);
        var_a += (ra[i] - mean) * (ra[i] - mean);
        var_b += (rb[i] - mean) * (rb[i] - mean);
    }
    if (var_a <= 0 || var_b <= 0) return 0.0;
    return std::clamp(cov / std::sqrt(var_a * var_b), -1.0, 1.0);
}

double topk_iou(const GridMap& a, const GridMap& b, int k) {
    check_same_grid(a, b, "topk_iou");
    if (k < 1) fail("topk_iou: k must be >= 1, got ", k);
    const std::size_t kk = std::min<std::size_t>(static_cast<std::size_t>(k), a.values.size());
    std::vector<char> in_a(a.values.size(), 0), in_b(a.values.size(), 0);
    const std::vector<int> order_a = cells_by_importance(a), order_b = cells_by_importance(b);
    for (std::size_t i = 0; i < kk; ++i) {
        in_a[static_cast<std::size_t>(order_a[i])] = 1;
        in_b[static_cast<std::size_t>(order_b[i])] = 1;
    }
    std::size_t intersection = 0;
    for (std::size_t i = 0; i < in_a.size(); ++i) intersection += in_a[i] && in_b[i];
    return static_cast<double>(intersection) / static_cast<double>(2 * kk - intersection);
}

Consistency consistency(const std::vector<std::pair<std::string, GridMap>>& maps, int k, double threshold) {
    if (k < 1) fail("consistency: k must be >= 1, got ", k);
    Consistency out;
    for (std::size_t i = 1; i < maps.size(); ++i)
        check_same_grid(maps[0].second, maps[i].second, "consistency");
    if (maps.size() < 2) return out;
    double sum = 0;
    for (std::size_t i = 0; i < maps.size(); ++i) {
        for (std::size_t j = i + 1; j < maps.size(); ++j) {
            const double rho = spearman(maps[i].second, maps[j].second);
            const double iou = topk_iou(maps[i].second, maps[j].second, k);
            out.pairs.emplace_back(maps[i].first, maps[j].first, rho, iou);
            sum += ((rho + 1.0) / 2.0 + iou) / 2.0;
        }
    }
    out.score = sum / static_cast<double>(out.pairs.size());
    out.defer_to_human = out.score < threshold;
    return out;
}

}  // namespace sightline::metrics
