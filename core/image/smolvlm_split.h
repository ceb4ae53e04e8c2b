#pragma once
// SmolVLM / Idefics3 image splitting, as transformers' SmolVLMImageProcessor (= Idefics3ImageProcessor)
// computes it: the longest edge resized to size.longest_edge (aspect kept, the short side made even), then
// both sides resized up to multiples of max_image_size, cut row-major into max_image_size crops, and the
// whole resized image shrunk to one crop as the global view, which comes last. Every resize is Pillow's
// (LANCZOS in released checkpoints). The model turns each view into (grid / scale_factor)^2 tokens.
#include <vector>

#include <opencv2/core.hpp>

#include "core/image/image_layout.h"
#include "core/image/preprocess.h"

namespace sightline {

struct SmolVLMPlan {
    int image_w = 0, image_h = 0;      // original
    int resized_w = 0, resized_h = 0;  // after the longest-edge resize (the original without do_resize)
    int canvas_w = 0, canvas_h = 0;    // after the resize to multiples of the crop (what the crops tile)
    int tile = 0;                      // crop side (max_image_size)
    int rows = 0, cols = 0;            // crops; 0 x 0: the global view alone
    int views() const { return rows * cols + 1; }
};

// The sizes for an image of width x height (transformers' integer arithmetic); throws on bad sizes.
SmolVLMPlan plan_smolvlm(int width, int height, const ImageProcessorConfig& cfg);

struct SmolVLMImage {
    std::vector<PreprocessedImage> views;  // crops row-major, then the global view (CHW pixel values each)
    SmolVLMPlan plan;
};
// Runs the whole processor on an RGB image (cfg.smolvlm must be set).
SmolVLMImage preprocess_smolvlm(const cv::Mat& rgb8, const ImageProcessorConfig& cfg);

// Where every image token comes from: one view per crop ("crop", its rectangle of the original image), then
// the "global" view over the whole image; each view a side x side grid of tokens, row-major.
ImageLayout smolvlm_layout(const SmolVLMPlan& plan, int side);

}  // namespace sightline
