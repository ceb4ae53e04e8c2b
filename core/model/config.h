#pragma once
// Model configuration read from a Hugging Face config.json. Missing fields take the defaults of the
// corresponding transformers class (LlavaConfig, PaliGemmaConfig, CLIPVisionConfig, SiglipVisionConfig,
// LlamaConfig, Qwen2Config, GemmaConfig), so real and hand-written configs behave as they would in
// transformers.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sightline {

// Mistral computes as Llama does, with every layer's attention limited to a sliding window of keys.
enum class DecoderKind { Llama, Qwen2, Gemma, Gemma3, Mistral };
// How the image reaches the language model: LLaVA (two-layer GELU projector, <image> in the chat text) or
// PaliGemma (one linear projector scaled by 1/sqrt(d), image tokens before <bos>, prefix-LM attention) or
// Gemma 3 (patch grid average-pooled to mm_tokens_per_image tokens, RMSNorm, a projection matrix; image
// tokens attend to each other both ways), SmolVLM / Idefics3 (the image split into crops plus a global
// view, each through an Idefics3 ViT, pixel shuffle by scale_factor, one linear layer without bias) or
// Qwen2-VL / Qwen2.5-VL (a native-resolution ViT whose 2x2 neighbouring patches are merged into one token;
// M-RoPE positions in the language model).
enum class MultimodalFamily { Llava, PaliGemma, Gemma3, SmolVLM, Qwen2VL };
// Qwen2VL: LayerNorm + quick_gelu MLP blocks; Qwen25VL: RMSNorm + SwiGLU blocks, window attention.
enum class VisionKind { Clip, Siglip, Qwen2VL, Qwen25VL };

struct TextConfig {
    DecoderKind kind = DecoderKind::Llama;
    std::string model_type = "llama";
    std::int64_t vocab_size = 32000;
    std::int64_t hidden_size = 4096;
    std::int64_t intermediate_size = 11008;
    std::int64_t num_hidden_layers = 32;
    std::int64_t num_attention_heads = 32;
    std::int64_t num_key_value_heads = 32;
    std::int64_t head_dim = 128;
    std::int64_t max_position_embeddings = 2048;
    double rms_norm_eps = 1e-6;
    double rope_theta = 10000.0;
    double rope_linear_factor = 1.0;  // rope_scaling {"type": "linear", "factor": f}
    bool attention_bias = false;      // q/k/v/o bias (Llama option); Qwen2 always has q/k/v bias, no o bias
    bool mlp_bias = false;
    bool tie_word_embeddings = false;
    std::string hidden_act = "silu";  // the MLP's gate activation (Gemma: hidden_activation)
    // Gemma: RMSNorm scales by (1 + w), input embeddings are multiplied by sqrt(hidden_size).
    bool norm_unit_offset = false;
    bool scale_embeddings = false;
    // PaliGemma: the prompt (image, <bos>, text, "\n") attends bidirectionally; positions start at 1.
    bool prefix_lm = false;
    std::int64_t position_base = 0;
    // Gemma 3: text embeddings scaled by sqrt(d) at lookup (image features are not), q/k RMSNorm per head,
    // norms after attention and around the MLP, attention scale query_pre_attn_scalar^-1/2, sliding-window
    // layers (every layer but each sliding_window_pattern-th) with their own RoPE base, and image tokens that
    // see each other both ways.
    bool scale_embeddings_at_lookup = false;
    bool qk_norm = false;
    bool sandwich_norms = false;
    double query_pre_attn_scalar = 0;  // 0: head_dim
    // Keys at distance >= sliding_window are hidden (0: none). Gemma 3: every layer but each
    // sliding_window_pattern-th slides; Mistral: every layer (pattern 0).
    std::int64_t sliding_window = 0;
    std::int64_t sliding_window_pattern = 0;
    double rope_local_theta = 10000.0;
    bool image_bidirectional = false;
    // Qwen2-VL / Qwen2.5-VL: M-RoPE, the rotary half-dimensions split into (temporal, height, width) sections
    // that each rotate by their own position axis (empty: plain RoPE).
    std::vector<std::int64_t> mrope_section;
    bool is_sliding(std::int64_t layer) const {
        if (sliding_window <= 0) return false;
        if (sliding_window_pattern <= 0) return kind == DecoderKind::Mistral;
        return (layer + 1) % sliding_window_pattern != 0;
    }
    std::int64_t bos_token_id = 1;
    std::vector<std::int64_t> eos_token_ids{2};
    std::int64_t pad_token_id = -1;
};

struct VisionConfig {
    VisionKind kind = VisionKind::Clip;
    std::string model_type = "clip_vision_model";
    std::int64_t hidden_size = 768;
    std::int64_t intermediate_size = 3072;
    std::int64_t num_hidden_layers = 12;
    std::int64_t num_attention_heads = 12;
    std::int64_t num_channels = 3;
    std::int64_t image_size = 224;
    std::int64_t patch_size = 32;
    double layer_norm_eps = 1e-5;
    std::string hidden_act = "quick_gelu";
    // Qwen2-VL / Qwen2.5-VL (no fixed image size: image_size is 0): Conv3d patches over temporal_patch_size
    // frames, spatial_merge_size^2 patches merged into one token of out_hidden_size; Qwen2.5-VL attends
    // within windows of window_size pixels except in the fullatt_block_indexes blocks.
    std::int64_t temporal_patch_size = 2;
    std::int64_t spatial_merge_size = 2;
    std::int64_t out_hidden_size = 0;
    std::int64_t window_size = 0;
    std::vector<std::int64_t> fullatt_block_indexes;
    bool qwen() const { return kind == VisionKind::Qwen2VL || kind == VisionKind::Qwen25VL; }
    std::int64_t grid() const { return patch_size > 0 ? image_size / patch_size : 0; }
    std::int64_t num_patches() const { return grid() * grid(); }
    bool has_class_token() const { return kind == VisionKind::Clip; }
};

struct ModelConfig {
    bool multimodal = false;  // a vision-language model vs *ForCausalLM
    MultimodalFamily family = MultimodalFamily::Llava;
    std::string architecture;  // e.g. "LlavaForConditionalGeneration"
    std::string model_type;    // "llava", "llama", "qwen2"
    TextConfig text;
    VisionConfig vision;  // meaningful when multimodal
    std::vector<int> vision_feature_layers{-2};
    std::string vision_feature_select_strategy =
        "default";  // "default" drops the class token, "full" keeps all
    std::string projector_hidden_act = "gelu";
    bool multimodal_projector_bias = true;
    std::int64_t image_token_index = 32000;
    std::int64_t image_seq_length = 576;  // as declared; the real count is computed by image_token_count()
    // PaliGemma: image features are the vision tower's last state after post_layernorm, through one linear
    // layer (projection_dim = the text hidden size), divided by sqrt(text hidden size).
    bool vision_post_norm = false;
    std::int64_t projection_dim = 0;
    std::int64_t mm_tokens_per_image = 0;  // Gemma 3: image tokens after pooling (a square number)
    // SmolVLM / Idefics3: the connector's pixel shuffle merges scale_factor x scale_factor patches into one
    // token, so each view (crop or global image) gives (grid / scale_factor)^2 tokens.
    std::int64_t scale_factor = 0;
    // LLaVA-NeXT / LLaVA-OneVision (family Llava): any-resolution tiles ([height, width] pinpoints), a
    // learned image_newline after every feature row, OneVision's "anyres_max_N" shrinking (0: none). The
    // number of image tokens then depends on the image: see anyres_feature_grid().
    bool anyres = false;
    std::vector<std::array<int, 2>> image_grid_pinpoints;
    int anyres_max = 0;

    // Side of the image-token grid the language model sees (the patch grid, or the pooled grid; SmolVLM: one
    // view's grid after the pixel shuffle); 0 for Qwen, whose grid follows the image.
    std::int64_t image_grid() const;

    // Number of LM positions one image occupies (patches, plus the class token under "full" with CLIP). For
    // any-resolution models this is only the base view's share, for SmolVLM one view's share: the real count
    // comes with the image (Qwen: 0).
    std::int64_t image_token_count() const;
    // Whether the first image position is the vision class token (CLIP + "full").
    bool image_tokens_include_cls() const;
};

// Parses config.json content; throws sightline::Error (naming `origin`) for unsupported or invalid values.
ModelConfig parse_model_config(const nlohmann::json& j, const std::string& origin = "config.json");
// Refuses absurd sizes (num_hidden_layers > 1000, vocab_size > 10M, ...) with an error naming the
// field and `where`; load_model_config calls it before anything is built from the config.
void check_config_sizes(const ModelConfig& c, const std::string& where);
ModelConfig load_model_config(const std::string& model_dir);
// Serialises back to a Hugging Face-compatible config.json.
nlohmann::json model_config_to_json(const ModelConfig& c);

}  // namespace sightline
