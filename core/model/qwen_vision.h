#pragma once
// The vision transformer of Qwen2-VL and Qwen2.5-VL. It reads an image at its own (processor-chosen)
// resolution as a list of patches [patches, C * temporal * patch * patch], ordered by merged 2x2 groups
// (see core/image/qwen_processor.h):
//   - patch embedding: a Conv3d with kernel = stride = (temporal, patch, patch), i.e. one linear map of the
//     flattened patch, no bias;
//   - 2-D rotary embedding: each head's first half rotates by the patch's row, the second by its column;
//   - pre-norm blocks (Qwen2-VL: LayerNorm, quick_gelu MLP; Qwen2.5-VL: RMSNorm, SwiGLU with biases) whose
//     attention stays inside one frame; in Qwen2.5-VL, blocks not listed in fullatt_block_indexes attend only
//     within windows of window_size pixels (window_size / patch / merge merged tokens a side, counted from
//     the top-left corner);
//   - the merger: each group of merge^2 patches is normed (ln_q), concatenated and sent through a two-layer
//     GELU MLP to the language model's width.
// Attention runs in patch order with the window as a mask, which is what transformers computes in its window
// order (the reordering only permutes rows). Hook names are the CLIP tower's (vision.blocks.{l}....).
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "core/model/attention.h"
#include "core/model/config.h"
#include "core/model/image_input.h"
#include "core/model/layers.h"

namespace sightline {

class QwenVisionTower {
  public:
    QwenVisionTower(const ModelConfig& config, c10::ScalarType dtype);
    void visit(const std::string& prefix, const ParamVisitor& v);  // prefix "visual."

    // The last block's output [patches, width] in the processor's patch order (the merger's input).
    at::Tensor encode(const ImageInput& image, HookRunner& hooks) const;
    // encode() through the merger: [1, merged tokens, out_hidden_size].
    at::Tensor forward(const ImageInput& image, HookRunner& hooks) const;
    int blocks() const { return static_cast<int>(blocks_.size()); }

  private:
    struct Block {
        LayerNorm ln1, ln2;     // Qwen2-VL
        RMSNorm rms1, rms2;     // Qwen2.5-VL
        Linear qkv, proj;       // fused q, k, v
        Linear fc1, fc2;        // Qwen2-VL MLP
        Linear gate, up, down;  // Qwen2.5-VL MLP
        BlockHookNames names;
        AttentionSpec spec;
        bool windowed = false;
    };
    at::Tensor norm(const Block& b, int which, const at::Tensor& x) const;
    VisionConfig vc_;
    bool v25_;
    c10::ScalarType dtype_;
    at::Tensor patch_weight_;  // [width, C, temporal, patch, patch]
    std::vector<Block> blocks_;
    LayerNorm merger_ln_;  // Qwen2-VL
    RMSNorm merger_rms_;   // Qwen2.5-VL
    Linear merger_fc1_, merger_fc2_;
};

}  // namespace sightline
