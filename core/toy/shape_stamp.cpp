#include "core/toy/shape_stamp.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace sightline::toy {
namespace {

struct Point {
    double x, y;
};

// Five-pointed star, outer radius 1, inner radius 0.45, first tip straight up (precomputed so no
// libm differences can move a pixel).
constexpr std::array<Point, 10> kStar = {{
    {0.000000, -1.000000},
    {0.264503, -0.364058},
    {0.951057, -0.309017},
    {0.427975, 0.139058},
    {0.587785, 0.809017},
    {0.000000, 0.450000},
    {-0.587785, 0.809017},
    {-0.427975, 0.139058},
    {-0.951057, -0.309017},
    {-0.264503, -0.364058},
}};
// The star spans y in [-1, 0.809]; shifting it down by this centres it in its box.
constexpr double kStarShift = 0.095;

bool inside_polygon(const std::array<Point, 10>& poly, double x, double y) {
    bool inside = false;
    for (size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
        const Point& a = poly[i];
        const Point& b = poly[j];
        if ((a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x) inside = !inside;
    }
    return inside;
}

ShapeStamp build_stamp(Shape shape, Size size) {
    const int side = size_pixels(size);
    ShapeStamp stamp;
    stamp.mask = cv::Mat::zeros(side, side, CV_8UC1);
    int x0 = side, y0 = side, x1 = -1, y1 = -1;
    for (int y = 0; y < side; ++y) {
        for (int x = 0; x < side; ++x) {
            const double u = (x + 0.5) / side * 2.0 - 1.0;
            const double v = (y + 0.5) / side * 2.0 - 1.0;
            if (!shape_contains(shape, u, v)) continue;
            stamp.mask.at<uint8_t>(y, x) = 255;
            ++stamp.pixel_count;
            x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
        }
    }
    stamp.bbox = cv::Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    return stamp;
}

using StampTable = std::array<std::array<ShapeStamp, kSizeCount>, kShapeCount>;

StampTable build_table() {
    StampTable table;
    for (Shape shape : kAllShapes)
        for (Size size : kAllSizes) table[size_t(shape)][size_t(size)] = build_stamp(shape, size);
    return table;
}

}  // namespace

bool shape_contains(Shape shape, double u, double v) {
    const double r2 = u * u + v * v;
    switch (shape) {
        case Shape::Circle:
            return r2 <= 1.0;
        case Shape::Square:
            return std::abs(u) <= 0.8 && std::abs(v) <= 0.8;
        case Shape::Triangle:  // apex (0, -0.9), base from (-0.98, 0.8) to (0.98, 0.8)
            return v >= -0.9 && v <= 0.8 && std::abs(u) <= 0.98 * (v + 0.9) / 1.7;
        case Shape::Star:
            return inside_polygon(kStar, u, v - kStarShift);
        case Shape::Cross:
            return (std::abs(u) <= 0.3 && std::abs(v) <= 0.95) || (std::abs(v) <= 0.3 && std::abs(u) <= 0.95);
        case Shape::Ring:
            return r2 <= 1.0 && r2 >= 0.55 * 0.55;
    }
    return false;
}

const ShapeStamp& shape_stamp(Shape shape, Size size) {
    static const StampTable table = build_table();
    return table.at(size_t(shape)).at(size_t(size));
}

}  // namespace sightline::toy
