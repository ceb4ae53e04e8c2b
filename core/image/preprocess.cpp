#include "core/image/preprocess.h"

#include <algorithm>
#include <cstdint>

#include "core/util/error.h"

namespace sightline {
namespace {

// Python's floor division for the (possibly negative) crop offsets.
int floor_div2(int v) {
    return v >= 0 ? v / 2 : -((-v + 1) / 2);
}

void check_rgb8(const cv::Mat& rgb8, const char* step) {
    if (rgb8.empty() || rgb8.rows <= 0 || rgb8.cols <= 0) fail(step, ": the image is empty");
    if (rgb8.type() != CV_8UC3)
        fail(step, ": expected an 8-bit RGB image (CV_8UC3), got ", rgb8.channels(), " channel(s) of depth ",
             rgb8.depth());
}

}  // namespace

std::array<int, 3> pad_fill_rgb(const ImageProcessorConfig& cfg) {
    std::array<int, 3> fill{};
    for (std::size_t c = 0; c < 3; ++c) {
        const int v = static_cast<int>(static_cast<double>(cfg.mean[c]) * 255.0);  // Python int(): truncate
        fill[c] = std::clamp(v, 0, 255);
    }
    return fill;
}

cv::Mat expand_to_square(const cv::Mat& rgb8, const std::array<int, 3>& fill, int* pad_left, int* pad_top) {
    check_rgb8(rgb8, "pad to square");
    const int side = std::max(rgb8.cols, rgb8.rows);
    const int left = (side - rgb8.cols) / 2;
    const int top = (side - rgb8.rows) / 2;
    if (pad_left) *pad_left = left;
    if (pad_top) *pad_top = top;
    if (rgb8.cols == rgb8.rows) return rgb8;
    cv::Mat out(side, side, CV_8UC3, cv::Scalar(fill[0], fill[1], fill[2]));
    rgb8.copyTo(out(cv::Rect(left, top, rgb8.cols, rgb8.rows)));
    return out;
}

cv::Size resize_output_size(int width, int height, const ImageProcessorConfig& cfg) {
    if (width <= 0 || height <= 0) fail("resize: the image has no pixels");
    if (cfg.resize_width > 0 && cfg.resize_height > 0) return {cfg.resize_width, cfg.resize_height};
    if (cfg.kind == ImageProcessorKind::Siglip)
        fail("resize: a SigLIP processor needs size.height and size.width > 0, got ", cfg.resize_width, "x",
             cfg.resize_height);
    if (cfg.shortest_edge <= 0)
        fail("resize: a CLIP processor needs size.shortest_edge (or height and width) > 0");
    const std::int64_t short_side = std::min(width, height);
    const std::int64_t long_side = std::max(width, height);
    // int(size * long / short): exact integer product, one correctly rounded division, truncation.
    const int new_long = static_cast<int>(static_cast<double>(cfg.shortest_edge * long_side) /
                                          static_cast<double>(short_side));
    if (width <= height) return {cfg.shortest_edge, new_long};
    return {new_long, cfg.shortest_edge};
}

cv::Mat center_crop(const cv::Mat& image, int crop_width, int crop_height, int* left_out, int* top_out) {
    if (image.empty()) fail("center crop: the image is empty");
    if (crop_width <= 0 || crop_height <= 0)
        fail("center crop: crop size must be positive, got ", crop_width, "x", crop_height);
    const int left = floor_div2(image.cols - crop_width);
    const int top = floor_div2(image.rows - crop_height);
    if (left_out) *left_out = left;
    if (top_out) *top_out = top;
    const cv::Rect window(left, top, crop_width, crop_height);
    const cv::Rect inside = window & cv::Rect(0, 0, image.cols, image.rows);
    if (inside == window) return image(window).clone();
    cv::Mat out = cv::Mat::zeros(crop_height, crop_width, image.type());  // transformers pads with zeros
    if (inside.area() > 0)
        image(inside).copyTo(out(cv::Rect(inside.x - left, inside.y - top, inside.width, inside.height)));
    return out;
}

std::vector<float> to_pixel_values(const cv::Mat& rgb8, const ImageProcessorConfig& cfg) {
    check_rgb8(rgb8, "normalise");
    const int h = rgb8.rows;
    const int w = rgb8.cols;
    const std::size_t plane = static_cast<std::size_t>(h) * static_cast<std::size_t>(w);
    // Every channel has only 256 possible inputs: tabulate the exact float32 results.
    std::array<std::array<float, 256>, 3> table{};
    for (std::size_t c = 0; c < 3; ++c) {
        for (int v = 0; v < 256; ++v) {
            float x = cfg.do_rescale ? static_cast<float>(v * cfg.rescale_factor) : static_cast<float>(v);
            if (cfg.do_normalize) x = (x - cfg.mean[c]) / cfg.std[c];
            table[c][static_cast<std::size_t>(v)] = x;
        }
    }
    std::vector<float> out(plane * 3);
    for (int y = 0; y < h; ++y) {
        const std::uint8_t* row = rgb8.ptr<std::uint8_t>(y);
        const std::size_t base = static_cast<std::size_t>(y) * static_cast<std::size_t>(w);
        for (int x = 0; x < w; ++x)
            for (std::size_t c = 0; c < 3; ++c)
                out[c * plane + base + static_cast<std::size_t>(x)] =
                    table[c][row[x * 3 + static_cast<int>(c)]];
    }
    return out;
}

PreprocessedImage preprocess_image(const cv::Mat& rgb8, const ImageProcessorConfig& cfg) {
    check_rgb8(rgb8, "preprocess");
    PreprocessedImage result;
    result.original_width = rgb8.cols;
    result.original_height = rgb8.rows;
    cv::Mat image = rgb8;

    if (cfg.pad_to_square) {
        int left = 0, top = 0;
        image = expand_to_square(image, pad_fill_rgb(cfg), &left, &top);
        result.offset_x = -left;
        result.offset_y = -top;
    }
    if (cfg.do_resize) {
        const cv::Size size = resize_output_size(image.cols, image.rows, cfg);
        result.scale_x = static_cast<double>(image.cols) / size.width;
        result.scale_y = static_cast<double>(image.rows) / size.height;
        image = pil_resize(image, size.width, size.height, cfg.resample);
    }
    if (cfg.do_center_crop && cfg.kind == ImageProcessorKind::Clip) {
        int left = 0, top = 0;
        image = center_crop(image, cfg.crop_width, cfg.crop_height, &left, &top);
        result.offset_x += left * result.scale_x;
        result.offset_y += top * result.scale_y;
    }
    result.model_view = image.data == rgb8.data ? rgb8.clone() : image;
    result.pixel_values = to_pixel_values(result.model_view, cfg);
    result.channels = 3;
    result.height = result.model_view.rows;
    result.width = result.model_view.cols;
    return result;
}

cv::Point2d model_view_to_original(const PreprocessedImage& p, cv::Point2d q) {
    return {p.offset_x + q.x * p.scale_x, p.offset_y + q.y * p.scale_y};
}

cv::Point2d original_to_model_view(const PreprocessedImage& p, cv::Point2d q) {
    return {(q.x - p.offset_x) / p.scale_x, (q.y - p.offset_y) / p.scale_y};
}

cv::Rect2d model_view_rect_to_original(const PreprocessedImage& p, const cv::Rect2d& r) {
    const cv::Point2d a = model_view_to_original(p, r.tl());
    return {a.x, a.y, r.width * p.scale_x, r.height * p.scale_y};
}

}  // namespace sightline
