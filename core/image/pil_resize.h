#pragma once
// Pillow-exact image resizing. Vision-language models were trained on images resized by Pillow
// (Image.resize, as called by Hugging Face image processors); OpenCV's INTER_CUBIC neither antialiases
// when shrinking nor rounds the same way, so we reproduce Pillow's ImagingResample (Pillow 9.x)
// bit for bit: separable convolution, horizontal pass first, 22-bit fixed-point coefficients and
// uint8 clipping after each pass.
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace sightline {

// The 1-D resampling weights of one axis, as Pillow's precompute_coeffs builds them for the whole
// image (box 0..in_size). Output pixel i reads input pixels first[i] .. first[i] + count[i] - 1 with
// weights weights[i * kernel_size + k] (normalised to sum 1) or, in 8-bit arithmetic,
// fixed[i * kernel_size + k] (weights scaled by 2^22 and rounded half away from zero).
struct PilResampleWeights {
    int in_size = 0;
    int out_size = 0;
    int kernel_size = 0;
    std::vector<int> first;
    std::vector<int> count;
    std::vector<double> weights;
    std::vector<std::int32_t> fixed;
};

inline constexpr int kPilPrecisionBits = 32 - 8 - 2;

// Weights for resizing an axis of in_size pixels to out_size with a PIL filter code
// (1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming). Throws sightline::Error on bad arguments.
PilResampleWeights pil_resample_weights(int in_size, int out_size, int resample);

// Pillow's Image.resize((width, height), resample) with the default box and no reducing_gap, for
// CV_8U images with 1 to 4 channels (each channel is filtered independently, alpha is not
// premultiplied). resample: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming.
// Same size returns a copy. Throws sightline::Error for empty input, bad sizes or codes.
cv::Mat pil_resize(const cv::Mat& image8, int width, int height, int resample = 3);

}  // namespace sightline
