#pragma once
// CLIP / SigLIP vision transformer as LLaVA uses it: patch (+ class) embeddings, position embeddings,
// CLIP's pre-LayerNorm, pre-norm encoder blocks; features are read from `vision_feature_layer` hidden
// states (index 0 = embeddings, i = output of block i-1; negative counts from the end, as in transformers),
// concatenated over a list of layers, then the selection strategy ("default" drops the first token).
// Only the blocks needed for the requested layers are computed.
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "core/model/attention.h"
#include "core/model/config.h"
#include "core/model/layers.h"

namespace sightline {

class VisionTower {
  public:
    VisionTower(const ModelConfig& config, c10::ScalarType dtype);
    void visit(const std::string& prefix, const ParamVisitor& v);  // prefix e.g. "vision_tower.vision_model."

    // pixel_values [b, C, H, W] -> selected features [b, n_image_tokens, hidden * n_layers]
    at::Tensor forward(const at::Tensor& pixel_values, HookRunner& hooks) const;
    std::int64_t feature_dim() const;
    // Number of encoder blocks actually run for the configured feature layers.
    int blocks_used() const { return blocks_used_; }

  private:
    struct Block {
        LayerNorm norm1, norm2;
        AttentionWeights attn;
        Linear fc1, fc2;
        BlockHookNames names;
        AttentionSpec spec;
    };
    VisionConfig vc_;
    std::vector<int> feature_states_;  // non-negative hidden-state indices
    bool drop_first_ = true;
    bool post_norm_features_ = false;  // features = post_layernorm(last state) (PaliGemma)
    c10::ScalarType dtype_;
    at::Tensor patch_weight_, patch_bias_, class_embedding_, position_embedding_;
    at::Tensor position_ids_;  // Idefics3 (SmolVLM): the rows of position_embedding a full crop uses
    LayerNorm pre_norm_, post_norm_;
    std::vector<Block> blocks_;
    int blocks_used_ = 0;
};

}  // namespace sightline
