#pragma once
// Turning an RGB image into a vision tower's pixel_values exactly like Hugging Face's
// CLIPImageProcessor / SiglipImageProcessor (and original LLaVA's expand2square "pad" mode), and
// remembering where the model's view lies in the original image so maps can be drawn back onto it.
//
// This header is the entry point of the image library: it also brings in loading, Pillow-exact
// resizing and the processor config.
#include <array>
#include <vector>

#include <opencv2/core.hpp>

#include "core/image/image_filters.h"
#include "core/image/image_io.h"
#include "core/image/image_processor_config.h"
#include "core/image/pil_resize.h"

namespace sightline {

struct PreprocessedImage {
    std::vector<float> pixel_values;  // CHW float32, channels R, G, B
    int channels = 3;
    int height = 0;
    int width = 0;
    // RGB uint8 image the model actually sees (after pad/resize/crop, before rescale/normalise).
    cv::Mat model_view;
    // Where model_view lies in the ORIGINAL image: original = offset + model_view * scale, in
    // continuous pixel-corner coordinates (pixel (i, j) covers [j, j+1) x [i, i+1)).
    double scale_x = 1;  // original pixels per model_view pixel
    double scale_y = 1;
    double offset_x = 0;  // original coords of model_view's top-left corner (negative with padding)
    double offset_y = 0;
    int original_width = 0;
    int original_height = 0;
};

// Runs pad-to-square (optional), resize, centre crop (CLIP only: SigLIP never crops), rescale and
// normalise. Needs a non-empty
// CV_8UC3 RGB image; throws sightline::Error on bad input or an impossible config.
PreprocessedImage preprocess_image(const cv::Mat& rgb8, const ImageProcessorConfig& cfg);

// Geometry: model_view coordinates <-> original-image coordinates (both continuous).
cv::Point2d model_view_to_original(const PreprocessedImage& p, cv::Point2d model_view_point);
cv::Point2d original_to_model_view(const PreprocessedImage& p, cv::Point2d original_point);
// A rectangle of model_view (e.g. one ViT patch) as a rectangle of the original image.
cv::Rect2d model_view_rect_to_original(const PreprocessedImage& p, const cv::Rect2d& model_view_rect);

// ---- The individual steps, usable on their own ----

// Fill colour of the LLaVA pad mode: int(mean[c] * 255) for R, G, B.
std::array<int, 3> pad_fill_rgb(const ImageProcessorConfig& cfg);

// LLaVA expand2square: centres the image on a square canvas of side max(w, h) filled with `fill`
// (RGB); left/top = (side - w) // 2 and (side - h) // 2. Returns the input when already square.
cv::Mat expand_to_square(const cv::Mat& rgb8, const std::array<int, 3>& fill, int* pad_left = nullptr,
                         int* pad_top = nullptr);

// Size (width, height) the resize step produces for an input of width x height. CLIP: explicit
// resize_width x resize_height when both are > 0, else shortest edge -> shortest_edge and the long
// edge int(shortest_edge * long / short) (transformers' get_resize_output_image_size). SigLIP:
// resize_width x resize_height.
cv::Size resize_output_size(int width, int height, const ImageProcessorConfig& cfg);

// transformers' center_crop: left/top = (w - crop_w) // 2 and (h - crop_h) // 2 (floor division);
// parts of the crop window outside the image are zeros. Writes the window's top-left corner in
// input coordinates (negative when the input is smaller than the crop).
cv::Mat center_crop(const cv::Mat& image, int crop_width, int crop_height, int* left = nullptr,
                    int* top = nullptr);

// Rescale and normalise an RGB uint8 image into CHW float32, in the same float32 arithmetic as
// transformers (value * rescale_factor in double, cast to float, then (x - mean) / std in float).
std::vector<float> to_pixel_values(const cv::Mat& rgb8, const ImageProcessorConfig& cfg);

}  // namespace sightline
