#pragma once
// Agreement between the maps different methods give for the same case (METHODS.md section 9): when
// they disagree the case is flagged "explanations disagree: defer to a human".
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/metrics/grid_map.h"

namespace sightline::metrics {

// Spearman rank correlation of the two maps' cells: the Pearson correlation of their ranks, tied values
// sharing the average of their ranks. Returns 0 when either map is constant (no ranking) or has a
// single cell. Throws when the grids differ.
double spearman(const GridMap& a, const GridMap& b);

// IoU of the two maps' top-k cell sets (cells_by_importance order, so ties at the k-th place are broken
// by row-major order). k is clamped to the number of cells; throws for k < 1 or different grids.
double topk_iou(const GridMap& a, const GridMap& b, int k);

// The top-k of the consistency score everywhere it is shown or measured (Compare tab, report, eval).
constexpr int kConsistencyTopK = 10;

struct Consistency {
    double score = 1;
    std::vector<std::tuple<std::string, std::string, double, double>> pairs;  // a, b, spearman, top-k IoU
    bool defer_to_human = false;
};

// Every pair i < j of `maps` (input order) gets agreement_ij = ((rho_ij + 1) / 2 + topk_iou_ij) / 2,
// both terms in [0, 1]; score = mean of agreement_ij over the pairs; defer_to_human = score < threshold.
// Fewer than two maps: score 1, no pairs, no deferral (nothing to disagree with). Throws when the maps'
// grids differ or k < 1.
Consistency consistency(const std::vector<std::pair<std::string, GridMap>>& maps, int k, double threshold);

}  // namespace sightline::metrics
