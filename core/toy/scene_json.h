#pragma once
// Serialising scenes: a JSON description (what evaluation scripts and the app read) and a folder with
// the image, one mask per object and the JSON.
#include "core/toy/scene.h"

#include <nlohmann/json.hpp>

#include <string>

namespace sightline::toy {

// {"seed", "image_size", "grid_size", "cell_size", "objects": [{"index", "name", "shape", "color",
//  "size", "size_pixels", "rgb", "cell": [row, col], "position", "bbox": {"x","y","width","height"},
//  "pixel_count", "mask": "mask_<i>.png"}]}
nlohmann::json scene_to_json(const Scene& scene);

// Writes <dir>/scene.png (RGB), <dir>/mask_<i>.png (0/255 grey) per object and <dir>/scene.json,
// creating the folder. Throws sightline::Error naming the path when anything cannot be written.
void write_scene(const Scene& scene, const std::string& dir);

}  // namespace sightline::toy
