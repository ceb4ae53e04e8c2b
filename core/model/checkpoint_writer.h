#pragma once
// Writes a model as a Hugging Face folder: config.json and model.safetensors (or N shards plus
// model.safetensors.index.json) in either key layout. Used by the trainer and by tests.
#include <string>

#include "core/model/model.h"
#include "core/model/weight_names.h"

namespace sightline {

struct CheckpointWriteOptions {
    KeyLayout layout = KeyLayout::Hub;
    int shards = 1;
    bool write_config = true;
    std::map<std::string, std::string> metadata = {{"format", "pt"}};
};

void save_model(Model& model, const std::string& dir, const CheckpointWriteOptions& options = {});

}  // namespace sightline
