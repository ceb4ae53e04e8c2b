#include "core/model/config.h"

#include <cmath>

#include "core/model/qwen_config.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

using json = nlohmann::json;

// Typed field readers: absent or null -> keep the default; present with the wrong type -> clear error.
template <typename T>
void read(const json& j, const char* key, T* out, const std::string& where) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    try {
        if constexpr (std::is_same_v<T, bool>) {
            if (!it->is_boolean()) throw std::runtime_error("expected true/false");
        } else if constexpr (std::is_integral_v<T>) {
            if (!it->is_number_integer()) throw std::runtime_error("expected an integer");
        } else if constexpr (std::is_floating_point_v<T>) {
            if (!it->is_number()) throw std::runtime_error("expected a number");
        } else {
            if (!it->is_string()) throw std::runtime_error("expected a string");
        }
        *out = it->get<T>();
    } catch (const std::exception& e) {
        fail(where, ": field \"", key, "\" has an invalid value ", brief(it->dump()), " (", e.what(), ")");
    }
}

void require_positive(std::int64_t v, const char* key, const std::string& where) {
    if (v <= 0) fail(where, ": field \"", key, "\" must be positive (got ", v, ")");
}

std::vector<std::int64_t> read_ids(const json& j, const char* key, std::vector<std::int64_t> fallback,
                                   const std::string& where) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (it->is_number_integer()) return {it->get<std::int64_t>()};
    if (it->is_array()) {
        std::vector<std::int64_t> out;
        for (const auto& v : *it) {
            if (!v.is_number_integer()) fail(where, ": field \"", key, "\" must hold integers");
            out.push_back(v.get<std::int64_t>());
        }
        return out;
    }
    fail(where, ": field \"", key, "\" must be an integer or a list of integers");
}

// What GemmaConfig and Gemma3TextConfig share: head_dim 256, <pad> 0 / <eos> 1 / <bos> 2, tied embeddings,
// tanh-GELU MLP gate and (1 + w) RMSNorm.
void gemma_family_defaults(TextConfig& t) {
    t.head_dim = 256;
    t.bos_token_id = 2;
    t.eos_token_ids = {1};
    t.pad_token_id = 0;
    t.tie_word_embeddings = true;
    t.hidden_act = "gelu_pytorch_tanh";
    t.norm_unit_offset = true;
}

TextConfig parse_text(const json& j, const std::string& where, const std::string& default_type) {
    TextConfig t;
    std::string type = default_type;
    read(j, "model_type", &type, where);
    t.model_type = type;
    if (type == "llama") {
        t.kind = DecoderKind::Llama;
    } else if (type == "mistral") {
        // MistralConfig defaults (transformers 4.46): Mistral-7B-v0.1 with its 4096-token window.
        t.kind = DecoderKind::Mistral;
        t.intermediate_size = 14336;
        t.num_key_value_heads = 8;
        t.max_position_embeddings = 4096 * 32;
        t.rms_norm_eps = 1e-6;
        t.sliding_window = 4096;
    } else if (type == "gemma") {
        // GemmaConfig defaults (transformers 4.46).
        gemma_family_defaults(t);
        t.kind = DecoderKind::Gemma;
        t.vocab_size = 256000;
        t.hidden_size = 3072;
        t.intermediate_size = 24576;
        t.num_hidden_layers = 28;
        t.num_attention_heads = 16;
        t.num_key_value_heads = 16;
        t.max_position_embeddings = 8192;
        t.scale_embeddings = true;
    } else if (type == "gemma3_text") {
        // Gemma3TextConfig defaults (transformers 4.51).
        gemma_family_defaults(t);
        t.kind = DecoderKind::Gemma3;
        t.vocab_size = 262208;
        t.hidden_size = 2304;
        t.intermediate_size = 9216;
        t.num_hidden_layers = 26;
        t.num_attention_heads = 8;
        t.num_key_value_heads = 4;
        t.max_position_embeddings = 131072;
        t.rope_theta = 1000000.0;
        t.scale_embeddings_at_lookup = true;
        t.qk_norm = true;
        t.sandwich_norms = true;
        t.query_pre_attn_scalar = 256;
        t.sliding_window = 4096;
        t.sliding_window_pattern = 6;
    } else if (type == "qwen2") {
        t.kind = DecoderKind::Qwen2;
        // Qwen2Config defaults differ from LlamaConfig.
        t.vocab_size = 151936;
        t.intermediate_size = 22016;
        t.max_position_embeddings = 32768;
        t.bos_token_id = -1;
        t.eos_token_ids = {};
    } else {
        fail(where, ": text model_type '", type,
             "' is not supported (supported: llama, mistral, qwen2, gemma, gemma3_text)");
    }
    read(j, "vocab_size", &t.vocab_size, where);
    read(j, "hidden_size", &t.hidden_size, where);
    read(j, "intermediate_size", &t.intermediate_size, where);
    read(j, "num_hidden_layers", &t.num_hidden_layers, where);
    read(j, "num_attention_heads", &t.num_attention_heads, where);
    const bool gemma = t.kind == DecoderKind::Gemma || t.kind == DecoderKind::Gemma3;
    // Gemma and Mistral configs have a fixed default; Llama's and Qwen2's is num_attention_heads.
    if (!gemma && t.kind != DecoderKind::Mistral) t.num_key_value_heads = t.num_attention_heads;
    read(j, "num_key_value_heads", &t.num_key_value_heads, where);
    require_positive(t.hidden_size, "hidden_size", where);
    require_positive(t.num_attention_heads, "num_attention_heads", where);
    require_positive(t.num_key_value_heads, "num_key_value_heads", where);
    require_positive(t.num_hidden_layers, "num_hidden_layers", where);
    require_positive(t.intermediate_size, "intermediate_size", where);
    require_positive(t.vocab_size, "vocab_size", where);
    if (!gemma) t.head_dim = t.hidden_size / t.num_attention_heads;  // Gemma: 256
    read(j, "head_dim", &t.head_dim, where);
    require_positive(t.head_dim, "head_dim", where);
    if (t.num_attention_heads % t.num_key_value_heads != 0)
        fail(where, ": num_attention_heads (", t.num_attention_heads,
             ") is not a multiple of num_key_value_heads (", t.num_key_value_heads, ")");
    if (t.head_dim % 2 != 0)
        fail(where, ": head_dim must be even for rotary embeddings (got ", t.head_dim, ")");
    read(j, "max_position_embeddings", &t.max_position_embeddings, where);
    require_positive(t.max_position_embeddings, "max_position_embeddings", where);
    read(j, "rms_norm_eps", &t.rms_norm_eps, where);
    if (!(t.rms_norm_eps > 0) || !std::isfinite(t.rms_norm_eps))
        fail(where, ": rms_norm_eps must be a positive number, got ", t.rms_norm_eps);
    read(j, "rope_theta", &t.rope_theta, where);
    read(j, "attention_bias", &t.attention_bias, where);
    read(j, "mlp_bias", &t.mlp_bias, where);
    read(j, "tie_word_embeddings", &t.tie_word_embeddings, where);
    if (gemma) {
        // GemmaMLP uses hidden_activation (gelu_pytorch_tanh when absent); hidden_act is ignored.
        read(j, "hidden_activation", &t.hidden_act, where);
        if (t.hidden_act != "gelu_pytorch_tanh" && t.hidden_act != "gelu")
            fail(where, ": hidden_activation '", t.hidden_act,
                 "' is not supported (gelu_pytorch_tanh, gelu)");
    } else {
        read(j, "hidden_act", &t.hidden_act, where);
        if (t.hidden_act != "silu")
            fail(where, ": hidden_act '", t.hidden_act, "' is not supported (only silu)");
    }
    read(j, "bos_token_id", &t.bos_token_id, where);
    t.eos_token_ids = read_ids(j, "eos_token_id", t.eos_token_ids, where);
    read(j, "pad_token_id", &t.pad_token_id, where);
    if (t.kind == DecoderKind::Mistral) {
        // null (Mistral-7B-v0.2 and later, Mistral-Small) means no window.
        if (const auto sw = j.find("sliding_window"); sw != j.end()) {
            if (sw->is_null())
                t.sliding_window = 0;
            else
                read(j, "sliding_window", &t.sliding_window, where);
        }
        if (t.sliding_window < 0) fail(where, ": sliding_window must not be negative");
    }
    if (t.kind == DecoderKind::Gemma3) {
        read(j, "query_pre_attn_scalar", &t.query_pre_attn_scalar, where);
        read(j, "sliding_window", &t.sliding_window, where);
        read(j, "sliding_window_pattern", &t.sliding_window_pattern, where);
        read(j, "rope_local_base_freq", &t.rope_local_theta, where);
        if (t.query_pre_attn_scalar <= 0) fail(where, ": query_pre_attn_scalar must be positive");
        if (t.sliding_window < 0 || t.sliding_window_pattern < 0)
            fail(where, ": sliding_window and sliding_window_pattern must not be negative");
        for (const char* cap : {"attn_logit_softcapping", "final_logit_softcapping"})
            if (j.contains(cap) && !j[cap].is_null())
                fail(where, ": ", cap, " is not supported (Gemma 3 checkpoints leave it null)");
    }
    if (const auto rs = j.find("rope_scaling"); rs != j.end() && !rs->is_null()) {
        std::string rtype;
        if (rs->contains("rope_type"))
            rtype = (*rs)["rope_type"].get<std::string>();
        else if (rs->contains("type"))
            rtype = (*rs)["type"].get<std::string>();
        if (rtype == "linear") {
            read(*rs, "factor", &t.rope_linear_factor, where + " rope_scaling");
        } else if (rtype != "default") {
            fail(where, ": rope_scaling type '", rtype, "' is not supported (supported: default, linear)");
        }
    }
    return t;
}

VisionConfig parse_vision(const json& j, const std::string& where, bool llava_defaults,
                          const std::string& default_type = "clip_vision_model") {
    VisionConfig v;
    std::string type = default_type;
    read(j, "model_type", &type, where);
    v.model_type = type;
    if (type == "clip_vision_model") {
        v.kind = VisionKind::Clip;
        if (llava_defaults) {  // LlavaConfig's default vision tower is CLIP ViT-L/14-336
            v.hidden_size = 1024;
            v.intermediate_size = 4096;
            v.num_hidden_layers = 24;
            v.num_attention_heads = 16;
            v.image_size = 336;
            v.patch_size = 14;
        }
    } else if (type == "siglip_vision_model") {
        v.kind = VisionKind::Siglip;
        v.patch_size = 16;
        v.layer_norm_eps = 1e-6;
        v.hidden_act = "gelu_pytorch_tanh";
    } else if (type == "smolvlm_vision" || type == "idefics3_vision" || type == "idefics3") {
        // SmolVLMVisionConfig / Idefics3VisionConfig (transformers 4.51): a SigLIP-style tower (patch bias,
        // no class token, post_layernorm) whose position ids follow the crop's patch grid.
        v.kind = VisionKind::Siglip;
        v.hidden_size = 1152;
        v.intermediate_size = 3072;
        v.num_hidden_layers = 12;
        v.num_attention_heads = 16;
        v.image_size = 224;
        v.patch_size = 32;
        v.layer_norm_eps = 1e-6;
        v.hidden_act = "gelu_pytorch_tanh";
    } else {
        fail(where, ": vision model_type '", type,
             "' is not supported (supported: clip_vision_model, siglip_vision_model, smolvlm_vision, "
             "idefics3_vision)");
    }
    read(j, "hidden_size", &v.hidden_size, where);
    read(j, "intermediate_size", &v.intermediate_size, where);
    read(j, "num_hidden_layers", &v.num_hidden_layers, where);
    read(j, "num_attention_heads", &v.num_attention_heads, where);
    read(j, "num_channels", &v.num_channels, where);
    read(j, "image_size", &v.image_size, where);
    read(j, "patch_size", &v.patch_size, where);
    read(j, "layer_norm_eps", &v.layer_norm_eps, where);
    if (!(v.layer_norm_eps > 0) || !std::isfinite(v.layer_norm_eps))
        fail(where, ": layer_norm_eps must be a positive number, got ", v.layer_norm_eps);
    read(j, "hidden_act", &v.hidden_act, where);
    for (auto [val, key] : {std::pair{v.hidden_size, "hidden_size"},
                            {v.intermediate_size, "intermediate_size"},
                            {v.num_hidden_layers, "num_hidden_layers"},
                            {v.num_attention_heads, "num_attention_heads"},
                            {v.image_size, "image_size"},
                            {v.patch_size, "patch_size"},
                            {v.num_channels, "num_channels"}})
        require_positive(val, key, where);
    if (v.hidden_size % v.num_attention_heads != 0)
        fail(where, ": hidden_size ", v.hidden_size, " is not divisible by num_attention_heads ",
             v.num_attention_heads);
    if (v.image_size < v.patch_size)
        fail(where, ": image_size ", v.image_size, " is smaller than patch_size ", v.patch_size);
    if (v.hidden_act != "quick_gelu" && v.hidden_act != "gelu" && v.hidden_act != "gelu_pytorch_tanh")
        fail(where, ": vision hidden_act '", v.hidden_act, "' is not supported");
    return v;
}

// SmolVLMConfig / Idefics3Config (transformers 4.51): Idefics3 ViT, pixel-shuffle connector, Llama.
void parse_smolvlm(const json& j, const std::string& origin, ModelConfig& c) {
    c.multimodal = true;
    c.family = MultimodalFamily::SmolVLM;
    const bool idefics3 = c.model_type == "idefics3";
    if (c.architecture.empty())
        c.architecture = idefics3 ? "Idefics3ForConditionalGeneration" : "SmolVLMForConditionalGeneration";
    const json empty = json::object();
    const json& vj =
        j.contains("vision_config") && j["vision_config"].is_object() ? j["vision_config"] : empty;
    std::int64_t pad_token_id = 128002;
    read(j, "pad_token_id", &pad_token_id, origin);
    json tj = json{{"model_type", "llama"}, {"rms_norm_eps", 1e-5}, {"pad_token_id", pad_token_id}};
    if (j.contains("text_config") && j["text_config"].is_object()) tj = j["text_config"];
    c.text = parse_text(tj, origin + " text_config", "llama");
    if (c.text.kind != DecoderKind::Llama)
        fail(origin, ": ", c.model_type, " needs a Llama language model (got '", c.text.model_type, "')");
    c.vision =
        parse_vision(vj, origin + " vision_config", false, idefics3 ? "idefics3_vision" : "smolvlm_vision");
    if (c.vision.model_type != "smolvlm_vision" && c.vision.model_type != "idefics3_vision" &&
        c.vision.model_type != "idefics3")
        fail(origin, ": ", c.model_type, " needs an Idefics3 vision tower (got '", c.vision.model_type, "')");
    // transformers ties the head by the text config's flag; SmolVLMConfig's own default is untied.
    if (!tj.contains("tie_word_embeddings")) {
        c.text.tie_word_embeddings = false;
        read(j, "tie_word_embeddings", &c.text.tie_word_embeddings, origin);
    }
    c.vision_feature_layers = {-1};
    c.vision_feature_select_strategy = "full";
    c.vision_post_norm = true;
    c.multimodal_projector_bias = false;
    c.scale_factor = 2;
    read(j, "scale_factor", &c.scale_factor, origin);
    if (c.scale_factor <= 0 || c.vision.image_size % c.vision.patch_size != 0 ||
        c.vision.grid() % c.scale_factor != 0)
        fail(origin, ": scale_factor ", c.scale_factor, " must divide the ", c.vision.image_size, "/",
             c.vision.patch_size, " patch grid side (and patch_size the image_size)");
    c.image_token_index = 128257;
    read(j, "image_token_id", &c.image_token_index, origin);
    if (c.image_token_index < 0 || c.image_token_index >= c.text.vocab_size)
        fail(origin, ": image_token_id ", c.image_token_index, " is outside the vocabulary");
    c.image_seq_length = c.image_token_count();
    if (j.contains("perceiver_config") || j.contains("use_resampler"))
        fail(origin, ": Idefics2's perceiver resampler (perceiver_config, use_resampler) is not supported");
}

}  // namespace

std::int64_t ModelConfig::image_grid() const {
    if (family == MultimodalFamily::SmolVLM) return vision.grid() / scale_factor;
    if (family == MultimodalFamily::Qwen2VL) return 0;
    if (family == MultimodalFamily::Gemma3)
        return static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(mm_tokens_per_image))));
    return vision.grid();
}

std::int64_t ModelConfig::image_token_count() const {
    if (!multimodal || family == MultimodalFamily::Qwen2VL) return 0;
    if (family == MultimodalFamily::Gemma3) return mm_tokens_per_image;
    if (family == MultimodalFamily::SmolVLM) return image_grid() * image_grid();
    std::int64_t n = vision.num_patches() + (vision.has_class_token() ? 1 : 0);
    if (vision_feature_select_strategy == "default") n -= 1;
    return n;
}

bool ModelConfig::image_tokens_include_cls() const {
    return multimodal && vision.has_class_token() && vision_feature_select_strategy == "full";
}

ModelConfig parse_model_config(const json& j, const std::string& origin) {
    if (!j.is_object()) fail(origin, ": config is not a JSON object");
    ModelConfig c;
    read(j, "model_type", &c.model_type, origin);
    if (const auto a = j.find("architectures");
        a != j.end() && a->is_array() && !a->empty() && (*a)[0].is_string())
        c.architecture = (*a)[0].get<std::string>();
    if (c.model_type.empty()) {
        if (c.architecture.empty()) fail(origin, ": neither \"model_type\" nor \"architectures\" is given");
        c.model_type = c.architecture == "LlavaForConditionalGeneration" ? "llava"
                       : c.architecture == "Qwen2ForCausalLM"            ? "qwen2"
                                                                         : "llama";
    }
    if (c.model_type == "llava" || c.model_type == "llava_next" || c.model_type == "llava_onevision") {
        c.multimodal = true;
        const bool onevision = c.model_type == "llava_onevision";
        c.anyres = c.model_type != "llava";
        if (c.architecture.empty())
            c.architecture = onevision  ? "LlavaOnevisionForConditionalGeneration"
                             : c.anyres ? "LlavaNextForConditionalGeneration"
                                        : "LlavaForConditionalGeneration";
        const json empty = json::object();
        const json& tj = j.contains("text_config") && j["text_config"].is_object() ? j["text_config"] : empty;
        const json& vj =
            j.contains("vision_config") && j["vision_config"].is_object() ? j["vision_config"] : empty;
        if (onevision) {
            // LlavaOnevisionConfig's defaults: SigLIP-so400m at 384, Qwen2, full features of the last layer.
            c.text = parse_text(tj, origin + " text_config", "qwen2");
            json v = vj;
            if (!v.contains("model_type")) v["model_type"] = "siglip_vision_model";
            const json so400m = {{"hidden_size", 1152},     {"intermediate_size", 4304},
                                 {"patch_size", 14},        {"image_size", 384},
                                 {"num_hidden_layers", 26}, {"num_attention_heads", 16}};
            if (vj.empty()) v.update(so400m);
            c.vision = parse_vision(v, origin + " vision_config", false, "siglip_vision_model");
            c.vision_feature_layers = {-1};
            c.vision_feature_select_strategy = "full";
            c.image_token_index = 151646;
            c.anyres_max = 9;
            for (int a = 1; a <= 6; ++a)
                for (int b = 1; b <= 6; ++b) c.image_grid_pinpoints.push_back({384 * a, 384 * b});
        } else {
            c.text = parse_text(tj, origin + " text_config", "llama");
            c.vision = parse_vision(vj, origin + " vision_config", true);
            if (c.anyres)
                c.image_grid_pinpoints = {{336, 672}, {672, 336}, {672, 672}, {1008, 336}, {336, 1008}};
        }
        if (c.anyres) {
            if (const auto p = j.find("image_grid_pinpoints"); p != j.end() && !p->is_null()) {
                if (!p->is_array() || p->empty())
                    fail(origin, ": image_grid_pinpoints must be a non-empty list of [height, width] pairs");
                c.image_grid_pinpoints.clear();
                for (const auto& pp : *p) {
                    if (!pp.is_array() || pp.size() != 2 || !pp[0].is_number_integer() ||
                        !pp[1].is_number_integer() || pp[0].get<int>() <= 0 || pp[1].get<int>() <= 0)
                        fail(origin,
                             ": image_grid_pinpoints entries must be [height, width] pairs of positive "
                             "integers");
                    c.image_grid_pinpoints.push_back({pp[0].get<int>(), pp[1].get<int>()});
                }
            }
            for (const auto& pp : c.image_grid_pinpoints)
                if (pp[0] % c.vision.image_size != 0 || pp[1] % c.vision.image_size != 0)
                    fail(origin, ": image_grid_pinpoints entry [", pp[0], ", ", pp[1],
                         "] is not a multiple of the ", c.vision.image_size, "-pixel vision input");
            if (onevision) {
                std::string ratio = "anyres_max_9";
                read(j, "vision_aspect_ratio", &ratio, origin);
                const std::string prefix = "anyres_max_";
                if (ratio.rfind(prefix, 0) != 0 || ratio.size() == prefix.size() ||
                    ratio.find_first_not_of("0123456789", prefix.size()) != std::string::npos ||
                    ratio.size() > prefix.size() + 4)
                    fail(origin, ": vision_aspect_ratio '", ratio, "' is not supported (anyres_max_N)");
                c.anyres_max = std::stoi(ratio.substr(prefix.size()));
                if (c.anyres_max <= 0) fail(origin, ": vision_aspect_ratio '", ratio, "' needs N > 0");
            }
        }
        // transformers ties the head by the text config's flag; the top-level flag is the fallback.
        if (!tj.contains("tie_word_embeddings"))
            read(j, "tie_word_embeddings", &c.text.tie_word_embeddings, origin);
        if (j.contains("vision_feature_layer")) {
            const auto& f = j["vision_feature_layer"];
            c.vision_feature_layers.clear();
            if (f.is_number_integer())
                c.vision_feature_layers.push_back(f.get<int>());
            else if (f.is_array())
                for (const auto& x : f) {
                    if (!x.is_number_integer()) fail(origin, ": vision_feature_layer must hold integers");
                    c.vision_feature_layers.push_back(x.get<int>());
                }
            else
                fail(origin, ": vision_feature_layer must be an integer or a list");
            if (c.vision_feature_layers.empty()) fail(origin, ": vision_feature_layer is an empty list");
        }
        const int n_states = static_cast<int>(c.vision.num_hidden_layers) + 1;  // embeddings + each layer
        for (int l : c.vision_feature_layers)
            if (l >= n_states || l < -n_states)
                fail(origin, ": vision_feature_layer ", l, " is out of range for a ",
                     c.vision.num_hidden_layers, "-layer vision tower");
        read(j, "vision_feature_select_strategy", &c.vision_feature_select_strategy, origin);
        if (c.vision_feature_select_strategy != "default" && c.vision_feature_select_strategy != "full")
            fail(origin, ": vision_feature_select_strategy '", c.vision_feature_select_strategy,
                 "' is not supported (default or full)");
        read(j, "projector_hidden_act", &c.projector_hidden_act, origin);
        if (c.projector_hidden_act != "gelu")
            fail(origin, ": projector_hidden_act '", c.projector_hidden_act,
                 "' is not supported (only gelu)");
        read(j, "multimodal_projector_bias", &c.multimodal_projector_bias, origin);
        read(j, "image_token_index", &c.image_token_index, origin);
        read(j, "image_token_id", &c.image_token_index, origin);
        read(j, "image_seq_length", &c.image_seq_length, origin);
        if (c.image_token_index < 0) fail(origin, ": image_token_index must be non-negative");
    } else if (c.model_type == "paligemma") {
        // PaliGemmaConfig (transformers 4.46): SigLIP + Gemma, one linear projector, image tokens first.
        c.multimodal = true;
        c.family = MultimodalFamily::PaliGemma;
        if (c.architecture.empty()) c.architecture = "PaliGemmaForConditionalGeneration";
        std::int64_t vocab_size = 257152;
        read(j, "vocab_size", &vocab_size, origin);
        read(j, "_vocab_size", &vocab_size, origin);
        const auto tj = j.find("text_config");
        const auto vj = j.find("vision_config");
        if (tj != j.end() && tj->is_object()) {
            c.text = parse_text(*tj, origin + " text_config", "gemma");
        } else {  // PaliGemmaConfig's default language model
            c.text = parse_text(json{{"model_type", "gemma"},
                                     {"hidden_size", 2048},
                                     {"num_hidden_layers", 18},
                                     {"intermediate_size", 16384},
                                     {"num_attention_heads", 8},
                                     {"num_key_value_heads", 1},
                                     {"vocab_size", vocab_size}},
                                origin + " text_config", "gemma");
        }
        if (vj != j.end() && vj->is_object()) {
            c.vision = parse_vision(*vj, origin + " vision_config", false, "siglip_vision_model");
        } else {
            c.vision = parse_vision(json{{"model_type", "siglip_vision_model"},
                                         {"intermediate_size", 4096},
                                         {"hidden_size", 1152},
                                         {"patch_size", 14},
                                         {"image_size", 224},
                                         {"num_hidden_layers", 27},
                                         {"num_attention_heads", 16}},
                                    origin + " vision_config", false);
        }
        if (c.vision.kind != VisionKind::Siglip) fail(origin, ": PaliGemma needs a SigLIP vision tower");
        c.text.prefix_lm = true;
        c.text.position_base = 1;
        c.vision_feature_layers = {-1};
        c.vision_feature_select_strategy = "full";
        c.vision_post_norm = true;
        c.multimodal_projector_bias = true;
        c.image_token_index = 256000;
        read(j, "image_token_index", &c.image_token_index, origin);
        c.projection_dim = 2048;
        read(j, "projection_dim", &c.projection_dim, origin);
        if (c.projection_dim != c.text.hidden_size)
            fail(origin, ": projection_dim ", c.projection_dim,
                 " differs from the language model's hidden_size ", c.text.hidden_size,
                 " (the projected image features are its input embeddings)");
        c.image_seq_length = c.vision.num_patches();
        if (c.image_token_index < 0 || c.image_token_index >= c.text.vocab_size)
            fail(origin, ": image_token_index ", c.image_token_index, " is outside the vocabulary");
    } else if (c.model_type == "gemma3") {
        // Gemma3Config (transformers 4.51): SigLIP + Gemma 3, pooled image tokens.
        c.multimodal = true;
        c.family = MultimodalFamily::Gemma3;
        if (c.architecture.empty()) c.architecture = "Gemma3ForConditionalGeneration";
        const json empty = json::object();
        const json& tj = j.contains("text_config") && j["text_config"].is_object() ? j["text_config"] : empty;
        const json& vj =
            j.contains("vision_config") && j["vision_config"].is_object() ? j["vision_config"] : empty;
        c.text = parse_text(tj, origin + " text_config", "gemma3_text");
        if (c.text.kind != DecoderKind::Gemma3) fail(origin, ": Gemma 3 needs a gemma3_text language model");
        c.vision = parse_vision(vj, origin + " vision_config", false, "siglip_vision_model");
        if (c.vision.kind != VisionKind::Siglip) fail(origin, ": Gemma 3 needs a SigLIP vision tower");
        c.text.image_bidirectional = true;
        c.vision_feature_layers = {-1};
        c.vision_feature_select_strategy = "full";
        c.vision_post_norm = true;
        c.mm_tokens_per_image = 256;
        read(j, "mm_tokens_per_image", &c.mm_tokens_per_image, origin);
        c.image_token_index = 262144;
        read(j, "image_token_index", &c.image_token_index, origin);
        const auto side = static_cast<std::int64_t>(std::llround(std::sqrt(double(c.mm_tokens_per_image))));
        if (c.mm_tokens_per_image <= 0 || side * side != c.mm_tokens_per_image || c.vision.grid() % side != 0)
            fail(origin, ": mm_tokens_per_image ", c.mm_tokens_per_image,
                 " must be a square whose side divides ", "the ", c.vision.grid(), "x", c.vision.grid(),
                 " patch grid");
        c.image_seq_length = c.mm_tokens_per_image;
        if (c.image_token_index < 0 || c.image_token_index >= c.text.vocab_size)
            fail(origin, ": image_token_index ", c.image_token_index, " is outside the vocabulary");
    } else if (c.model_type == "smolvlm" || c.model_type == "idefics3") {
        parse_smolvlm(j, origin, c);
    } else if (c.model_type == "qwen2_vl" || c.model_type == "qwen2_5_vl") {
        c = parse_qwen_vl_config(j, origin);
    } else if (c.model_type == "llama" || c.model_type == "qwen2" || c.model_type == "mistral") {
        c.text = parse_text(j, origin, c.model_type);
        if (c.architecture.empty())
            c.architecture = c.model_type == "qwen2"     ? "Qwen2ForCausalLM"
                             : c.model_type == "mistral" ? "MistralForCausalLM"
                                                         : "LlamaForCausalLM";
    } else {
        fail(origin, ": model_type '", c.model_type,
             "' is not supported (supported: llava, llava_next and llava_onevision with CLIP/SigLIP + "
             "Llama/Qwen2, "
             "paligemma, gemma3, smolvlm, idefics3, qwen2_vl, qwen2_5_vl, llama, qwen2, mistral)");
    }
    return c;
}

namespace {
// Refuses sizes no real checkpoint has, before anything is allocated from them: the decoder is built
// layer by layer from these numbers, so num_hidden_layers: 1000000000 would grow toward OOM.
void check_size(std::int64_t v, std::int64_t max, const char* field, const std::string& where) {
    if (v > max) fail(where, ": \"", field, "\" is ", v, ", over the limit of ", max, " (not a real model?)");
}
}  // namespace

void check_config_sizes(const ModelConfig& c, const std::string& where) {
    check_size(c.text.num_hidden_layers, 1000, "num_hidden_layers", where);
    check_size(c.text.vocab_size, 10'000'000, "vocab_size", where);
    check_size(c.text.hidden_size, 1 << 17, "hidden_size", where);
    check_size(c.text.intermediate_size, 1 << 20, "intermediate_size", where);
    check_size(c.text.num_attention_heads, 4096, "num_attention_heads", where);
    check_size(c.text.num_key_value_heads, 4096, "num_key_value_heads", where);
    check_size(c.text.head_dim, 1 << 14, "head_dim", where);
    check_size(c.vision.num_hidden_layers, 1000, "vision_config.num_hidden_layers", where);
    check_size(c.vision.hidden_size, 1 << 17, "vision_config.hidden_size", where);
    check_size(c.vision.intermediate_size, 1 << 20, "vision_config.intermediate_size", where);
    check_size(c.vision.num_attention_heads, 4096, "vision_config.num_attention_heads", where);
    check_size(c.vision.image_size, 1 << 16, "vision_config.image_size", where);
    check_size(c.vision.patch_size, 1 << 12, "vision_config.patch_size", where);
}

ModelConfig load_model_config(const std::string& model_dir) {
    const std::string path = path_join(model_dir, "config.json");
    if (!file_exists(path)) fail(model_dir, ": no config.json (is this a Hugging Face model folder?)");
    const std::string text = read_text_file(path);
    check_json_depth(text, kMaxJsonDepth, path);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        fail(path, ": not valid JSON (", e.what(), ")");
    }
    ModelConfig c = parse_model_config(j, path);
    check_config_sizes(c, path);
    return c;
}

json model_config_to_json(const ModelConfig& c) {
    json text = {{"model_type", c.text.model_type},
                 {"vocab_size", c.text.vocab_size},
                 {"hidden_size", c.text.hidden_size},
                 {"intermediate_size", c.text.intermediate_size},
                 {"num_hidden_layers", c.text.num_hidden_layers},
                 {"num_attention_heads", c.text.num_attention_heads},
                 {"num_key_value_heads", c.text.num_key_value_heads},
                 {"head_dim", c.text.head_dim},
                 {"max_position_embeddings", c.text.max_position_embeddings},
                 {"rms_norm_eps", c.text.rms_norm_eps},
                 {"rope_theta", c.text.rope_theta},
                 {"hidden_act", c.text.hidden_act},
                 {"attention_bias", c.text.attention_bias},
                 {"tie_word_embeddings", c.text.tie_word_embeddings},
                 {"bos_token_id", c.text.bos_token_id},
                 {"torch_dtype", "float32"}};
    if (c.text.eos_token_ids.size() == 1)
        text["eos_token_id"] = c.text.eos_token_ids[0];
    else
        text["eos_token_id"] = c.text.eos_token_ids;
    if (c.text.pad_token_id >= 0) text["pad_token_id"] = c.text.pad_token_id;
    if (c.text.kind == DecoderKind::Gemma || c.text.kind == DecoderKind::Gemma3)
        text["hidden_activation"] = c.text.hidden_act;
    if (c.text.rope_linear_factor != 1.0)
        text["rope_scaling"] = {{"rope_type", "linear"}, {"factor", c.text.rope_linear_factor}};
    if (c.text.kind == DecoderKind::Mistral) text["sliding_window"] = c.text.sliding_window;
    if (c.text.kind == DecoderKind::Gemma3) {
        text["query_pre_attn_scalar"] = c.text.query_pre_attn_scalar;
        text["sliding_window"] = c.text.sliding_window;
        text["sliding_window_pattern"] = c.text.sliding_window_pattern;
        text["rope_local_base_freq"] = c.text.rope_local_theta;
    }
    if (!c.multimodal) {
        text["architectures"] = {c.architecture};
        return text;
    }
    if (c.family == MultimodalFamily::Qwen2VL) return qwen_vl_config_to_json(c, text);
    json vision = {{"model_type", c.vision.model_type},
                   {"hidden_size", c.vision.hidden_size},
                   {"intermediate_size", c.vision.intermediate_size},
                   {"num_hidden_layers", c.vision.num_hidden_layers},
                   {"num_attention_heads", c.vision.num_attention_heads},
                   {"num_channels", c.vision.num_channels},
                   {"image_size", c.vision.image_size},
                   {"patch_size", c.vision.patch_size},
                   {"layer_norm_eps", c.vision.layer_norm_eps},
                   {"hidden_act", c.vision.hidden_act}};
    if (c.family == MultimodalFamily::Gemma3)
        return {{"architectures", {"Gemma3ForConditionalGeneration"}},
                {"model_type", "gemma3"},
                {"text_config", text},
                {"vision_config", vision},
                {"image_token_index", c.image_token_index},
                {"mm_tokens_per_image", c.mm_tokens_per_image},
                {"torch_dtype", "float32"}};
    if (c.family == MultimodalFamily::SmolVLM) {
        vision["model_type"] = c.vision.model_type;
        return {{"architectures", {c.architecture}},
                {"model_type", c.architecture.rfind("Idefics3", 0) == 0 ? "idefics3" : "smolvlm"},
                {"text_config", text},
                {"vision_config", vision},
                {"image_token_id", c.image_token_index},
                {"scale_factor", c.scale_factor},
                {"tie_word_embeddings", c.text.tie_word_embeddings},
                {"torch_dtype", "float32"}};
    }
    if (c.family == MultimodalFamily::PaliGemma)
        return {{"architectures", {"PaliGemmaForConditionalGeneration"}},
                {"model_type", "paligemma"},
                {"text_config", text},
                {"vision_config", vision},
                {"image_token_index", c.image_token_index},
                {"projection_dim", c.projection_dim},
                {"hidden_size", c.projection_dim},
                {"torch_dtype", "float32"}};
    json out = {{"architectures", {"LlavaForConditionalGeneration"}},
                {"model_type", "llava"},
                {"text_config", text},
                {"vision_config", vision},
                {"image_token_index", c.image_token_index},
                {"image_seq_length", c.image_token_count()},
                {"projector_hidden_act", c.projector_hidden_act},
                {"multimodal_projector_bias", c.multimodal_projector_bias},
                {"vision_feature_select_strategy", c.vision_feature_select_strategy},
                {"tie_word_embeddings", c.text.tie_word_embeddings},
                {"torch_dtype", "float32"}};
    if (c.anyres) {
        const bool onevision = c.anyres_max > 0;
        out["architectures"] = {onevision ? "LlavaOnevisionForConditionalGeneration"
                                          : "LlavaNextForConditionalGeneration"};
        out["model_type"] = onevision ? "llava_onevision" : "llava_next";
        out["image_grid_pinpoints"] = c.image_grid_pinpoints;
        if (onevision) out["vision_aspect_ratio"] = "anyres_max_" + std::to_string(c.anyres_max);
        out.erase("image_seq_length");
    }
    if (c.vision_feature_layers.size() == 1)
        out["vision_feature_layer"] = c.vision_feature_layers[0];
    else
        out["vision_feature_layer"] = c.vision_feature_layers;
    return out;
}

}  // namespace sightline
