#include "core/image/smolvlm_split.h"

#include <algorithm>
#include <cmath>

#include "core/util/error.h"

namespace sightline {
namespace {

constexpr int kMaxImageSize = 4096;  // transformers' MAX_IMAGE_SIZE

int ceil_to(int v, int m) {
    return (v + m - 1) / m * m;
}

}  // namespace

SmolVLMPlan plan_smolvlm(int width, int height, const ImageProcessorConfig& cfg) {
    if (width <= 0 || height <= 0) fail("SmolVLM image splitting: the image has no pixels");
    const int tile = cfg.resize_width;
    if (tile <= 0 || cfg.resize_height != tile) fail("SmolVLM image splitting: bad crop size ", tile);
    SmolVLMPlan p;
    p.image_w = width;
    p.image_h = height;
    p.tile = tile;
    int w = width, h = height;
    if (cfg.do_resize) {
        // _resize_output_size_rescale_to_max_len: the long side to longest_edge, int() of the other, made
        // even.
        if (cfg.longest_edge <= 0) fail("SmolVLM image splitting: size.longest_edge must be positive");
        const double aspect = static_cast<double>(w) / h;
        if (w >= h) {
            w = cfg.longest_edge;
            h = static_cast<int>(w / aspect);
            if (h % 2 != 0) ++h;
        } else {
            h = cfg.longest_edge;
            w = static_cast<int>(h * aspect);
            if (w % 2 != 0) ++w;
        }
        h = std::max(h, 1);
        w = std::max(w, 1);
        // _resize_output_size_scale_below_upper_bound(MAX_IMAGE_SIZE)
        const double aspect2 = static_cast<double>(w) / h;
        if (w >= h && w > kMaxImageSize) {
            w = kMaxImageSize;
            h = static_cast<int>(w / aspect2);
        } else if (h > w && h > kMaxImageSize) {
            h = kMaxImageSize;
            w = static_cast<int>(h * aspect2);
        }
        h = std::max(h, 1);
        w = std::max(w, 1);
    }
    p.resized_w = w;
    p.resized_h = h;
    if (!cfg.do_image_splitting) {
        p.canvas_w = p.canvas_h = tile;
        return p;
    }
    // resize_for_vision_encoder: the long side up to a multiple of the tile, the other from the aspect ratio.
    const double aspect = static_cast<double>(w) / h;
    if (w >= h) {
        w = ceil_to(w, tile);
        h = ceil_to(static_cast<int>(w / aspect), tile);
    } else {
        h = ceil_to(h, tile);
        w = ceil_to(static_cast<int>(h * aspect), tile);
    }
    p.canvas_w = std::max(w, tile);
    p.canvas_h = std::max(h, tile);
    // split_image: crops only when the canvas is larger than one tile.
    if (p.canvas_h > tile || p.canvas_w > tile) {
        p.rows = p.canvas_h / tile;
        p.cols = p.canvas_w / tile;
    }
    return p;
}

SmolVLMImage preprocess_smolvlm(const cv::Mat& rgb8, const ImageProcessorConfig& cfg) {
    if (!cfg.smolvlm) fail("preprocess_smolvlm: the processor is not SmolVLM's");
    if (rgb8.empty() || rgb8.type() != CV_8UC3) fail("SmolVLM image splitting: expected an 8-bit RGB image");
    SmolVLMImage out;
    out.plan = plan_smolvlm(rgb8.cols, rgb8.rows, cfg);
    const SmolVLMPlan& p = out.plan;
    // Each view is already tile x tile: only rescale and normalise remain.
    ImageProcessorConfig view_cfg = cfg;
    view_cfg.smolvlm = false;
    view_cfg.do_resize = false;
    view_cfg.pad_to_square = false;
    view_cfg.do_center_crop = false;
    cv::Mat image = rgb8;
    if (cfg.do_resize && (p.resized_w != image.cols || p.resized_h != image.rows))
        image = pil_resize(image, p.resized_w, p.resized_h, cfg.resample);
    if (cfg.do_image_splitting) {
        image = pil_resize(image, p.canvas_w, p.canvas_h, cfg.resample);  // Pillow copies an unchanged size
        for (int r = 0; r < p.rows; ++r)
            for (int c = 0; c < p.cols; ++c)
                out.views.push_back(preprocess_image(
                    image(cv::Rect(c * p.tile, r * p.tile, p.tile, p.tile)).clone(), view_cfg));
    }
    if (image.cols != p.tile || image.rows != p.tile) image = pil_resize(image, p.tile, p.tile, cfg.resample);
    out.views.push_back(preprocess_image(image, view_cfg));
    return out;
}

ImageLayout smolvlm_layout(const SmolVLMPlan& p, int side) {
    if (side <= 0) fail("SmolVLM layout: ", side, " tokens a side");
    ImageLayout l;
    l.original_width = p.image_w;
    l.original_height = p.image_h;
    // The canvas covers the whole original image (no padding), so a crop's share of it is its share of the
    // image.
    auto x_at = [&](int canvas_x) { return static_cast<double>(canvas_x) * p.image_w / p.canvas_w; };
    auto y_at = [&](int canvas_y) { return static_cast<double>(canvas_y) * p.image_h / p.canvas_h; };
    for (int r = 0; r < p.rows; ++r)
        for (int c = 0; c < p.cols; ++c) {
            const double x0 = x_at(c * p.tile), y0 = y_at(r * p.tile);
            l.views.push_back(ImageView{
                "crop", side, side,
                cv::Rect2d(x0, y0, x_at((c + 1) * p.tile) - x0, y_at((r + 1) * p.tile) - y0), 1, 1});
        }
    l.views.push_back(ImageView{"global", side, side, cv::Rect2d(0, 0, p.image_w, p.image_h), 1, 1});
    for (int v = 0; v < static_cast<int>(l.views.size()); ++v)
        for (int r = 0; r < side; ++r)
            for (int c = 0; c < side; ++c) l.tokens.push_back({v, r, c});
    l.validate();
    return l;
}

}  // namespace sightline
