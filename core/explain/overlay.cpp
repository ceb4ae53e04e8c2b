#include "core/explain/overlay.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "core/util/error.h"

namespace sightline {
namespace {
struct Named {
    Colormap c;
    const char* name;
    int cv;
};
constexpr Named kMaps[] = {{Colormap::Jet, "jet", cv::COLORMAP_JET},
                           {Colormap::Viridis, "viridis", cv::COLORMAP_VIRIDIS},
                           {Colormap::Inferno, "inferno", cv::COLORMAP_INFERNO},
                           {Colormap::Magma, "magma", cv::COLORMAP_MAGMA},
                           {Colormap::Turbo, "turbo", cv::COLORMAP_TURBO},
                           {Colormap::Hot, "hot", cv::COLORMAP_HOT},
                           {Colormap::Gray, "gray", -1}};
}  // namespace

Colormap colormap_from_string(const std::string& name) {
    for (const auto& m : kMaps)
        if (name == m.name) return m.c;
    fail("unknown colormap '", name, "'");
}

std::string to_string(Colormap c) {
    for (const auto& m : kMaps)
        if (m.c == c) return m.name;
    return "jet";
}

std::vector<std::string> colormap_names() {
    std::vector<std::string> out;
    for (const auto& m : kMaps) out.push_back(m.name);
    return out;
}

cv::Mat colorize_map(const std::vector<float>& map, int gh, int gw, cv::Size size, Colormap colormap,
                     bool smooth) {
    if (gh <= 0 || gw <= 0 || map.size() != static_cast<std::size_t>(gh * gw))
        fail("map of ", map.size(), " values does not fit a ", gh, "x", gw, " grid");
    cv::Mat grid(gh, gw, CV_32F, const_cast<float*>(map.data()));
    cv::Mat up;
    cv::resize(grid, up, size, 0, 0, smooth ? cv::INTER_LINEAR : cv::INTER_NEAREST);
    cv::Mat u8;
    up.convertTo(u8, CV_8U, 255.0);
    cv::Mat bgr;
    int code = cv::COLORMAP_JET;
    for (const auto& m : kMaps)
        if (m.c == colormap) code = m.cv;
    if (code < 0)
        cv::cvtColor(u8, bgr, cv::COLOR_GRAY2BGR);
    else
        cv::applyColorMap(u8, bgr, code);
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return rgb;
}

cv::Mat render_overlay(const cv::Mat& rgb, const std::vector<float>& map, int gh, int gw,
                       const OverlayStyle& s) {
    if (rgb.empty() || rgb.type() != CV_8UC3) fail("overlay needs an 8-bit RGB image");
    const cv::Mat heat = colorize_map(map, gh, gw, rgb.size(), s.colormap, s.smooth);
    cv::Mat grid(gh, gw, CV_32F, const_cast<float*>(map.data()));
    cv::Mat values;
    cv::resize(grid, values, rgb.size(), 0, 0, s.smooth ? cv::INTER_LINEAR : cv::INTER_NEAREST);
    cv::Mat out = rgb.clone();
    for (int y = 0; y < out.rows; ++y) {
        auto* o = out.ptr<cv::Vec3b>(y);
        const auto* h = heat.ptr<cv::Vec3b>(y);
        const auto* v = values.ptr<float>(y);
        for (int x = 0; x < out.cols; ++x) {
            const double value = static_cast<double>(v[x]);
            if (value < s.threshold) continue;
            const double a = s.weighted ? s.opacity * std::clamp(value, 0.0, 1.0) : s.opacity;
            for (int c = 0; c < 3; ++c) o[x][c] = cv::saturate_cast<uchar>((1.0 - a) * o[x][c] + a * h[x][c]);
        }
    }
    if (s.grid_lines) {
        for (int r = 1; r < gh; ++r)
            cv::line(out, {0, r * out.rows / gh}, {out.cols - 1, r * out.rows / gh}, {255, 255, 255}, 1);
        for (int c = 1; c < gw; ++c)
            cv::line(out, {c * out.cols / gw, 0}, {c * out.cols / gw, out.rows - 1}, {255, 255, 255}, 1);
    }
    return out;
}

cv::Mat enlarged_view(const cv::Mat& model_view, int min_width) {
    if (model_view.empty()) return {};
    const int scale = std::max(1, min_width / std::max(model_view.cols, 1));
    cv::Mat out;
    cv::resize(model_view, out, model_view.size() * scale, 0, 0, cv::INTER_NEAREST);
    return out;
}

}  // namespace sightline
