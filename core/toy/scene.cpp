#include "core/toy/scene.h"

#include "core/toy/rng.h"
#include "core/toy/shape_stamp.h"

#include <algorithm>
#include <array>

namespace sightline::toy {
namespace {

constexpr uint64_t kBackgroundTag = 0xB6;

// Dark base colour in [22, 46] per channel, a gradient of up to +-8 across the image and per-pixel
// noise in [-5, 5]: all channels stay within [9, 59].
void paint_background(cv::Mat& image, uint64_t seed) {
    Rng rng(derive_seed(seed, kBackgroundTag));
    const std::array<int, 3> base = {rng.between(22, 46), rng.between(22, 46), rng.between(22, 46)};
    const int gx = rng.between(-8, 8);
    const int gy = rng.between(-8, 8);
    constexpr int span = kImageSize - 1;
    for (int y = 0; y < kImageSize; ++y) {
        auto* row = image.ptr<uint8_t>(y);
        for (int x = 0; x < kImageSize; ++x) {
            const int shade = (gx * (2 * x - span)) / (2 * span) + (gy * (2 * y - span)) / (2 * span);
            const uint64_t bits = rng.next();
            for (int c = 0; c < 3; ++c) {
                const int noise = int((bits >> (16 * c)) % 11) - 5;
                row[3 * x + c] = uint8_t(base[size_t(c)] + shade + noise);
            }
        }
    }
}

// Places and paints one object whose attributes and cell are already set.
void render_object(SceneObject& object, cv::Mat& image, Rng& rng) {
    const ShapeStamp& stamp = shape_stamp(object.shape, object.size);
    const int side = stamp.mask.cols;
    const int slack = kCellSize - 2 * kCellMargin - side;
    const cv::Rect cell = cell_rect(object.cell_row, object.cell_col);
    const int x0 = cell.x + kCellMargin + rng.between(0, slack);
    const int y0 = cell.y + kCellMargin + rng.between(0, slack);

    object.mask = cv::Mat::zeros(kImageSize, kImageSize, CV_8UC1);
    stamp.mask.copyTo(object.mask(cv::Rect(x0, y0, side, side)));
    object.bbox = stamp.bbox + cv::Point(x0, y0);
    object.pixel_count = stamp.pixel_count;

    const Rgb rgb = color_rgb(object.color);
    for (int y = 0; y < side; ++y) {
        const auto* m = stamp.mask.ptr<uint8_t>(y);
        auto* out = image.ptr<uint8_t>(y0 + y) + 3 * x0;
        for (int x = 0; x < side; ++x) {
            if (!m[x]) continue;
            out[3 * x] = rgb.r, out[3 * x + 1] = rgb.g, out[3 * x + 2] = rgb.b;
        }
    }
}

}  // namespace

std::string SceneObject::name() const {
    return to_string(color) + " " + to_string(shape);
}
std::string SceneObject::position() const {
    return position_phrase(cell_row, cell_col);
}

cv::Rect cell_rect(int row, int col) {
    return {col * kCellSize, row * kCellSize, kCellSize, kCellSize};
}

Scene generate_scene(uint64_t seed) {
    Scene scene;
    scene.seed = seed;
    scene.image.create(kImageSize, kImageSize, CV_8UC3);
    paint_background(scene.image, seed);

    Rng rng(seed);
    const int count = rng.between(kMinObjects, kMaxObjects);

    // Distinct cells: a partial Fisher-Yates shuffle, then row-major order.
    std::array<int, kGridSize * kGridSize> cells{};
    for (size_t i = 0; i < cells.size(); ++i) cells[i] = int(i);
    for (int i = 0; i < count; ++i) std::swap(cells[size_t(i)], cells[size_t(rng.between(i, 8))]);
    std::sort(cells.begin(), cells.begin() + count);

    std::array<bool, kShapeCount * kColorCount> used{};
    scene.objects.resize(size_t(count));
    for (int i = 0; i < count; ++i) {
        SceneObject& object = scene.objects[size_t(i)];
        int kind = 0;
        do {
            kind = int(rng.below(kShapeCount * kColorCount));
        } while (used[size_t(kind)]);
        used[size_t(kind)] = true;
        object.shape = Shape(kind % kShapeCount);
        object.color = Color(kind / kShapeCount);
        object.size = Size(rng.below(kSizeCount));
        object.cell_row = cells[size_t(i)] / kGridSize;
        object.cell_col = cells[size_t(i)] % kGridSize;
        render_object(object, scene.image, rng);
    }
    return scene;
}

}  // namespace sightline::toy
