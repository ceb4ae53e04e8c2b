#pragma once
// Binary stamps of every (shape, size): the pixels an object covers inside its square drawing box.
// Rasterised once by testing pixel centres against exact geometry (no anti-aliasing, no trigonometry
// at run time), so every covered pixel is painted in exactly the object's colour and results are
// identical on every platform.
#include "core/toy/vocabulary.h"

#include <opencv2/core.hpp>

namespace sightline::toy {

struct ShapeStamp {
    cv::Mat mask;   // CV_8UC1, size_pixels(size) square, 0 or 255
    cv::Rect bbox;  // tight bounding box of the covered pixels inside the stamp
    int pixel_count = 0;
};

// The cached stamp for a (shape, size); thread-safe, built on first use.
const ShapeStamp& shape_stamp(Shape shape, Size size);

// Whether the point (u, v) in the normalised drawing box [-1, 1]^2 (v grows downwards) is inside the
// shape. Exposed for tests and for drawing stamps at other sizes.
bool shape_contains(Shape shape, double u, double v);

}  // namespace sightline::toy
