#pragma once
// Any-resolution tiling of LLaVA-NeXT (LLaVA-1.6) and LLaVA-OneVision, as transformers'
// LlavaNextImageProcessor and LlavaNext/LlavaOnevision models compute it: choose the best resolution among
// the grid pinpoints, resize the image into it keeping the aspect ratio, pad it centred, cut it into tiles;
// the model lays the tiles' feature grids side by side, cuts away the rows or columns that only saw padding
// ("unpad"), optionally shrinks the rest (OneVision's anyres_max_N) and ends every row with a newline token.
#include <array>
#include <vector>

#include <opencv2/core.hpp>

#include "core/image/image_layout.h"
#include "core/image/preprocess.h"

namespace sightline {

// select_best_resolution: the [height, width] pinpoint that keeps the most of the image's resolution, then
// wastes the least. Throws on an empty list or a non-positive size.
std::array<int, 2> select_best_resolution(int height, int width,
                                          const std::vector<std::array<int, 2>>& pinpoints);

struct AnyresPlan {
    int image_h = 0, image_w = 0;  // original
    int best_h = 0, best_w = 0;    // the chosen pinpoint (the padded canvas)
    int new_h = 0, new_w = 0;      // the image resized into it, aspect ratio kept
    int pad_top = 0, pad_left = 0;
    int tile = 0;  // tile side in pixels
    int rows() const { return best_h / tile; }
    int cols() const { return best_w / tile; }
};
AnyresPlan plan_anyres(int height, int width, const std::vector<std::array<int, 2>>& pinpoints, int tile);

// The feature grid the model builds from the tiles: a mosaic of rows() x cols() tiles of side x side
// features, of which rows [row0, row1) and columns [col0, col1) survive unpadding; with anyres_max > 0 and a
// mosaic larger than 1.1 x sqrt(anyres_max) tiles' worth, it is then bilinearly resized to out_h x out_w.
struct AnyresFeatureGrid {
    int mosaic_h = 0, mosaic_w = 0;
    int row0 = 0, row1 = 0, col0 = 0, col1 = 0;
    int out_h = 0, out_w = 0;
    bool resized() const { return out_h != row1 - row0 || out_w != col1 - col0; }
    // Image tokens: the base view's side*side, then out_h rows of out_w features plus a newline each.
    std::int64_t token_count(int side) const {
        return static_cast<std::int64_t>(side) * side + static_cast<std::int64_t>(out_h) * (out_w + 1);
    }
};
AnyresFeatureGrid anyres_feature_grid(int image_h, int image_w, int rows, int cols, int side, int anyres_max);

struct AnyresImage {
    std::vector<PreprocessedImage> views;  // the base view, then the tiles row-major (CHW pixel values each)
    AnyresPlan plan;
};
// Runs the whole processor on an RGB image (cfg.anyres must be set).
AnyresImage preprocess_anyres(const cv::Mat& rgb8, const ImageProcessorConfig& cfg);

// Where every image token comes from: view 0 the base view over the whole image, view 1 the tile mosaic over
// the padded canvas (or, when resized, the unpadded part of it), newline tokens without pixels.
ImageLayout anyres_layout(const AnyresPlan& plan, const AnyresFeatureGrid& grid, int side);

}  // namespace sightline
