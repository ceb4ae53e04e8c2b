#pragma once
// Faithfulness of a map by perturbation (METHODS.md section 9): deletion and insertion curves over grid
// cells ordered by importance, and the blurred-image baseline (METHODS.md section 7).
#include <functional>
#include <opencv2/core.hpp>
#include <vector>

#include "core/metrics/grid_map.h"

namespace sightline::metrics {

struct Curve {
    std::vector<double> fraction;  // fraction of grid cells changed, 0 ... 1
    std::vector<double> score;     // normalised target probability at each fraction
    double auc = 0;                // trapezoid area under score over fraction
    double score_image = 0;        // raw probability with the full image
    double score_baseline = 0;     // raw probability with the full baseline
    // False when |score_image - score_baseline| <= 1e-12: normalising would divide by zero, so `score`
    // (and `auc`) hold the raw probabilities instead.
    bool normalised = true;
};

// Cell indices (r * w + c) by decreasing value; equal values keep row-major order (stable).
std::vector<int> cells_by_importance(const GridMap& importance);

// A copy of `baseline_rgb` in which every grid cell with use_image[r * grid_w + c] comes from
// `image_rgb`. Cell (r, c) covers pixel rows [r*H/gh, (r+1)*H/gh) and columns [c*W/gw, (c+1)*W/gw)
// (integer division), so the cells tile the image exactly. Both images must have the same size and type.
cv::Mat compose_cells(const cv::Mat& image_rgb, const cv::Mat& baseline_rgb, int grid_h, int grid_w,
                      const std::vector<bool>& use_image);

using ProbabilityFn = std::function<double(const cv::Mat& image)>;

// Deletion: starting from the image, the k most important cells are replaced by the baseline, for
// k_i = round(i N / steps), i = 0..steps (N = grid cells; steps is clamped to N; halves round up).
// Insertion: starting from the baseline, the k most important cells are taken from the image.
// Score: (s - s_baseline) / (s_image - s_baseline), s = prob(composed image) (see Curve::normalised for a
// zero denominator). AUC by the trapezoid rule over the fraction k/N in [0, 1]. Lower deletion AUC and
// higher insertion AUC are better. prob is called steps + 1 times: on the image, on the baseline (these
// two are reused as the end points) and on the steps - 1 interior compositions. Throws on steps < 1, on
// image/baseline size or type mismatch, or when prob returns a non-finite value.
Curve deletion_curve(const GridMap& importance, int steps, const ProbabilityFn& prob, const cv::Mat& image,
                     const cv::Mat& baseline);
Curve insertion_curve(const GridMap& importance, int steps, const ProbabilityFn& prob, const cv::Mat& image,
                      const cv::Mat& baseline);

// Trapezoid rule: sum (x[i+1] - x[i]) (y[i] + y[i+1]) / 2. Fewer than two points -> 0. Throws when the
// sizes differ, a value is not finite, or xs decreases.
double trapezoid_auc(const std::vector<double>& xs, const std::vector<double>& ys);

// Kernel size K of the blurred baseline by image width: >= 2000: 501, >= 800: 301, >= 500: 201, else 101.
int blur_kernel_for_width(int width);

// The kernel actually used on a width x height image: K per axis, clamped to the largest odd size <= that
// axis's length (so small images get a kernel no larger than themselves).
cv::Size blur_kernel_size(int width, int height);

// Gaussian blur of an image (any type cv::GaussianBlur takes, e.g. CV_8UC3) with kernel
// blur_kernel_size() and sigma = K - 1 in both directions (K from the width rule, unclamped, so a
// clamped kernel keeps the recipe's sigma), reflect-101 borders.
cv::Mat blurred_baseline(const cv::Mat& rgb);

}  // namespace sightline::metrics
