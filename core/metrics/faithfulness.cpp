#include "core/metrics/faithfulness.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <opencv2/imgproc.hpp>

#include "core/util/error.h"

namespace sightline::metrics {
namespace {

void check_pair(const cv::Mat& image, const cv::Mat& baseline, const char* who) {
    if (image.empty()) fail(who, ": the image is empty");
    if (image.size() != baseline.size() || image.type() != baseline.type())
        fail(who, ": the baseline (", baseline.cols, "x", baseline.rows, ", type ", baseline.type(),
             ") must match the image (", image.cols, "x", image.rows, ", type ", image.type(), ")");
}

double checked_prob(const ProbabilityFn& prob, const cv::Mat& image, const char* who) {
    const double s = prob(image);
    if (!std::isfinite(s)) fail(who, ": the probability function returned a non-finite value");
    return s;
}

Curve perturbation_curve(const GridMap& importance, int steps, const ProbabilityFn& prob,
                         const cv::Mat& image, const cv::Mat& baseline, bool deletion) {
    const char* who = deletion ? "deletion_curve" : "insertion_curve";
    check_grid(importance, who);
    check_pair(image, baseline, who);
    if (steps < 1) fail(who, ": steps must be >= 1, got ", steps);
    if (!prob) fail(who, ": no probability function");
    const long long n = importance.cells();
    const long long step_count = std::min<long long>(steps, n);
    const std::vector<int> order = cells_by_importance(importance);

    Curve curve;
    curve.score_image = checked_prob(prob, image, who);
    curve.score_baseline = checked_prob(prob, baseline, who);
    const double denominator = curve.score_image - curve.score_baseline;
    curve.normalised = std::abs(denominator) > 1e-12;
    // Deletion starts from the image and moves cells to the baseline; insertion the other way round.
    const double start = deletion ? curve.score_image : curve.score_baseline;
    const double end = deletion ? curve.score_baseline : curve.score_image;

    for (long long i = 0; i <= step_count; ++i) {
        const long long k = (2 * i * n + step_count) / (2 * step_count);  // round(i n / steps), halves up
        double s = 0;
        if (k == 0) {
            s = start;
        } else if (k == n) {
            s = end;
        } else {
            std::vector<bool> use_image(static_cast<std::size_t>(n), deletion);
            for (long long j = 0; j < k; ++j)
                use_image[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])] = !deletion;
            s = checked_prob(prob, compose_cells(image, baseline, importance.h, importance.w, use_image),
                             who);
        }
        curve.fraction.push_back(static_cast<double>(k) / static_cast<double>(n));
        curve.score.push_back(curve.normalised ? (s - curve.score_baseline) / denominator : s);
    }
    curve.auc = trapezoid_auc(curve.fraction, curve.score);
    return curve;
}

int largest_odd_at_most(int n) {
    return n % 2 == 1 ? n : n - 1;
}

}  // namespace

std::vector<int> cells_by_importance(const GridMap& importance) {
    check_grid(importance, "cells_by_importance");
    std::vector<int> order(static_cast<std::size_t>(importance.cells()));
    std::iota(order.begin(), order.end(), 0);
    const std::vector<float>& v = importance.values;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return v[static_cast<std::size_t>(a)] > v[static_cast<std::size_t>(b)];
    });
    return order;
}

cv::Mat compose_cells(const cv::Mat& image_rgb, const cv::Mat& baseline_rgb, int grid_h, int grid_w,
                      const std::vector<bool>& use_image) {
    check_pair(image_rgb, baseline_rgb, "compose_cells");
    if (grid_h <= 0 || grid_w <= 0) fail("compose_cells: grid size ", grid_h, "x", grid_w, " is empty");
    const std::size_t cells = static_cast<std::size_t>(grid_h) * static_cast<std::size_t>(grid_w);
    if (use_image.size() != cells)
        fail("compose_cells: a ", grid_h, "x", grid_w, " grid needs ", cells, " flags, got ",
             use_image.size());
    const long long rows = image_rgb.rows, cols = image_rgb.cols;
    cv::Mat out = baseline_rgb.clone();
    for (int r = 0; r < grid_h; ++r) {
        const int y0 = static_cast<int>(r * rows / grid_h), y1 = static_cast<int>((r + 1) * rows / grid_h);
        for (int c = 0; c < grid_w; ++c) {
            if (!use_image[static_cast<std::size_t>(r) * static_cast<std::size_t>(grid_w) +
                           static_cast<std::size_t>(c)])
                continue;
            const int x0 = static_cast<int>(c * cols / grid_w),
                      x1 = static_cast<int>((c + 1) * cols / grid_w);
            if (y1 <= y0 || x1 <= x0) continue;
            const cv::Rect cell(x0, y0, x1 - x0, y1 - y0);
            image_rgb(cell).copyTo(out(cell));
        }
    }
    return out;
}

Curve deletion_curve(const GridMap& importance, int steps, const ProbabilityFn& prob, const cv::Mat& image,
                     const cv::Mat& baseline) {
    return perturbation_curve(importance, steps, prob, image, baseline, true);
}

Curve insertion_curve(const GridMap& importance, int steps, const ProbabilityFn& prob, const cv::Mat& image,
                      const cv::Mat& baseline) {
    return perturbation_curve(importance, steps, prob, image, baseline, false);
}

double trapezoid_auc(const std::vector<double>& xs, const std::vector<double>& ys) {
    if (xs.size() != ys.size()) fail("trapezoid_auc: ", xs.size(), " x values but ", ys.size(), " y values");
    for (std::size_t i = 0; i < xs.size(); ++i)
        if (!std::isfinite(xs[i]) || !std::isfinite(ys[i]))
            fail("trapezoid_auc: point ", i, " is not finite");
    double area = 0;
    for (std::size_t i = 1; i < xs.size(); ++i) {
        if (xs[i] < xs[i - 1]) fail("trapezoid_auc: x decreases at point ", i);
        area += (xs[i] - xs[i - 1]) * (ys[i] + ys[i - 1]) / 2.0;
    }
    return area;
}

int blur_kernel_for_width(int width) {
    if (width >= 2000) return 501;
    if (width >= 800) return 301;
    if (width >= 500) return 201;
    return 101;
}

cv::Size blur_kernel_size(int width, int height) {
    if (width <= 0 || height <= 0) fail("blur_kernel_size: image size ", width, "x", height, " is empty");
    const int k = blur_kernel_for_width(width);
    return {std::min(k, largest_odd_at_most(width)), std::min(k, largest_odd_at_most(height))};
}

cv::Mat blurred_baseline(const cv::Mat& rgb) {
    if (rgb.empty()) fail("blurred_baseline: the image is empty");
    const double sigma = blur_kernel_for_width(rgb.cols) - 1;
    cv::Mat out;
    cv::GaussianBlur(rgb, out, blur_kernel_size(rgb.cols, rgb.rows), sigma, sigma, cv::BORDER_REFLECT_101);
    return out;
}

}  // namespace sightline::metrics
