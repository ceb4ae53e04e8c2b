#pragma once
// Where the application finds its bundled resources (the embedded default model, demo images).
#include <string>

namespace sightline {

// The embedded default model folder: $SIGHTLINE_MODEL if set, else the installed copy
// (<prefix>/share/sightline/models/scene-llava next to the executable's prefix), else the source tree's
// resources/models/scene-llava. Returns the first that exists (or the source-tree path).
std::string default_model_dir();
// Directory containing the running executable.
std::string executable_dir();

}  // namespace sightline
