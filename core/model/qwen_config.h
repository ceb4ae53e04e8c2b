#pragma once
// Qwen2VLConfig / Qwen2_5_VLConfig: the language model's fields at the top level (transformers < 4.52) or in
// "text_config", a "vision_config" with the ViT's fields, M-RoPE sections in "rope_scaling" (or
// "rope_parameters"). Missing fields take the transformers classes' defaults (Qwen2-VL-7B's shapes).
#include <nlohmann/json.hpp>
#include <string>

#include "core/model/config.h"

namespace sightline {

// model_type "qwen2_vl" or "qwen2_5_vl"; throws sightline::Error naming `origin` and the field.
ModelConfig parse_qwen_vl_config(const nlohmann::json& j, const std::string& origin);
// The config.json of a Qwen2-VL / Qwen2.5-VL ModelConfig (`text` is the language model's fields).
nlohmann::json qwen_vl_config_to_json(const ModelConfig& c, nlohmann::json text);

}  // namespace sightline
