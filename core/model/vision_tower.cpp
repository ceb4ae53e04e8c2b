#include "core/model/vision_tower.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/model/idefics3_connector.h"
#include "core/util/error.h"

namespace sightline {

VisionTower::VisionTower(const ModelConfig& c, c10::ScalarType dtype)
    : vc_(c.vision),
      drop_first_(c.vision_feature_select_strategy == "default"),
      post_norm_features_(c.vision_post_norm),
      dtype_(dtype),
      pre_norm_(c.vision.hidden_size, c.vision.layer_norm_eps),
      post_norm_(c.vision.hidden_size, c.vision.layer_norm_eps) {
    const int n_states = static_cast<int>(vc_.num_hidden_layers) + 1;
    for (int l : c.vision_feature_layers) {
        const int idx = l < 0 ? n_states + l : l;
        feature_states_.push_back(idx);
        blocks_used_ = std::max(blocks_used_, idx);
    }
    if (c.family == MultimodalFamily::SmolVLM)
        position_ids_ = idefics3_position_ids(vc_.grid(), vc_.grid(), vc_.grid());
    const auto d = vc_.hidden_size, heads = vc_.num_attention_heads;
    for (std::int64_t l = 0; l < vc_.num_hidden_layers; ++l) {
        blocks_.push_back(
            Block{LayerNorm(d, vc_.layer_norm_eps), LayerNorm(d, vc_.layer_norm_eps),
                  AttentionWeights{Linear(d, d, true), Linear(d, d, true), Linear(d, d, true),
                                   Linear(d, d, true), RMSNorm{}, RMSNorm{}},
                  Linear(d, vc_.intermediate_size, true), Linear(vc_.intermediate_size, d, true),
                  BlockHookNames("vision.blocks." + std::to_string(l)),
                  AttentionSpec{heads, heads, d / heads, false, "vision", static_cast<int>(l)}});
    }
}

void VisionTower::visit(const std::string& p, const ParamVisitor& v) {
    const auto d = vc_.hidden_size;
    const std::string e = p + "embeddings.";
    v(e + "patch_embedding.weight", patch_weight_, {d, vc_.num_channels, vc_.patch_size, vc_.patch_size});
    const std::int64_t positions = vc_.num_patches() + (vc_.has_class_token() ? 1 : 0);
    v(e + "position_embedding.weight", position_embedding_, {positions, d});
    if (vc_.has_class_token()) {
        v(e + "class_embedding", class_embedding_, {d});
        pre_norm_.visit(p + "pre_layrnorm", v);
    } else {
        v(e + "patch_embedding.bias", patch_bias_, {d});
    }
    for (std::size_t l = 0; l < blocks_.size(); ++l) {
        Block& b = blocks_[l];
        const std::string lp = p + "encoder.layers." + std::to_string(l) + ".";
        b.norm1.visit(lp + "layer_norm1", v);
        b.norm2.visit(lp + "layer_norm2", v);
        b.attn.visit(lp + "self_attn", v, "out_proj");
        b.fc1.visit(lp + "mlp.fc1", v);
        b.fc2.visit(lp + "mlp.fc2", v);
    }
    post_norm_.visit(p + "post_layernorm", v);  // LLaVA's features do not use it; PaliGemma's do
}

std::int64_t VisionTower::feature_dim() const {
    return vc_.hidden_size * static_cast<std::int64_t>(feature_states_.size());
}

at::Tensor VisionTower::forward(const at::Tensor& pixel_values, HookRunner& hooks) const {
    if (pixel_values.dim() != 4 || pixel_values.size(1) != vc_.num_channels ||
        pixel_values.size(2) != vc_.image_size || pixel_values.size(3) != vc_.image_size)
        fail("pixel_values must be [batch, ", vc_.num_channels, ", ", vc_.image_size, ", ", vc_.image_size,
             "], got ", pixel_values.sizes());
    const auto b = pixel_values.size(0);
    at::Tensor x =
        at::conv2d(pixel_values.to(dtype_), patch_weight_, patch_bias_, {vc_.patch_size, vc_.patch_size});
    x = x.flatten(2).transpose(1, 2);  // [b, patches, d], row-major over the grid
    if (vc_.has_class_token()) x = at::cat({class_embedding_.view({1, 1, -1}).expand({b, 1, -1}), x}, 1);
    x = x +
        (position_ids_.defined() ? position_embedding_.index_select(0, position_ids_) : position_embedding_)
            .unsqueeze(0);
    x = hooks("vision.hook_embed", x, 1, 0);
    if (vc_.has_class_token()) x = pre_norm_(x);

    std::vector<at::Tensor> states(static_cast<std::size_t>(blocks_used_) + 1);
    states[0] = x;
    for (int l = 0; l < blocks_used_; ++l) {
        const Block& blk = blocks_[static_cast<std::size_t>(l)];
        x = hooks(blk.names.resid_pre, x, 1, 0);
        at::Tensor a =
            attention_forward(blk.norm1(x), blk.attn, blk.spec, nullptr, nullptr, 0, blk.names, hooks);
        a = hooks(blk.names.attn_out, a, 1, 0);
        x = hooks(blk.names.resid_mid, x + a, 1, 0);
        at::Tensor m = hooks(blk.names.mlp_post, activation(vc_.hidden_act, blk.fc1(blk.norm2(x))), 1, 0);
        m = hooks(blk.names.mlp_out, blk.fc2(m), 1, 0);
        x = hooks(blk.names.resid_post, x + m, 1, 0);
        states[static_cast<std::size_t>(l) + 1] = x;
        hooks.block_done("vision", l, blocks_used_);
    }
    std::vector<at::Tensor> picked;
    for (int s : feature_states_) picked.push_back(states[static_cast<std::size_t>(s)]);
    at::Tensor features = picked.size() == 1 ? picked[0] : at::cat(picked, -1);
    if (drop_first_) features = features.narrow(1, 1, features.size(1) - 1);
    if (post_norm_features_) features = post_norm_(features);  // PaliGemma: the tower's last_hidden_state
    return features;
}

}  // namespace sightline
