#pragma once
// Checkpoint key layouts. Canonical (what Model::visit_parameters uses) is the hub layout of
// llava-1.5-*-hf; transformers >= 4.52 saves "model.language_model.*", "model.vision_tower.*",
// "model.multi_modal_projector.*" and a top-level "lm_head.weight" instead.
#include <string>

namespace sightline {

enum class KeyLayout { Hub, Transformers452 };

// Maps a checkpoint key to the canonical name for a multimodal model (identity for text-only models).
// SmolVLM's model.vision_model.* / model.connector.* / model.text_model.* map to vision_tower.vision_model.*
// / connector.* / language_model.model.* (layout_key does not write that layout back).
std::string canonical_key(const std::string& key, bool multimodal);
// Maps a canonical name to the requested layout (for writing checkpoints).
std::string layout_key(const std::string& canonical, bool multimodal, KeyLayout layout);
// Tensors that checkpoints may carry but no supported architecture uses (rotary caches, SigLIP pooling head).
bool is_ignorable_key(const std::string& canonical);
// Parameters a checkpoint may omit (unused by LLaVA: the vision post-layernorm).
bool is_optional_key(const std::string& canonical);

}  // namespace sightline
