#include "core/model/weight_names.h"

#include "core/util/strings.h"

namespace sightline {
namespace {
bool replace_prefix(std::string& s, const std::string& from, const std::string& to) {
    if (!starts_with(s, from)) return false;
    s = to + s.substr(from.size());
    return true;
}
}  // namespace

std::string canonical_key(const std::string& key, bool multimodal) {
    if (!multimodal) return key;
    std::string k = key;
    if (k == "lm_head.weight") return "language_model.lm_head.weight";
    if (replace_prefix(k, "model.language_model.", "language_model.model.")) return k;
    if (replace_prefix(k, "model.vision_tower.", "vision_tower.")) return k;
    if (replace_prefix(k, "model.multi_modal_projector.", "multi_modal_projector.")) return k;
    if (k == "model.image_newline") return "image_newline";
    // SmolVLM / Idefics3 (every transformers version): model.vision_model, model.connector, model.text_model.
    if (replace_prefix(k, "model.vision_model.", "vision_tower.vision_model.")) return k;
    if (replace_prefix(k, "model.connector.", "connector.")) return k;
    if (replace_prefix(k, "model.text_model.", "language_model.model.")) return k;
    // Qwen2-VL / Qwen2.5-VL before transformers 4.52: "visual.*" (kept) and the language model at "model.*".
    if (replace_prefix(k, "model.visual.", "visual.")) return k;
    for (const char* part : {"model.layers.", "model.embed_tokens.", "model.norm."})
        if (starts_with(k, part)) return "language_model." + k;
    return k;
}

std::string layout_key(const std::string& canonical, bool multimodal, KeyLayout layout) {
    if (!multimodal || layout == KeyLayout::Hub) return canonical;
    std::string k = canonical;
    if (k == "language_model.lm_head.weight") return "lm_head.weight";
    if (replace_prefix(k, "language_model.model.", "model.language_model.")) return k;
    if (replace_prefix(k, "vision_tower.", "model.vision_tower.")) return k;
    if (replace_prefix(k, "multi_modal_projector.", "model.multi_modal_projector.")) return k;
    if (k == "image_newline") return "model.image_newline";
    if (replace_prefix(k, "visual.", "model.visual.")) return k;  // Qwen2-VL / Qwen2.5-VL
    return k;
}

bool is_ignorable_key(const std::string& canonical) {
    return ends_with(canonical, ".rotary_emb.inv_freq") ||
           canonical.find("vision_model.head.") != std::string::npos ||
           ends_with(canonical, "embeddings.position_ids");
}

bool is_optional_key(const std::string& canonical) {
    return canonical.find("vision_model.post_layernorm.") != std::string::npos;
}

}  // namespace sightline
