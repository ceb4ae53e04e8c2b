#pragma once
// Image geometry as data: where every image token of a prompt came from. A model sees an image through one or
// more views (one square grid for LLaVA-1.5; a low-resolution base view plus a mosaic of high-resolution
// tiles for LLaVA-NeXT/OneVision; crops plus a global view for SmolVLM; one merged-patch grid for Qwen2-VL).
// Each view is a grid of token cells whose extent in the ORIGINAL image is known; each image position of the
// prompt is one cell of one view, or a token without pixels (a class token, a row separator).
//
// Explainers give one value per image position; compose_map() draws those values back over the original image
// on a dense grid (the map grid of the trace), by a documented rule, so every family's maps land where the
// model looked.
#include <nlohmann/json_fwd.hpp>
#include <opencv2/core/types.hpp>
#include <string>
#include <vector>

namespace sightline {

struct ImageView {
    std::string kind;            // "image" (the only view), "base", "tiles", "crop", "global"
    int grid_h = 0, grid_w = 0;  // token cells of the view
    // The grid's extent in original-image coordinates (continuous, pixel (i, j) covers [j, j+1) x [i, i+1)).
    // It may reach past the image where the model saw padding.
    cv::Rect2d rect;
    int tile_rows = 1, tile_cols = 1;  // tiles the grid is made of (for drawing tile boundaries)
};

struct ImageTokenPlace {
    int view = -1;  // -1: a token with no pixels (class token, row separator)
    int row = -1, col = -1;
};

struct ImageLayout {
    int original_width = 0, original_height = 0;
    std::vector<ImageView> views;
    std::vector<ImageTokenPlace> tokens;  // one per image position, in sequence order

    bool empty() const { return views.empty(); }
    bool single_grid() const { return views.size() == 1; }
    // A cell's rectangle in original-image coordinates.
    cv::Rect2d cell_rect(int view, int row, int col) const;
    // Throws sightline::Error when a token names a view or cell that does not exist, a view has an empty
    // grid or rectangle, or the original size is not positive.
    void validate() const;
};

// One square (or rectangular) grid covering `rect` of an original image: the layout of single-view models.
// Image position i holds patch i + first_patch (row-major); a negative patch index is a pixel-less token (a
// class token: first_patch -1), so LLaVA's "default" strategy, which drops the tower's first token, is
// first_patch 1 without a class token and 0 with one. The tokens run to the last patch.
ImageLayout single_grid_layout(int original_width, int original_height, int grid_h, int grid_w,
                               const cv::Rect2d& rect, int first_patch = 0);

// The dense grid compose_map() draws on for `layout`: about two cells per side of the finest view's cell,
// at most `max_side` cells on the long side. For a single-grid layout it is that grid itself.
cv::Size map_grid_size(const ImageLayout& layout, int max_side = 96);

// Composition rule. Each dense cell takes the value of the token cell that contains the dense cell's centre
// in every view covering that point (views whose cell has no token there, e.g. unpadded or dropped rows, do
// not count) and averages them with equal weight per view. Dense cells no view covers get 0. With
// `only_view` >= 0, only that view is drawn. For a single-grid layout whose grid equals the dense grid the
// values are placed cell for cell. Returns grid.height * grid.width values, row-major.
std::vector<float> compose_map(const ImageLayout& layout, const std::vector<float>& per_token, cv::Size grid,
                               int only_view = -1);

// The boundaries to draw over the original image: for every view (or only `only_view` when >= 0) its
// rectangle, and for a view made of several tiles each tile's rectangle. Single-grid layouts give none
// (there is nothing to tell apart).
std::vector<cv::Rect2d> view_outlines(const ImageLayout& layout, int only_view = -1);

// The values of view `view`'s tokens min-max scaled to [0, 1] over that view alone (the other tokens
// keep their values: compose_map with only_view ignores them), for drawing one view by itself.
std::vector<float> view_scaled(const ImageLayout& layout, const std::vector<float>& per_token, int view);

// Human-readable name of a view: "base view", "tiles 2x2", "crop (1, 2)", "global view", "image".
std::string describe_view(const ImageView& v, int index);

nlohmann::json image_layout_to_json(const ImageLayout& l);
// Validates as it reads (see ImageLayout::validate); throws sightline::Error on bad input.
ImageLayout image_layout_from_json(const nlohmann::json& j);

}  // namespace sightline
