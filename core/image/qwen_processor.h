#pragma once
// Qwen2VLImageProcessor (Qwen2-VL and Qwen2.5-VL) for one still image: smart_resize to a size whose sides are
// multiples of patch_size * merge_size and whose area lies in [min_pixels, max_pixels] (aspect ratio nearly
// kept), Pillow resize, rescale and normalise, the frame repeated temporal_patch_size times, then cut into
// patches flattened as transformers does: rows ordered (t, h / merge, w / merge, merge row, merge column),
// columns ordered (channel, frame, y, x).
#include <nlohmann/json_fwd.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/image/image_processor_config.h"
#include "core/image/preprocess.h"

namespace sightline {

// The fields of a Qwen2VLImageProcessor preprocessor_config.json with the class defaults. min_pixels and
// max_pixels come from the top-level keys (both transformers 4.46 and 4.51 write them), else from
// size.shortest_edge / longest_edge (4.51) or size.min_pixels / max_pixels (4.46).
ImageProcessorConfig parse_qwen_processor_config(const nlohmann::json& j);
std::string describe_qwen_processor(const ImageProcessorConfig& cfg);

// transformers' smart_resize: (height, width) of the resized image. Throws for an aspect ratio above 200.
std::pair<int, int> qwen_smart_resize(int height, int width, int factor, long long min_pixels,
                                      long long max_pixels);

struct QwenPatches {
    std::vector<float> values;  // [rows, cols] row-major
    int rows = 0, cols = 0;
    int grid_t = 1, grid_h = 0, grid_w = 0;  // the patch grid before merging
    PreprocessedImage view;                  // the resized image and its scale to the original (no pixels)
};
QwenPatches preprocess_qwen(const cv::Mat& rgb8, const ImageProcessorConfig& cfg);

}  // namespace sightline
