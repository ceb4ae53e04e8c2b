#pragma once
// Small image filters used by explainers and baselines (e.g. the "blurred image" baseline).
#include <opencv2/core.hpp>

namespace sightline {

// Gaussian blur of an 8-bit image (any channel count) with an odd kernel size > 0 and sigma > 0
// (reflect-101 borders, OpenCV's GaussianBlur). Throws sightline::Error on bad arguments.
cv::Mat gaussian_blur_rgb(const cv::Mat& rgb8, int kernel, double sigma);

}  // namespace sightline
