#include "core/model/qwen_config.h"

#include "core/util/error.h"

namespace sightline {
namespace {

using json = nlohmann::json;

std::int64_t get_int(const json& j, const char* key, std::int64_t fallback, const std::string& where) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_number_integer()) fail(where, ": field \"", key, "\" must be an integer, got ", it->dump());
    return it->get<std::int64_t>();
}

std::vector<std::int64_t> get_ints(const json& j, const char* key, std::vector<std::int64_t> fallback,
                                   const std::string& where) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    std::vector<std::int64_t> out;
    if (!it->is_array()) fail(where, ": field \"", key, "\" must be a list of integers, got ", it->dump());
    for (const auto& v : *it) {
        if (!v.is_number_integer()) fail(where, ": field \"", key, "\" must hold integers, got ", it->dump());
        out.push_back(v.get<std::int64_t>());
    }
    return out;
}

void require_positive(std::int64_t v, const char* key, const std::string& where) {
    if (v <= 0) fail(where, ": field \"", key, "\" must be positive (got ", v, ")");
}

VisionConfig parse_qwen_vision(const json& vj, bool v25, std::int64_t text_hidden, const std::string& where) {
    VisionConfig v;
    v.kind = v25 ? VisionKind::Qwen25VL : VisionKind::Qwen2VL;
    v.model_type = v25 ? "qwen2_5_vl" : "qwen2_vl";
    v.image_size = 0;
    v.patch_size = get_int(vj, "patch_size", 14, where);
    v.num_channels = get_int(vj, "in_channels", 3, where);
    v.num_hidden_layers = get_int(vj, "depth", 32, where);
    v.num_attention_heads = get_int(vj, "num_heads", 16, where);
    v.temporal_patch_size = get_int(vj, "temporal_patch_size", 2, where);
    v.spatial_merge_size = get_int(vj, "spatial_merge_size", 2, where);
    v.layer_norm_eps = 1e-6;  // both towers build their norms with eps 1e-6
    if (v25) {
        // Qwen2_5_VLVisionConfig: hidden_size is the ViT width, out_hidden_size the merger's output.
        v.hidden_size = get_int(vj, "hidden_size", 3584, where);
        v.intermediate_size = get_int(vj, "intermediate_size", 3420, where);
        v.out_hidden_size = get_int(vj, "out_hidden_size", 3584, where);
        v.window_size = get_int(vj, "window_size", 112, where);
        v.fullatt_block_indexes = get_ints(vj, "fullatt_block_indexes", {7, 15, 23, 31}, where);
        v.hidden_act = "silu";
    } else {
        // Qwen2VLVisionConfig: embed_dim is the ViT width, hidden_size the merger's output (the LM width).
        v.hidden_size = get_int(vj, "embed_dim", 1280, where);
        v.intermediate_size = v.hidden_size * get_int(vj, "mlp_ratio", 4, where);
        v.out_hidden_size = get_int(vj, "hidden_size", 3584, where);
        v.hidden_act = "quick_gelu";
    }
    if (vj.contains("hidden_act") && vj["hidden_act"].is_string()) v.hidden_act = vj["hidden_act"];
    for (auto [val, key] : {std::pair{v.hidden_size, "hidden_size"},
                            {v.intermediate_size, "intermediate_size"},
                            {v.num_hidden_layers, "depth"},
                            {v.num_attention_heads, "num_heads"},
                            {v.patch_size, "patch_size"},
                            {v.num_channels, "in_channels"},
                            {v.temporal_patch_size, "temporal_patch_size"},
                            {v.spatial_merge_size, "spatial_merge_size"},
                            {v.out_hidden_size, v25 ? "out_hidden_size" : "hidden_size"}})
        require_positive(val, key, where);
    if (v.hidden_size % v.num_attention_heads != 0 || (v.hidden_size / v.num_attention_heads) % 4 != 0)
        fail(where, ": the vision width ", v.hidden_size, " over ", v.num_attention_heads,
             " heads must give a head size divisible by 4 (2-D rotary embedding)");
    if (v.hidden_act != "quick_gelu" && v.hidden_act != "gelu" && v.hidden_act != "silu" &&
        v.hidden_act != "gelu_pytorch_tanh")
        fail(where, ": vision hidden_act '", v.hidden_act, "' is not supported");
    if (v25) {
        const std::int64_t unit = v.spatial_merge_size * v.patch_size;
        if (v.window_size <= 0 || v.window_size % unit != 0)
            fail(where, ": window_size ", v.window_size, " must be a positive multiple of ", unit,
                 " (spatial_merge_size x patch_size)");
        for (auto b : v.fullatt_block_indexes)
            if (b < 0 || b >= v.num_hidden_layers)
                fail(where, ": fullatt_block_indexes entry ", b, " is not a block of the ",
                     v.num_hidden_layers, "-block tower");
    }
    if (v.out_hidden_size != text_hidden)
        fail(where, ": the merger's output width ", v.out_hidden_size, " differs from the language model's ",
             "hidden_size ", text_hidden);
    return v;
}

}  // namespace

ModelConfig parse_qwen_vl_config(const json& j, const std::string& origin) {
    const std::string type = j.value("model_type", std::string());
    const bool v25 = type == "qwen2_5_vl";
    // The language model: "text_config" when present (transformers >= 4.52), else the top-level fields.
    json text = j.contains("text_config") && j["text_config"].is_object() ? j["text_config"] : j;
    text.erase("vision_config");
    text.erase("text_config");
    // Qwen2VLConfig / Qwen2_5_VLConfig defaults where they differ from Qwen2Config.
    const json defaults = {{"vocab_size", 152064},
                           {"hidden_size", 8192},
                           {"intermediate_size", 29568},
                           {"num_hidden_layers", 80},
                           {"num_attention_heads", 64},
                           {"num_key_value_heads", 8},
                           {"max_position_embeddings", 32768},
                           {"rms_norm_eps", 1e-5},
                           {"rope_theta", 1000000.0},
                           {"tie_word_embeddings", false}};
    for (const auto& [k, v] : defaults.items())
        if (!text.contains(k) || text[k].is_null()) text[k] = v;
    // M-RoPE: "rope_scaling" {"type": "mrope" | "default", "mrope_section": [...]} or "rope_parameters".
    json rope = json::object();
    for (const char* key : {"rope_scaling", "rope_parameters"})
        if (text.contains(key) && text[key].is_object()) rope = text[key];
    text.erase("rope_scaling");
    text.erase("rope_parameters");
    if (rope.contains("rope_theta") && rope["rope_theta"].is_number())
        text["rope_theta"] = rope["rope_theta"];
    std::string rtype = "default";
    for (const char* key : {"type", "rope_type"})
        if (rope.contains(key) && rope[key].is_string()) rtype = rope[key].get<std::string>();
    if (rtype != "default" && rtype != "mrope")
        fail(origin, ": rope_scaling type '", rtype, "' is not supported for ", type, " (mrope, default)");
    if (text.value("use_sliding_window", false))
        fail(origin, ": use_sliding_window is not supported for ", type);
    text["model_type"] = "qwen2";
    text.erase("architectures");

    ModelConfig c = parse_model_config(text, origin);
    c.multimodal = true;
    c.family = MultimodalFamily::Qwen2VL;
    c.model_type = type;
    c.architecture = v25 ? "Qwen2_5_VLForConditionalGeneration" : "Qwen2VLForConditionalGeneration";
    if (const auto a = j.find("architectures");
        a != j.end() && a->is_array() && !a->empty() && (*a)[0].is_string())
        c.architecture = (*a)[0].get<std::string>();
    // transformers ties the head by the top-level flag when the text config does not say.
    if (j.contains("text_config") && !j["text_config"].contains("tie_word_embeddings") &&
        j.contains("tie_word_embeddings") && j["tie_word_embeddings"].is_boolean())
        c.text.tie_word_embeddings = j["tie_word_embeddings"].get<bool>();
    c.text.mrope_section = get_ints(rope, "mrope_section", {}, origin + " rope_scaling");
    if (c.text.mrope_section.size() != 3)
        fail(origin, ": ", type,
             " needs rope_scaling.mrope_section with three entries (temporal, height, width)");
    std::int64_t sum = 0;
    for (auto s : c.text.mrope_section) {
        if (s < 0) fail(origin, ": rope_scaling.mrope_section must not hold negative sizes");
        sum += s;
    }
    if (sum * 2 != c.text.head_dim)
        fail(origin, ": rope_scaling.mrope_section sums to ", sum, " but the head size ", c.text.head_dim,
             " has ", c.text.head_dim / 2, " rotary pairs");
    const json empty = json::object();
    const json& vj =
        j.contains("vision_config") && j["vision_config"].is_object() ? j["vision_config"] : empty;
    c.vision = parse_qwen_vision(vj, v25, c.text.hidden_size, origin + " vision_config");
    c.vision_feature_layers = {-1};
    c.vision_feature_select_strategy = "full";
    c.image_token_index = get_int(j, "image_token_id", 151655, origin);
    c.image_seq_length = 0;
    if (c.image_token_index < 0 || c.image_token_index >= c.text.vocab_size)
        fail(origin, ": image_token_id ", c.image_token_index, " is outside the vocabulary");
    return c;
}

json qwen_vl_config_to_json(const ModelConfig& c, json text) {
    const bool v25 = c.vision.kind == VisionKind::Qwen25VL;
    const auto& v = c.vision;
    json vision = {{"depth", v.num_hidden_layers},
                   {"num_heads", v.num_attention_heads},
                   {"in_channels", v.num_channels},
                   {"patch_size", v.patch_size},
                   {"spatial_merge_size", v.spatial_merge_size},
                   {"temporal_patch_size", v.temporal_patch_size},
                   {"hidden_act", v.hidden_act}};
    if (v25) {
        vision["hidden_size"] = v.hidden_size;
        vision["intermediate_size"] = v.intermediate_size;
        vision["out_hidden_size"] = v.out_hidden_size;
        vision["window_size"] = v.window_size;
        vision["fullatt_block_indexes"] = v.fullatt_block_indexes;
    } else {
        vision["embed_dim"] = v.hidden_size;
        vision["mlp_ratio"] = v.intermediate_size / v.hidden_size;
        vision["hidden_size"] = v.out_hidden_size;
    }
    json out = std::move(text);
    out.erase("architectures");
    out["model_type"] = v25 ? "qwen2_5_vl" : "qwen2_vl";
    out["architectures"] = {c.architecture};
    out["rope_scaling"] = {{"type", "mrope"}, {"mrope_section", c.text.mrope_section}};
    out["vision_config"] = vision;
    out["image_token_id"] = c.image_token_index;
    return out;
}

}  // namespace sightline
