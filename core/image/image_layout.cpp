#include "core/image/image_layout.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {

cv::Rect2d ImageLayout::cell_rect(int view, int row, int col) const {
    const ImageView& v = views.at(static_cast<std::size_t>(view));
    const double cw = v.rect.width / v.grid_w, ch = v.rect.height / v.grid_h;
    return {v.rect.x + col * cw, v.rect.y + row * ch, cw, ch};
}

void ImageLayout::validate() const {
    if (original_width <= 0 || original_height <= 0)
        fail("image layout: the original size ", original_width, "x", original_height, " is not positive");
    constexpr int kMaxGrid = 4096;
    for (std::size_t i = 0; i < views.size(); ++i) {
        const ImageView& v = views[i];
        if (v.grid_h <= 0 || v.grid_w <= 0 || v.grid_h > kMaxGrid || v.grid_w > kMaxGrid)
            fail("image layout: view ", i, " has a ", v.grid_h, "x", v.grid_w, " grid");
        if (!(v.rect.width > 0) || !(v.rect.height > 0) || !std::isfinite(v.rect.x) ||
            !std::isfinite(v.rect.y) || !std::isfinite(v.rect.width) || !std::isfinite(v.rect.height))
            fail("image layout: view ", i, " has an empty or non-finite rectangle");
        if (v.tile_rows <= 0 || v.tile_cols <= 0 || v.tile_rows > v.grid_h || v.tile_cols > v.grid_w)
            fail("image layout: view ", i, " has ", v.tile_rows, "x", v.tile_cols, " tiles for a ", v.grid_h,
                 "x", v.grid_w, " grid");
    }
    for (std::size_t k = 0; k < tokens.size(); ++k) {
        const ImageTokenPlace& t = tokens[k];
        if (t.view < 0) {
            if (t.view != -1 || t.row != -1 || t.col != -1)
                fail("image layout: token ", k, " has no view but a cell (", t.row, ", ", t.col, ")");
            continue;
        }
        if (static_cast<std::size_t>(t.view) >= views.size())
            fail("image layout: token ", k, " names view ", t.view, " of ", views.size());
        const ImageView& v = views[static_cast<std::size_t>(t.view)];
        if (t.row < 0 || t.col < 0 || t.row >= v.grid_h || t.col >= v.grid_w)
            fail("image layout: token ", k, " cell (", t.row, ", ", t.col, ") is outside view ", t.view,
                 "'s ", v.grid_h, "x", v.grid_w, " grid");
    }
}

ImageLayout single_grid_layout(int original_width, int original_height, int grid_h, int grid_w,
                               const cv::Rect2d& rect, int first_patch) {
    ImageLayout l;
    l.original_width = original_width;
    l.original_height = original_height;
    l.views.push_back(ImageView{"image", grid_h, grid_w, rect, 1, 1});
    for (int patch = first_patch; patch < grid_h * grid_w; ++patch)
        l.tokens.push_back(patch < 0 ? ImageTokenPlace{}
                                     : ImageTokenPlace{0, patch / grid_w, patch % grid_w});
    return l;
}

cv::Size map_grid_size(const ImageLayout& layout, int max_side) {
    if (layout.empty()) return {0, 0};
    if (layout.single_grid()) return {layout.views[0].grid_w, layout.views[0].grid_h};
    double finest = std::numeric_limits<double>::infinity();
    for (const auto& v : layout.views)
        finest = std::min({finest, v.rect.width / v.grid_w, v.rect.height / v.grid_h});
    const double cell = std::max(finest / 2.0, 1e-9);
    double w = std::ceil(layout.original_width / cell), h = std::ceil(layout.original_height / cell);
    const double longest = std::max(w, h);
    if (longest > max_side) {
        w = std::max(1.0, std::round(w * max_side / longest));
        h = std::max(1.0, std::round(h * max_side / longest));
    }
    return {static_cast<int>(w), static_cast<int>(h)};
}

std::vector<float> compose_map(const ImageLayout& layout, const std::vector<float>& per_token, cv::Size grid,
                               int only_view) {
    if (per_token.size() != layout.tokens.size())
        fail("compose_map: ", per_token.size(), " values for ", layout.tokens.size(), " image tokens");
    if (grid.width <= 0 || grid.height <= 0) fail("compose_map: empty grid");
    const std::size_t n = static_cast<std::size_t>(grid.width) * static_cast<std::size_t>(grid.height);
    std::vector<float> out(n, 0.0f);
    // Per view, a cell -> token value table (NaN: no token there).
    const float none = std::numeric_limits<float>::quiet_NaN();
    std::vector<std::vector<float>> cells(layout.views.size());
    for (std::size_t v = 0; v < layout.views.size(); ++v)
        cells[v].assign(static_cast<std::size_t>(layout.views[v].grid_h * layout.views[v].grid_w), none);
    for (std::size_t k = 0; k < layout.tokens.size(); ++k) {
        const auto& t = layout.tokens[k];
        if (t.view < 0) continue;
        const auto& v = layout.views[static_cast<std::size_t>(t.view)];
        cells[static_cast<std::size_t>(t.view)][static_cast<std::size_t>(t.row * v.grid_w + t.col)] =
            per_token[k];
    }
    if (layout.single_grid() && only_view <= 0 && layout.views[0].grid_w == grid.width &&
        layout.views[0].grid_h == grid.height) {
        for (std::size_t i = 0; i < n; ++i) out[i] = std::isnan(cells[0][i]) ? 0.0f : cells[0][i];
        return out;
    }
    const double sx = static_cast<double>(layout.original_width) / grid.width;
    const double sy = static_cast<double>(layout.original_height) / grid.height;
    for (int r = 0; r < grid.height; ++r) {
        const double y = (r + 0.5) * sy;
        for (int c = 0; c < grid.width; ++c) {
            const double x = (c + 0.5) * sx;
            double sum = 0;
            int count = 0;
            for (std::size_t v = 0; v < layout.views.size(); ++v) {
                if (only_view >= 0 && static_cast<int>(v) != only_view) continue;
                const ImageView& view = layout.views[v];
                const double fx = (x - view.rect.x) / view.rect.width,
                             fy = (y - view.rect.y) / view.rect.height;
                if (fx < 0 || fy < 0 || fx >= 1 || fy >= 1) continue;
                const int cr = std::min(view.grid_h - 1, static_cast<int>(fy * view.grid_h));
                const int cc = std::min(view.grid_w - 1, static_cast<int>(fx * view.grid_w));
                const float value = cells[v][static_cast<std::size_t>(cr * view.grid_w + cc)];
                if (std::isnan(value)) continue;
                sum += static_cast<double>(value);
                ++count;
            }
            out[static_cast<std::size_t>(r * grid.width + c)] =
                count > 0 ? static_cast<float>(sum / count) : 0.0f;
        }
    }
    return out;
}

std::vector<float> view_scaled(const ImageLayout& layout, const std::vector<float>& per_token, int view) {
    if (per_token.size() != layout.tokens.size())
        fail("view_scaled: ", per_token.size(), " values for ", layout.tokens.size(), " image tokens");
    float lo = std::numeric_limits<float>::infinity(), hi = -lo;
    for (std::size_t i = 0; i < per_token.size(); ++i)
        if (layout.tokens[i].view == view) {
            lo = std::min(lo, per_token[i]);
            hi = std::max(hi, per_token[i]);
        }
    std::vector<float> out = per_token;
    for (std::size_t i = 0; i < out.size(); ++i)
        if (layout.tokens[i].view == view) out[i] = hi > lo ? (out[i] - lo) / (hi - lo) : 0.0f;
    return out;
}

std::vector<cv::Rect2d> view_outlines(const ImageLayout& layout, int only_view) {
    std::vector<cv::Rect2d> out;
    if (layout.views.size() < 2) return out;
    for (std::size_t v = 0; v < layout.views.size(); ++v) {
        if (only_view >= 0 && static_cast<std::size_t>(only_view) != v) continue;
        const ImageView& view = layout.views[v];
        const int rows = std::max(1, view.tile_rows), cols = std::max(1, view.tile_cols);
        if (rows == 1 && cols == 1) {
            out.push_back(view.rect);
            continue;
        }
        const double th = view.rect.height / rows, tw = view.rect.width / cols;
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c)
                out.emplace_back(view.rect.x + c * tw, view.rect.y + r * th, tw, th);
    }
    return out;
}

std::string describe_view(const ImageView& v, int index) {
    if (v.kind == "base") return "base view";
    if (v.kind == "global") return "global view";
    if (v.kind == "tiles") return cat("tiles ", v.tile_rows, "x", v.tile_cols);
    if (v.kind == "crop") return cat("crop ", index + 1);
    if (v.kind == "image") return "image";
    return cat(v.kind, " ", index);
}

nlohmann::json image_layout_to_json(const ImageLayout& l) {
    nlohmann::json views = nlohmann::json::array();
    for (const auto& v : l.views)
        views.push_back({{"kind", v.kind},
                         {"grid", {v.grid_h, v.grid_w}},
                         {"rect", {v.rect.x, v.rect.y, v.rect.width, v.rect.height}},
                         {"tiles", {v.tile_rows, v.tile_cols}}});
    nlohmann::json tokens = nlohmann::json::array();
    for (const auto& t : l.tokens) tokens.push_back({t.view, t.row, t.col});
    return {{"original_size", {l.original_width, l.original_height}}, {"views", views}, {"tokens", tokens}};
}

ImageLayout image_layout_from_json(const nlohmann::json& j) {
    try {
        ImageLayout l;
        l.original_width = j.at("original_size").at(0).get<int>();
        l.original_height = j.at("original_size").at(1).get<int>();
        for (const auto& v : j.at("views")) {
            ImageView view;
            view.kind = v.at("kind").get<std::string>();
            view.grid_h = v.at("grid").at(0).get<int>();
            view.grid_w = v.at("grid").at(1).get<int>();
            const auto& r = v.at("rect");
            view.rect = {r.at(0).get<double>(), r.at(1).get<double>(), r.at(2).get<double>(),
                         r.at(3).get<double>()};
            view.tile_rows = v.at("tiles").at(0).get<int>();
            view.tile_cols = v.at("tiles").at(1).get<int>();
            l.views.push_back(std::move(view));
        }
        for (const auto& t : j.at("tokens"))
            l.tokens.push_back({t.at(0).get<int>(), t.at(1).get<int>(), t.at(2).get<int>()});
        l.validate();
        return l;
    } catch (const nlohmann::json::exception& e) {
        fail("image layout: ", e.what());
    }
}

}  // namespace sightline
