#pragma once
// The model: LlavaForConditionalGeneration or PaliGemmaForConditionalGeneration (vision tower + projector +
// decoder) or a text-only LlamaForCausalLM / Qwen2ForCausalLM. Parameters are visited by their canonical
// checkpoint names (the hub layout: "language_model.model.layers.0...", "vision_tower.vision_model...",
// "multi_modal_projector...", or "model.layers..." for text-only models); see weight_names.h for the other
// accepted layout.
#include <ATen/core/Tensor.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/io/safetensors_writer.h"
#include "core/io/torch_dtype.h"
#include "core/model/config.h"
#include "core/model/decoder.h"
#include "core/model/hooks.h"
#include "core/model/image_input.h"
#include "core/model/kv_cache.h"
#include "core/model/qwen_vision.h"
#include "core/model/vision_tower.h"

namespace sightline {

class WeightStore;

enum class LogitsMode { All, Last, None };

struct ForwardOutput {
    at::Tensor logits;  // [b, T, V] (All) or [b, 1, V] (Last), float32; undefined for None
    at::Tensor hidden;  // final normalised hidden states [b, T, d]
};

class Model {
  public:
    Model(const ModelConfig& config, ComputeDType dtype);
    ~Model();
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;

    const ModelConfig& config() const { return config_; }
    ComputeDType dtype() const { return dtype_; }
    c10::ScalarType scalar_type() const { return to_scalar_type(dtype_); }
    bool multimodal() const { return config_.multimodal; }

    // Parameters by canonical name with their expected shapes.
    void visit_parameters(const ParamVisitor& v);
    NamedTensors named_parameters();
    std::int64_t parameter_count();
    // True when linear layers hold int8 weights (LoadOptions::int8_weights).
    bool int8_weights();

    // Fills every parameter from `store` (either key layout), checking shapes; ties the head when the
    // config says so or the checkpoint has none. Throws a clear Error listing missing tensors.
    void load(const WeightStore& store);
    // Random initialisation (normal(0, std) for matrices, ones/zeros for norms), for tests and training.
    void init_random(std::uint64_t seed, double std = 0.02);
    // Makes every parameter a leaf that requires grad (training) or not.
    void set_requires_grad(bool on);

    // pixel_values [b, C, H, W] -> projected image features [b, n_image_tokens, d_text]. Any-resolution
    // models: [views, C, H, W] with the image size -> [1, n_image_tokens, d_text] (base view, then the
    // unpadded tile mosaic row by row, each row ended by image_newline).
    at::Tensor encode_image(const ImageInput& image, HookRunner& hooks) const;
    // Token embeddings with image features scattered into the image-token positions (in order).
    // Throws when the number of image tokens in `ids` does not match the features.
    at::Tensor embed_inputs(const at::Tensor& ids, const at::Tensor& image_features) const;

    // Full forward. `pixel_values` may be undefined for text-only prompts or decode steps. M-RoPE models
    // (Qwen2-VL) place the positions from the ids and the image grid (a pass from position 0; the shift it
    // leaves for later tokens is kept in `kv`) or from the cache's shift (decode steps).
    ForwardOutput forward(const at::Tensor& ids, const ImageInput& image, const RunOptions* options = nullptr,
                          ActivationCache* cache = nullptr, KVCache* kv = nullptr,
                          LogitsMode mode = LogitsMode::All) const;
    // Forward from ready-made embeddings (image already merged); applies hooks from lm.hook_embed on.
    // `mutual` (bool [positions] or undefined): positions that attend to each other both ways (a prefix-LM
    // prompt, Gemma 3's image tokens); forward() derives it from the ids and RunOptions::prompt_length.
    ForwardOutput forward_embeddings(const at::Tensor& embeds, std::int64_t position_offset,
                                     HookRunner& hooks, KVCache* kv, LogitsMode mode,
                                     const at::Tensor& mutual = {}, const at::Tensor& positions = {}) const;
    // M-RoPE positions [3, T] of a pass over `ids` [b, T] (row 0) from `offset` (Qwen2-VL only).
    at::Tensor mrope_positions_for(const at::Tensor& ids, const ImageInput& image, std::int64_t offset,
                                   KVCache* kv) const;

    const Decoder& decoder() const { return *decoder_; }
    const VisionTower* vision() const { return vision_.get(); }  // null for Qwen2-VL
    const QwenVisionTower* qwen_vision() const { return qwen_vision_.get(); }
    // Vision blocks a forward pass runs (0 for a text-only model).
    int vision_blocks() const;
    std::unique_ptr<KVCache> make_kv_cache(std::int64_t batch, std::int64_t capacity) const;

  private:
    at::Tensor encode_anyres(const ImageInput& image, HookRunner& hooks) const;
    at::Tensor encode_crops(const ImageInput& image, HookRunner& hooks) const;
    ModelConfig config_;
    ComputeDType dtype_;
    std::unique_ptr<Decoder> decoder_;
    std::unique_ptr<VisionTower> vision_;
    std::unique_ptr<QwenVisionTower> qwen_vision_;
    Linear proj1_, proj2_;  // LLaVA: linear_1, linear_2; PaliGemma, SmolVLM: proj1_ is the one linear layer
    RMSNorm soft_norm_;     // Gemma 3: mm_soft_emb_norm
    at::Tensor mm_weight_;  // Gemma 3: mm_input_projection_weight [vision d, text d], used as x @ W
    at::Tensor image_newline_;  // LLaVA-NeXT / OneVision: [text d], ends every row of tile features
};

}  // namespace sightline
