#include "core/image/qwen_processor.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

using json = nlohmann::json;

const json* field(const json& j, const char* key) {
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? nullptr : &*it;
}

long long get_count(const json& v, const std::string& what) {
    if (!v.is_number() || v.get<double>() != std::floor(v.get<double>()) || v.get<double>() < 1 ||
        v.get<double>() > 1e12)
        fail("field \"", what, "\" must be a positive integer, got ", v.dump());
    return static_cast<long long>(v.get<double>());
}

bool get_flag(const json& j, const char* key, bool fallback) {
    const json* v = field(j, key);
    if (v == nullptr) return fallback;
    if (!v->is_boolean()) fail("field \"", key, "\" must be true or false, got ", v->dump());
    return v->get<bool>();
}

std::array<float, 3> get_triple(const json& j, const char* key, std::array<float, 3> fallback) {
    const json* v = field(j, key);
    if (v == nullptr) return fallback;
    std::array<float, 3> out{};
    if (v->is_number()) {
        out.fill(v->get<float>());
    } else if (v->is_array() && v->size() == 3 && (*v)[0].is_number() && (*v)[1].is_number() &&
               (*v)[2].is_number()) {
        for (std::size_t c = 0; c < 3; ++c) out[c] = (*v)[c].get<float>();
    } else {
        fail("field \"", key, "\" must be a number or a list of 3 numbers, got ", v->dump());
    }
    return out;
}

}  // namespace

ImageProcessorConfig parse_qwen_processor_config(const json& j) {
    ImageProcessorConfig cfg;
    cfg.kind = ImageProcessorKind::Qwen;
    cfg.do_center_crop = false;
    cfg.crop_height = cfg.crop_width = 0;
    cfg.shortest_edge = 0;
    cfg.resample = PilBicubic;
    cfg.do_resize = get_flag(j, "do_resize", true);
    cfg.do_rescale = get_flag(j, "do_rescale", true);
    cfg.do_normalize = get_flag(j, "do_normalize", true);
    if (const json* v = field(j, "rescale_factor")) {
        if (!v->is_number()) fail("field \"rescale_factor\" must be a number, got ", v->dump());
        cfg.rescale_factor = v->get<double>();
    }
    if (const json* v = field(j, "resample")) {
        if (!v->is_number_integer()) fail("field \"resample\" must be an integer, got ", v->dump());
        cfg.resample = v->get<int>();
    }
    if (cfg.resample < PilNearest || cfg.resample > PilHamming)
        fail("field \"resample\" must be a PIL filter code 0..5, got ", cfg.resample);
    cfg.mean = get_triple(j, "image_mean", kOpenAiClipMean);
    cfg.std = get_triple(j, "image_std", kOpenAiClipStd);
    for (float f : cfg.std)
        if (f == 0.0f) fail("field \"image_std\" must not contain 0");
    if (const json* size = field(j, "size")) {
        if (!size->is_object()) fail("field \"size\" must be an object, got ", size->dump());
        for (auto [lo, hi] : {std::pair{"shortest_edge", "longest_edge"}, {"min_pixels", "max_pixels"}}) {
            if (const json* v = field(*size, lo)) cfg.min_pixels = get_count(*v, cat("size.", lo));
            if (const json* v = field(*size, hi)) cfg.max_pixels = get_count(*v, cat("size.", hi));
        }
    }
    if (const json* v = field(j, "min_pixels")) cfg.min_pixels = get_count(*v, "min_pixels");
    if (const json* v = field(j, "max_pixels")) cfg.max_pixels = get_count(*v, "max_pixels");
    if (cfg.min_pixels > cfg.max_pixels)
        fail("min_pixels ", cfg.min_pixels, " is larger than max_pixels ", cfg.max_pixels);
    if (const json* v = field(j, "patch_size"))
        cfg.patch_size = static_cast<int>(get_count(*v, "patch_size"));
    if (const json* v = field(j, "temporal_patch_size"))
        cfg.temporal_patch_size = static_cast<int>(get_count(*v, "temporal_patch_size"));
    if (const json* v = field(j, "merge_size"))
        cfg.merge_size = static_cast<int>(get_count(*v, "merge_size"));
    return cfg;
}

std::string describe_qwen_processor(const ImageProcessorConfig& cfg) {
    std::ostringstream out;
    out << "Qwen2-VL native resolution, " << cfg.min_pixels << ".." << cfg.max_pixels << " pixels, patch "
        << cfg.patch_size << ", merge " << cfg.merge_size << "x" << cfg.merge_size;
    return out.str();
}

std::pair<int, int> qwen_smart_resize(int height, int width, int factor, long long min_pixels,
                                      long long max_pixels) {
    if (height <= 0 || width <= 0 || factor <= 0) fail("smart_resize: empty image or factor");
    if (static_cast<double>(std::max(height, width)) / std::min(height, width) > 200)
        fail("the image's aspect ratio ", width, "x", height, " is above 200, which Qwen2-VL refuses");
    // Python's round() (half to even) of height / factor, as transformers computes it.
    auto h_bar = static_cast<long long>(std::nearbyint(static_cast<double>(height) / factor)) * factor;
    auto w_bar = static_cast<long long>(std::nearbyint(static_cast<double>(width) / factor)) * factor;
    const double area = static_cast<double>(height) * width;
    if (h_bar * w_bar > max_pixels) {
        const double beta = std::sqrt(area / static_cast<double>(max_pixels));
        h_bar =
            std::max<long long>(factor, static_cast<long long>(std::floor(height / beta / factor)) * factor);
        w_bar =
            std::max<long long>(factor, static_cast<long long>(std::floor(width / beta / factor)) * factor);
    } else if (h_bar * w_bar < min_pixels) {
        const double beta = std::sqrt(static_cast<double>(min_pixels) / area);
        h_bar = static_cast<long long>(std::ceil(height * beta / factor)) * factor;
        w_bar = static_cast<long long>(std::ceil(width * beta / factor)) * factor;
    }
    return {static_cast<int>(h_bar), static_cast<int>(w_bar)};
}

QwenPatches preprocess_qwen(const cv::Mat& rgb8, const ImageProcessorConfig& cfg) {
    if (rgb8.empty() || rgb8.type() != CV_8UC3) fail("Qwen2-VL preprocessing needs an 8-bit RGB image");
    const int p = cfg.patch_size, m = cfg.merge_size, tp = cfg.temporal_patch_size;
    const int factor = p * m;
    int h = rgb8.rows, w = rgb8.cols;
    if (cfg.do_resize) std::tie(h, w) = qwen_smart_resize(h, w, factor, cfg.min_pixels, cfg.max_pixels);
    if (h % factor != 0 || w % factor != 0)
        fail("Qwen2-VL: a ", w, "x", h, " image is not a multiple of ", factor,
             " pixels a side (turn do_resize on)");
    QwenPatches out;
    PreprocessedImage& view = out.view;
    view.original_width = rgb8.cols;
    view.original_height = rgb8.rows;
    view.model_view =
        (h == rgb8.rows && w == rgb8.cols) ? rgb8.clone() : pil_resize(rgb8, w, h, cfg.resample);
    view.width = w;
    view.height = h;
    view.channels = 3;
    view.scale_x = static_cast<double>(rgb8.cols) / w;
    view.scale_y = static_cast<double>(rgb8.rows) / h;
    const std::vector<float> chw = to_pixel_values(view.model_view, cfg);

    out.grid_t = 1;  // one still image, repeated over the temporal patch
    out.grid_h = h / p;
    out.grid_w = w / p;
    out.rows = out.grid_t * out.grid_h * out.grid_w;
    out.cols = 3 * tp * p * p;
    out.values.resize(static_cast<std::size_t>(out.rows) * static_cast<std::size_t>(out.cols));
    const int bh = out.grid_h / m, bw = out.grid_w / m;
    const std::size_t plane = static_cast<std::size_t>(h) * static_cast<std::size_t>(w);
    float* dst = out.values.data();
    for (int r = 0; r < bh; ++r)
        for (int c = 0; c < bw; ++c)
            for (int mr = 0; mr < m; ++mr)
                for (int mc = 0; mc < m; ++mc) {
                    const int y0 = (r * m + mr) * p, x0 = (c * m + mc) * p;
                    for (int ch = 0; ch < 3; ++ch)
                        for (int f = 0; f < tp; ++f)
                            for (int py = 0; py < p; ++py) {
                                const float* src = chw.data() + static_cast<std::size_t>(ch) * plane +
                                                   static_cast<std::size_t>(y0 + py) * w + x0;
                                dst = std::copy(src, src + p, dst);
                            }
                }
    return out;
}

}  // namespace sightline
