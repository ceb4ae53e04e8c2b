#include "core/image/anyres.h"

#include <cmath>
#include <limits>

#include "core/util/error.h"

namespace sightline {

std::array<int, 2> select_best_resolution(int height, int width,
                                          const std::vector<std::array<int, 2>>& pinpoints) {
    if (height <= 0 || width <= 0) fail("any-resolution tiling: the image has no pixels");
    if (pinpoints.empty()) fail("any-resolution tiling: no grid pinpoints");
    std::array<int, 2> best{0, 0};
    std::int64_t best_effective = -1, best_wasted = std::numeric_limits<std::int64_t>::max();
    const std::int64_t original = static_cast<std::int64_t>(height) * width;
    for (const auto& p : pinpoints) {
        const double scale = std::min(static_cast<double>(p[1]) / width, static_cast<double>(p[0]) / height);
        const auto dw = static_cast<std::int64_t>(width * scale),
                   dh = static_cast<std::int64_t>(height * scale);
        const std::int64_t effective = std::min(dw * dh, original);
        const std::int64_t wasted = static_cast<std::int64_t>(p[0]) * p[1] - effective;
        if (effective > best_effective || (effective == best_effective && wasted < best_wasted)) {
            best_effective = effective;
            best_wasted = wasted;
            best = p;
        }
    }
    return best;
}

AnyresPlan plan_anyres(int height, int width, const std::vector<std::array<int, 2>>& pinpoints, int tile) {
    if (tile <= 0) fail("any-resolution tiling: tile size ", tile);
    AnyresPlan p;
    p.image_h = height;
    p.image_w = width;
    p.tile = tile;
    const auto best = select_best_resolution(height, width, pinpoints);
    p.best_h = best[0];
    p.best_w = best[1];
    if (p.best_h % tile != 0 || p.best_w % tile != 0)
        fail("any-resolution tiling: pinpoint ", p.best_h, "x", p.best_w, " is not a multiple of the tile ",
             tile);
    // _get_patch_output_size: scale by the tighter side, ceil the other, never past the target.
    const double scale_w = static_cast<double>(p.best_w) / width,
                 scale_h = static_cast<double>(p.best_h) / height;
    if (scale_w < scale_h) {
        p.new_w = p.best_w;
        p.new_h = std::min(static_cast<int>(std::ceil(height * scale_w)), p.best_h);
    } else {
        p.new_h = p.best_h;
        p.new_w = std::min(static_cast<int>(std::ceil(width * scale_h)), p.best_w);
    }
    p.new_h = std::max(p.new_h, 1);
    p.new_w = std::max(p.new_w, 1);
    // Centred; an odd remainder goes to the bottom/right so the canvas is exactly the pinpoint.
    p.pad_top = (p.best_h - p.new_h) / 2;
    p.pad_left = (p.best_w - p.new_w) / 2;
    return p;
}

AnyresFeatureGrid anyres_feature_grid(int image_h, int image_w, int rows, int cols, int side,
                                      int anyres_max) {
    if (image_h <= 0 || image_w <= 0 || rows <= 0 || cols <= 0 || side <= 0)
        fail("any-resolution features: bad sizes");
    AnyresFeatureGrid g;
    g.mosaic_h = rows * side;
    g.mosaic_w = cols * side;
    g.row0 = 0;
    g.row1 = g.mosaic_h;
    g.col0 = 0;
    g.col1 = g.mosaic_w;
    // unpad_image (transformers 4.46): the axis with padding keeps int(original * scale) features, centred.
    const double original_aspect = static_cast<double>(image_w) / image_h;
    const double current_aspect = static_cast<double>(g.mosaic_w) / g.mosaic_h;
    if (original_aspect > current_aspect) {
        const double scale = static_cast<double>(g.mosaic_w) / image_w;
        const int new_h = static_cast<int>(image_h * scale);
        const int pad = (g.mosaic_h - new_h) / 2;
        g.row0 = pad;
        g.row1 = g.mosaic_h - pad;
    } else {
        const double scale = static_cast<double>(g.mosaic_h) / image_h;
        const int new_w = static_cast<int>(image_w * scale);
        const int pad = (g.mosaic_w - new_w) / 2;
        g.col0 = pad;
        g.col1 = g.mosaic_w - pad;
    }
    if (g.row1 <= g.row0 || g.col1 <= g.col0) fail("any-resolution features: nothing left after unpadding");
    g.out_h = g.row1 - g.row0;
    g.out_w = g.col1 - g.col0;
    if (anyres_max > 0) {
        const double ratio = std::sqrt(static_cast<double>(g.out_h) * g.out_w /
                                       (static_cast<double>(anyres_max) * side * side));
        if (ratio > 1.1) {
            // int(h // ratio): Python floor division of a float
            g.out_h = std::max(1, static_cast<int>(std::floor(g.out_h / ratio)));
            g.out_w = std::max(1, static_cast<int>(std::floor(g.out_w / ratio)));
        }
    }
    return g;
}

AnyresImage preprocess_anyres(const cv::Mat& rgb8, const ImageProcessorConfig& cfg) {
    if (!cfg.anyres) fail("preprocess_anyres: the processor is not an any-resolution one");
    if (rgb8.empty() || rgb8.type() != CV_8UC3) fail("any-resolution tiling: expected an 8-bit RGB image");
    AnyresImage out;
    const int tile = cfg.tile_size();
    out.plan = plan_anyres(rgb8.rows, rgb8.cols, cfg.grid_pinpoints, tile);
    const AnyresPlan& p = out.plan;
    // Every view then runs the processor's own steps (resize, CLIP's centre crop, rescale, normalise).
    ImageProcessorConfig view_cfg = cfg;
    view_cfg.anyres = false;
    view_cfg.pad_to_square = false;
    // The base view: the whole image resized to tile x tile (the aspect ratio is not kept).
    // (LLaVA-NeXT resizes it to shortest_edge x shortest_edge, OneVision to size; both equal the tile in
    // released checkpoints, and the view's own steps then crop it to the tile.)
    const int base_side =
        cfg.kind == ImageProcessorKind::Clip && cfg.shortest_edge > 0 && cfg.resize_height == 0
            ? cfg.shortest_edge
            : tile;
    const cv::Mat base = pil_resize(rgb8, base_side, base_side, cfg.resample);
    PreprocessedImage base_view = preprocess_image(base, view_cfg);
    out.views.push_back(std::move(base_view));
    // The tiles: resized into the pinpoint, padded with zeros, cut row-major.
    const cv::Mat resized = pil_resize(rgb8, p.new_w, p.new_h, cfg.resample);
    cv::Mat canvas(p.best_h, p.best_w, CV_8UC3, cv::Scalar(0, 0, 0));
    resized.copyTo(canvas(cv::Rect(p.pad_left, p.pad_top, p.new_w, p.new_h)));
    for (int r = 0; r < p.rows(); ++r)
        for (int c = 0; c < p.cols(); ++c)
            out.views.push_back(
                preprocess_image(canvas(cv::Rect(c * tile, r * tile, tile, tile)).clone(), view_cfg));
    return out;
}

ImageLayout anyres_layout(const AnyresPlan& p, const AnyresFeatureGrid& g, int side) {
    ImageLayout l;
    l.original_width = p.image_w;
    l.original_height = p.image_h;
    l.views.push_back(ImageView{"base", side, side, cv::Rect2d(0, 0, p.image_w, p.image_h), 1, 1});
    // The padded canvas in original coordinates: canvas pixel x maps to (x - pad_left) * image_w / new_w.
    const double sx = static_cast<double>(p.image_w) / p.new_w, sy = static_cast<double>(p.image_h) / p.new_h;
    const cv::Rect2d canvas(-p.pad_left * sx, -p.pad_top * sy, p.best_w * sx, p.best_h * sy);
    if (!g.resized()) {
        l.views.push_back(ImageView{"tiles", g.mosaic_h, g.mosaic_w, canvas, p.rows(), p.cols()});
    } else {
        // The surviving part of the mosaic, resampled to out_h x out_w cells.
        const double cell_w = canvas.width / g.mosaic_w, cell_h = canvas.height / g.mosaic_h;
        const cv::Rect2d kept(canvas.x + g.col0 * cell_w, canvas.y + g.row0 * cell_h,
                              (g.col1 - g.col0) * cell_w, (g.row1 - g.row0) * cell_h);
        l.views.push_back(ImageView{"tiles", g.out_h, g.out_w, kept, 1, 1});
    }
    for (int r = 0; r < side; ++r)
        for (int c = 0; c < side; ++c) l.tokens.push_back({0, r, c});
    const int r_begin = g.resized() ? 0 : g.row0, c_begin = g.resized() ? 0 : g.col0;
    for (int r = 0; r < g.out_h; ++r) {
        for (int c = 0; c < g.out_w; ++c) l.tokens.push_back({1, r_begin + r, c_begin + c});
        l.tokens.push_back({});  // image_newline
    }
    l.validate();
    return l;
}

}  // namespace sightline
