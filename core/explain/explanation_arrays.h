#pragma once
// Every array of an explanation as NumPy arrays (.npy), named for the file they go to: the image map
// [grid_h, grid_w], the raw per-image-position values, the text scores and their positions, and each
// typed view that is a table of numbers (layer shares [4, layers], heads x layers, layer curves
// [curves, points] with their layers, layer x position effects).
#include <string>
#include <utility>
#include <vector>

#include "core/explain/explanation.h"
#include "core/util/npy.h"

namespace sightline {

// ("map", array), ("image_tokens", ...), ...: only the arrays the explanation has.
std::vector<std::pair<std::string, NpyArray>> explanation_arrays(const Explanation& e);
// Writes each array to `<dir>/<stem>_<name>.npy` (atomically); returns the paths written, in order.
std::vector<std::string> write_explanation_arrays(const std::string& dir, const std::string& stem,
                                                  const Explanation& e);

}  // namespace sightline
