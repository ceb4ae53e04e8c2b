#pragma once
// The synthetic scene world: a 96x96 RGB image on a 3x3 grid of 32x32 cells holding 1-4 objects, each
// alone in its cell, with exact masks. Everything is a pure function of the seed (see seeds.h for
// which seeds are for training and which are held out).
#include "core/toy/vocabulary.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sightline::toy {

constexpr int kImageSize = 96;  // kGridSize * kCellSize
constexpr int kMinObjects = 1;
constexpr int kMaxObjects = 4;
// Every object's drawing box keeps this many pixels from its cell's border, so objects in
// neighbouring cells never touch.
constexpr int kCellMargin = 1;

struct SceneObject {
    Shape shape = Shape::Circle;
    Color color = Color::Red;
    Size size = Size::Small;
    int cell_row = 0;  // 0 = top
    int cell_col = 0;  // 0 = left
    cv::Rect bbox;     // tight box of the mask's pixels, in image coordinates
    cv::Mat mask;      // CV_8UC1, kImageSize square, 255 on the object's pixels, 0 elsewhere
    int pixel_count = 0;

    // "red star".
    std::string name() const;
    // "top left", ... (position_phrase of the cell).
    std::string position() const;
};

struct Scene {
    uint64_t seed = 0;
    cv::Mat image;                     // CV_8UC3, kImageSize square, RGB channel order
    std::vector<SceneObject> objects;  // sorted by cell in row-major order; cells are distinct
};

// The scene of a seed. Objects: count uniform in [1, 4], distinct cells, no two with the same
// (colour, shape); shape, colour and size uniform otherwise; position jitter inside the cell.
// Background: a dark base colour that varies per scene, a faint gradient and per-pixel noise, every
// channel <= 80 so it never equals an object colour.
Scene generate_scene(uint64_t seed);

// The pixel rectangle of a grid cell.
cv::Rect cell_rect(int row, int col);

}  // namespace sightline::toy
