#include "core/metrics/localisation.h"

#include <algorithm>
#include <cmath>

#include "core/metrics/otsu.h"
#include "core/util/error.h"

namespace sightline::metrics {
namespace {

void check_mask(const cv::Mat& mask, const char* who) {
    if (mask.empty()) fail(who, ": the object mask is empty");
    if (mask.type() != CV_8UC1)
        fail(who, ": the object mask must be an 8-bit single-channel image (CV_8UC1)");
}

struct ArgmaxCell {
    int r, c;    // grid cell
    int py, px;  // its centre, in mask pixels
};

ArgmaxCell argmax_cell(const GridMap& map, const cv::Mat& mask_u8) {
    // std::max_element returns the first maximum: row-major tie breaking.
    const auto best = std::max_element(map.values.begin(), map.values.end());
    const int index = static_cast<int>(best - map.values.begin());
    const int r = index / map.w, c = index % map.w;
    const double y = (r + 0.5) * mask_u8.rows / map.h;
    const double x = (c + 0.5) * mask_u8.cols / map.w;
    return {r, c, std::clamp(static_cast<int>(std::floor(y)), 0, mask_u8.rows - 1),
            std::clamp(static_cast<int>(std::floor(x)), 0, mask_u8.cols - 1)};
}

// Whether any pixel of grid cell (r, c) belongs to the mask.
bool cell_touches(const GridMap& map, int r, int c, const cv::Mat& mask_u8) {
    const int y0 = r * mask_u8.rows / map.h, y1 = std::max(y0 + 1, (r + 1) * mask_u8.rows / map.h);
    const int x0 = c * mask_u8.cols / map.w, x1 = std::max(x0 + 1, (c + 1) * mask_u8.cols / map.w);
    for (int y = y0; y < std::min(y1, mask_u8.rows); ++y) {
        const unsigned char* m = mask_u8.ptr<unsigned char>(y);
        for (int x = x0; x < std::min(x1, mask_u8.cols); ++x)
            if (m[x] > 0) return true;
    }
    return false;
}

}  // namespace

double obj_iou(const GridMap& map, const cv::Mat& mask_u8) {
    check_grid(map, "obj_iou map");
    check_mask(mask_u8, "obj_iou");
    const cv::Mat resized = resize_bilinear(map, mask_u8.cols, mask_u8.rows);
    std::vector<float> values;
    values.reserve(resized.total());
    for (int y = 0; y < resized.rows; ++y) {
        const float* row = resized.ptr<float>(y);
        values.insert(values.end(), row, row + resized.cols);
    }
    const OtsuThreshold threshold = otsu(values);
    const std::vector<float> normalised = minmax_normalised(values);
    std::size_t intersection = 0, union_count = 0;
    for (int y = 0; y < mask_u8.rows; ++y) {
        const unsigned char* m = mask_u8.ptr<unsigned char>(y);
        for (int x = 0; x < mask_u8.cols; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * static_cast<std::size_t>(mask_u8.cols) +
                                  static_cast<std::size_t>(x);
            const bool predicted =
                !threshold.degenerate && static_cast<double>(normalised[i]) > threshold.normalised;
            const bool object = m[x] > 0;
            intersection += predicted && object;
            union_count += predicted || object;
        }
    }
    return union_count == 0 ? 0.0 : static_cast<double>(intersection) / static_cast<double>(union_count);
}

double obj_iou_max(const std::vector<GridMap>& subtoken_maps, const cv::Mat& mask_u8) {
    if (subtoken_maps.empty()) fail("obj_iou_max: the word has no sub-token maps");
    double best = 0;
    for (const GridMap& m : subtoken_maps) best = std::max(best, obj_iou(m, mask_u8));
    return best;
}

std::optional<double> mean_otsu_threshold(const std::vector<GridMap>& noun_maps) {
    double sum = 0;
    int count = 0;
    for (const GridMap& m : noun_maps) {
        check_grid(m, "mean_otsu_threshold noun map");
        const OtsuThreshold t = otsu(m.values);
        if (t.degenerate) continue;
        sum += t.normalised;
        ++count;
    }
    if (count == 0) return std::nullopt;
    return sum / count;
}

double func_iou(const GridMap& map, double noun_threshold) {
    check_grid(map, "func_iou map");
    if (!std::isfinite(noun_threshold)) fail("func_iou: the noun threshold is not finite");
    const std::vector<float> normalised = minmax_normalised(map.values);
    const auto below = std::count_if(normalised.begin(), normalised.end(),
                                     [&](float v) { return static_cast<double>(v) < noun_threshold; });
    return static_cast<double>(below) / static_cast<double>(normalised.size());
}

double f1_iou(double obj, double func) {
    const double sum = obj + func;
    return sum == 0 ? 0.0 : 2.0 * obj * func / sum;
}

bool pointing_game(const GridMap& map, const cv::Mat& mask_u8) {
    check_grid(map, "pointing_game map");
    check_mask(mask_u8, "pointing_game");
    const ArgmaxCell a = argmax_cell(map, mask_u8);
    return mask_u8.at<unsigned char>(a.py, a.px) > 0;
}

PointingOutcome classify_pointing(const GridMap& map, const cv::Mat& mask_u8,
                                  const std::vector<cv::Mat>& other_masks,
                                  const std::vector<bool>& shares_word) {
    check_grid(map, "classify_pointing map");
    check_mask(mask_u8, "classify_pointing");
    if (other_masks.size() != shares_word.size())
        fail("classify_pointing: ", other_masks.size(), " other masks but ", shares_word.size(),
             " shares_word flags");
    for (const cv::Mat& m : other_masks) {
        check_mask(m, "classify_pointing (other object)");
        if (m.size() != mask_u8.size()) fail("classify_pointing: the object masks differ in size");
    }
    const ArgmaxCell a = argmax_cell(map, mask_u8);
    if (mask_u8.at<unsigned char>(a.py, a.px) > 0) return PointingOutcome::Hit;
    if (cell_touches(map, a.r, a.c, mask_u8)) return PointingOutcome::TargetCell;
    auto other = [&](std::size_t i) {
        return shares_word[i] ? PointingOutcome::SameWordObject : PointingOutcome::OtherObject;
    };
    for (std::size_t i = 0; i < other_masks.size(); ++i)
        if (other_masks[i].at<unsigned char>(a.py, a.px) > 0) return other(i);
    for (std::size_t i = 0; i < other_masks.size(); ++i)
        if (cell_touches(map, a.r, a.c, other_masks[i])) return other(i);
    return PointingOutcome::Background;
}

const char* to_string(PointingOutcome outcome) {
    switch (outcome) {
        case PointingOutcome::Hit:
            return "hit";
        case PointingOutcome::TargetCell:
            return "target_cell";
        case PointingOutcome::SameWordObject:
            return "same_word_object";
        case PointingOutcome::OtherObject:
            return "other_object";
        case PointingOutcome::Background:
            return "background";
    }
    return "background";
}

std::vector<std::pair<int, int>> mask_cells(const cv::Mat& mask_u8, int h, int w) {
    if (mask_u8.empty() || mask_u8.type() != CV_8UC1)
        fail("mask_cells: the mask must be a non-empty 8-bit mask");
    if (h <= 0 || w <= 0) fail("mask_cells: a ", h, "x", w, " grid is empty");
    std::vector<std::pair<int, int>> out;
    for (int r = 0; r < h; ++r)
        for (int c = 0; c < w; ++c) {
            const int y0 = r * mask_u8.rows / h, y1 = std::max(y0 + 1, (r + 1) * mask_u8.rows / h);
            const int x0 = c * mask_u8.cols / w, x1 = std::max(x0 + 1, (c + 1) * mask_u8.cols / w);
            const cv::Mat cell =
                mask_u8(cv::Range(y0, std::min(y1, mask_u8.rows)), cv::Range(x0, std::min(x1, mask_u8.cols)));
            if (cv::countNonZero(cell) > 0) out.emplace_back(r, c);
        }
    return out;
}

}  // namespace sightline::metrics
