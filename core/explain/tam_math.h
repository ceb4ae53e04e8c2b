#pragma once
// Token Activation Map arithmetic (Li et al., ICCV 2025; METHODS.md section 3) on plain row-major
// float maps: no torch, no Qt. The model side (class activations from the logits) lives elsewhere.
#include <vector>

namespace sightline::tam {

// Rank Gaussian filter on an h x w map (row-major). For every cell, the 3x3 window around it
// (reflect-101 borders, like OpenCV BORDER_REFLECT_101: index -1 reads 1, index n reads n-2) is sorted
// ascending into w_0..w_8; mu = mean(w), sigma = std(w) / mu (population std: the coefficient of
// variation); k(r) = exp(-r^2 / (2 sigma^2)) for ranks r = -4..4 (r = i - 4), normalised to sum 1; the
// output is sum_i w_i k(i - 4). Where mu <= 0 the output is 0; where sigma == 0 (a flat window) it is
// the median w_4. A side of length 1 has nothing to reflect: its index always reads 0 (the single row
// or column is repeated, as OpenCV does). Computed in double. Throws sightline::Error unless h, w > 0,
// map.size() == h * w and every value is finite.
std::vector<float> rank_gaussian_filter(const std::vector<float>& map, int h, int w);

struct InterferenceResult {
    std::vector<float> map;           // ReLU(A_v - alpha I)
    double alpha = 0;                 // least-squares weight of the interference, >= 0
    std::vector<float> interference;  // I = sum_i w_i A_i (before alpha); zeros for an empty context
    std::vector<double> weights;      // w_i, one per context map
};

// Estimated causal inference: removes the part of the target's raw image map A_v explained by the raw
// maps A_i of its context tokens. w_i = txt[i] / (sum_k txt[k] + 1e-8); I = sum_i w_i A_i;
// alpha = <A_v, I> / <I, I> clamped to >= 0 (0 when <I, I> == 0); map = ReLU(A_v - alpha I).
// An empty context returns the target unchanged with alpha 0. Accumulates in double. Throws when a
// context map's size differs from the target's or the score count differs from the map count.
InterferenceResult remove_interference(const std::vector<float>& target_map,
                                       const std::vector<std::vector<float>>& context_maps,
                                       const std::vector<float>& context_text_scores);

// Min-max normalises the image map and the text scores together: one min and one max over the union of
// both, v <- (v - min) / (max - min). When max == min (including a single value) everything becomes 0.
// Both empty: nothing happens.
void joint_minmax(std::vector<float>& image, std::vector<float>& text);

}  // namespace sightline::tam
