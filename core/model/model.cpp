#include "core/model/model.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <map>
#include <set>

#include "core/image/anyres.h"
#include "core/io/weight_store.h"
#include "core/model/idefics3_connector.h"
#include "core/model/kv_cache.h"
#include "core/model/mrope.h"
#include "core/model/weight_names.h"
#include "core/util/error.h"
#include "core/util/strings.h"
#include "core/util/system_info.h"

namespace sightline {
namespace {

std::string shape_string(const std::vector<std::int64_t>& s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

}  // namespace

Model::Model(const ModelConfig& config, ComputeDType dtype) : config_(config), dtype_(dtype) {
    decoder_ = std::make_unique<Decoder>(config_.text, scalar_type());
    if (config_.family == MultimodalFamily::Qwen2VL) {
        qwen_vision_ = std::make_unique<QwenVisionTower>(config_, scalar_type());
    } else if (config_.multimodal) {
        vision_ = std::make_unique<VisionTower>(config_, scalar_type());
        const bool bias = config_.multimodal_projector_bias;
        const std::int64_t s2 =
            config_.family == MultimodalFamily::SmolVLM ? config_.scale_factor * config_.scale_factor : 1;
        proj1_ = Linear(vision_->feature_dim() * s2, config_.text.hidden_size, bias);
        if (config_.family == MultimodalFamily::Llava)
            proj2_ = Linear(config_.text.hidden_size, config_.text.hidden_size, bias);
        if (config_.family == MultimodalFamily::Gemma3)
            soft_norm_ = RMSNorm(config_.vision.hidden_size, config_.vision.layer_norm_eps, true);
    }
}

Model::~Model() = default;

void Model::visit_parameters(const ParamVisitor& v) {
    const bool tied = config_.text.tie_word_embeddings;
    if (config_.family == MultimodalFamily::Qwen2VL) {
        qwen_vision_->visit("visual.", v);
        decoder_->visit("language_model.model.", tied ? "" : "language_model.lm_head.weight", v);
    } else if (config_.multimodal) {
        vision_->visit("vision_tower.vision_model.", v);
        if (config_.family == MultimodalFamily::PaliGemma) {
            proj1_.visit("multi_modal_projector.linear", v);
        } else if (config_.family == MultimodalFamily::SmolVLM) {
            proj1_.visit("connector.modality_projection.proj", v);  // model.connector.* in checkpoints
        } else if (config_.family == MultimodalFamily::Gemma3) {
            soft_norm_.visit("multi_modal_projector.mm_soft_emb_norm", v);
            v("multi_modal_projector.mm_input_projection_weight", mm_weight_,
              {config_.vision.hidden_size, config_.text.hidden_size});
        } else {
            proj1_.visit("multi_modal_projector.linear_1", v);
            proj2_.visit("multi_modal_projector.linear_2", v);
            if (config_.anyres) v("image_newline", image_newline_, {config_.text.hidden_size});
        }
        decoder_->visit("language_model.model.", tied ? "" : "language_model.lm_head.weight", v);
    } else {
        decoder_->visit("model.", tied ? "" : "lm_head.weight", v);
    }
}

NamedTensors Model::named_parameters() {
    NamedTensors out;
    visit_parameters([&](const std::string& name, at::Tensor& t, const std::vector<std::int64_t>&) {
        if (t.defined()) out.emplace_back(name, t);
    });
    return out;
}

std::int64_t Model::parameter_count() {
    std::int64_t n = 0;
    visit_parameters([&](const std::string&, at::Tensor& t, const std::vector<std::int64_t>&) {
        const Linear* lin = Linear::visiting();
        if (lin != nullptr && lin->quantized())
            n += lin->int8.q.numel();
        else if (t.defined())
            n += t.numel();
    });
    return n;
}

bool Model::int8_weights() {
    bool any = false;
    visit_parameters([&](const std::string&, at::Tensor&, const std::vector<std::int64_t>&) {
        const Linear* lin = Linear::visiting();
        any = any || (lin != nullptr && lin->quantized());
    });
    return any;
}

void Model::load(const WeightStore& store) {
    std::map<std::string, const at::Tensor*> by_name, int8_scale_by_name;
    for (const auto& [key, tensor] : store.tensors()) {
        const std::string c = canonical_key(key, config_.multimodal);
        if (is_ignorable_key(c)) continue;
        if (!by_name.emplace(c, &tensor).second)
            fail(store.origin(), ": tensor '", key, "' appears under both key layouts");
        if (const at::Tensor* scale = store.int8_scale(key)) int8_scale_by_name.emplace(c, scale);
    }
    const std::string head = config_.multimodal ? "language_model.lm_head.weight" : "lm_head.weight";
    if (!config_.text.tie_word_embeddings && by_name.count(head) == 0)
        config_.text.tie_word_embeddings = true;

    std::vector<std::string> missing;
    std::set<std::string> used;
    visit_parameters([&](const std::string& name, at::Tensor& t, const std::vector<std::int64_t>& shape) {
        const auto it = by_name.find(name);
        if (it == by_name.end()) {
            // PaliGemma's features go through post_layernorm, so it is required there.
            const bool needed = !is_optional_key(name) || (config_.vision_post_norm &&
                                                           name.find("post_layernorm") != std::string::npos);
            if (needed) missing.push_back(name);
            return;
        }
        const at::Tensor& src = *it->second;
        if (!at::isFloatingType(src.scalar_type()) && int8_scale_by_name.count(name) == 0)
            fail(store.origin(), ": tensor '", name, "' is stored as ", c10::toString(src.scalar_type()),
                 ", an integer type: a weight must be floating point (F32, F16 or BF16)");
        if (src.sizes().vec() != shape)
            fail(store.origin(), ": tensor '", name, "' has shape ", shape_string(src.sizes().vec()),
                 " but the config implies ", shape_string(shape));
        const auto scale = int8_scale_by_name.find(name);
        if (scale != int8_scale_by_name.end()) {
            Linear* lin = Linear::visiting();
            if (lin == nullptr)
                fail(store.origin(), ": tensor '", name, "' is int8 but not a linear layer's weight");
            lin->set_int8(Int8Weight{src, *scale->second});
        } else {
            t = src;
        }
        used.insert(name);
    });
    if (!missing.empty()) {
        std::string list;
        for (std::size_t i = 0; i < missing.size() && i < 5; ++i) list += (i ? ", " : "") + missing[i];
        if (missing.size() > 5) list += cat(", ... (", missing.size(), " in all)");
        fail(store.origin(), ": checkpoint is missing tensors the config requires: ", list);
    }
    if (config_.text.tie_word_embeddings) decoder_->tie_head();
    (void)used;
}

void Model::init_random(std::uint64_t seed, double std) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    visit_parameters([&](const std::string& name, at::Tensor& t, const std::vector<std::int64_t>& shape) {
        at::Tensor init;
        const bool is_norm =
            name.find("norm") != std::string::npos;  // layernorm, layer_norm1, pre_layrnorm, norm
        if (ends_with(name, ".bias")) {
            init = at::zeros(shape, at::kFloat);
        } else if (is_norm && shape.size() == 1) {
            init = at::ones(shape, at::kFloat);
        } else {
            init = at::normal(0.0, std, shape, gen, at::TensorOptions().dtype(at::kFloat));
        }
        t = init.to(scalar_type());
    });
    if (config_.text.tie_word_embeddings) decoder_->tie_head();
}

void Model::set_requires_grad(bool on) {
    visit_parameters([&](const std::string&, at::Tensor& t, const std::vector<std::int64_t>&) {
        if (!t.defined()) return;
        if (!t.is_leaf()) t = t.detach();
        t.set_requires_grad(on);
    });
    if (config_.text.tie_word_embeddings) decoder_->tie_head();
}

int Model::vision_blocks() const {
    if (qwen_vision_) return qwen_vision_->blocks();
    return vision_ ? vision_->blocks_used() : 0;
}

at::Tensor Model::encode_image(const ImageInput& image, HookRunner& hooks) const {
    if (qwen_vision_) return hooks("projector.hook_out", qwen_vision_->forward(image, hooks), 1, 0);
    if (!vision_) fail("this model has no vision tower (text-only ", config_.architecture, ")");
    const at::Tensor& pixel_values = image.pixels;
    if (config_.anyres) return encode_anyres(image, hooks);
    if (config_.family == MultimodalFamily::SmolVLM) return encode_crops(image, hooks);
    const at::Tensor features = vision_->forward(pixel_values, hooks);
    at::Tensor h;
    if (config_.family == MultimodalFamily::PaliGemma) {
        // One linear layer, then divided by sqrt(d_text) (the LM's embedding scale undoes it).
        h = proj1_(features) / std::sqrt(static_cast<double>(config_.text.hidden_size));
    } else if (config_.family == MultimodalFamily::Gemma3) {
        // The patch grid average-pooled to mm_tokens_per_image tokens (row-major), RMSNorm, x @ W.
        const auto b = features.size(0), d = features.size(2), g = config_.vision.grid();
        const auto side = config_.image_grid();
        const at::Tensor grid = features.transpose(1, 2).reshape({b, d, g, g});
        const at::Tensor pooled = at::avg_pool2d(grid, {g / side, g / side}, {g / side, g / side});
        h = at::matmul(soft_norm_(pooled.flatten(2).transpose(1, 2)), mm_weight_);
    } else {
        h = proj2_(at::gelu(proj1_(features)));
    }
    return hooks("projector.hook_out", h, 1, 0);
}

at::Tensor Model::encode_anyres(const ImageInput& image, HookRunner& hooks) const {
    if (image.image_height <= 0 || image.image_width <= 0)
        fail(config_.architecture, " needs the original image size with its pixel values");
    const auto plan = plan_anyres(static_cast<int>(image.image_height), static_cast<int>(image.image_width),
                                  config_.image_grid_pinpoints, static_cast<int>(config_.vision.image_size));
    const int rows = plan.rows(), cols = plan.cols();
    const at::Tensor& px = image.pixels;
    if (px.dim() != 4 || px.size(0) != 1 + rows * cols)
        fail("any-resolution pixel values must be [1 + ", rows, "x", cols, " views, C, H, W] for a ",
             image.image_width, "x", image.image_height, " image, got ", px.sizes());
    const at::Tensor features = vision_->forward(px, hooks);  // [views, n, dv]
    const at::Tensor h = proj2_(at::gelu(proj1_(features)));  // [views, n, d]
    const int side = static_cast<int>(config_.vision.grid());
    const auto d = h.size(2);
    if (h.size(1) != static_cast<std::int64_t>(side) * side)
        fail("any-resolution features: ", h.size(1), " features per view, expected ", side * side);
    const auto g =
        anyres_feature_grid(static_cast<int>(image.image_height), static_cast<int>(image.image_width), rows,
                            cols, side, config_.anyres_max);
    // Tiles side by side: [rows, cols, side, side, d] -> [d, rows*side, cols*side], then unpad (and shrink).
    at::Tensor mosaic = h.narrow(0, 1, rows * cols)
                            .reshape({rows, cols, side, side, d})
                            .permute({4, 0, 2, 1, 3})
                            .reshape({d, rows * side, cols * side});
    mosaic = mosaic.slice(1, g.row0, g.row1).slice(2, g.col0, g.col1);
    if (g.resized())
        mosaic = at::upsample_bilinear2d(mosaic.unsqueeze(0), {g.out_h, g.out_w}, false).squeeze(0);
    const at::Tensor newline =
        image_newline_.to(mosaic.scalar_type()).view({d, 1, 1}).expand({d, g.out_h, 1});
    const at::Tensor rows_with_newline = at::cat({mosaic, newline}, 2).flatten(1).transpose(0, 1);
    const at::Tensor out = at::cat({h[0], rows_with_newline}, 0).unsqueeze(0);
    return hooks("projector.hook_out", out, 1, 0);
}

at::Tensor Model::encode_crops(const ImageInput& image, HookRunner& hooks) const {
    // SmolVLM / Idefics3: every view (the crops row-major, then the global image) through the tower, the
    // pixel shuffle and one linear layer; the views' tokens follow each other.
    const at::Tensor& px = image.pixels;
    const std::int64_t views = image.crop_rows * image.crop_cols + 1;
    if (px.dim() != 4 || px.size(0) != views)
        fail(config_.architecture, ": pixel values must be [", image.crop_rows, "x", image.crop_cols,
             " crops + 1 global view, C, H, W], got ", px.sizes());
    const at::Tensor features = vision_->forward(px, hooks);  // [views, patches, dv], after post_layernorm
    const at::Tensor h = proj1_(idefics3_pixel_shuffle(features, config_.scale_factor));
    return hooks("projector.hook_out", h.reshape({1, -1, h.size(2)}), 1, 0);
}

at::Tensor Model::embed_inputs(const at::Tensor& ids, const at::Tensor& image_features) const {
    if (!config_.multimodal) return decoder_->embed(ids);
    const at::Tensor is_image = ids.eq(config_.image_token_index);
    const std::int64_t n_marked = is_image.sum().item<std::int64_t>();
    if (!image_features.defined()) {
        if (n_marked > 0) fail("the prompt holds ", n_marked, " image tokens but no image was given");
        return decoder_->embed(ids);
    }
    const std::int64_t expected = image_features.size(0) * image_features.size(1);
    const std::int64_t per_row = image_features.size(1);
    at::Tensor is_image_block = is_image;
    if (n_marked > expected && ids.size(0) == image_features.size(0)) {
        // Image-token ids the model itself generated later in the sequence are ordinary tokens: only the
        // first `per_row` marked positions of each row receive the image features (as during generation).
        is_image_block = is_image & (is_image.cumsum(1) <= per_row);
    }
    const std::int64_t n_block = is_image_block.sum().item<std::int64_t>();
    if (n_block != expected || (n_marked > expected && (is_image_block.sum(1) != per_row).any().item<bool>()))
        fail("the prompt holds ", n_marked, " image tokens but the image gives ", expected, " features (",
             image_features.size(1), " per image): expand <image> to exactly ", per_row, " tokens");
    at::Tensor embeds = decoder_->embed(ids.masked_fill(is_image_block, 0));
    return embeds.masked_scatter(is_image_block.unsqueeze(-1).expand_as(embeds),
                                 image_features.to(embeds.scalar_type()));
}

ForwardOutput Model::forward(const at::Tensor& ids, const ImageInput& image, const RunOptions* options,
                             ActivationCache* cache, KVCache* kv, LogitsMode mode) const {
    if (ids.dim() != 2) fail("input ids must be [batch, T]");
    HookRunner hooks(options, cache);
    const std::int64_t offset = kv != nullptr ? kv->length() : 0;
    const at::Tensor& pixel_values = image.pixels;
    at::Tensor embeds;
    if (config_.multimodal && !pixel_values.defined() && offset > 0) {
        // Decode steps: a generated image-token id is just a token (no image to merge).
        embeds = decoder_->embed(ids);
    } else {
        const at::Tensor features = pixel_values.defined() ? encode_image(image, hooks) : at::Tensor();
        embeds = embed_inputs(ids, features);
    }
    // Positions that see each other both ways; only a pass from position 0 needs them (a decode step's
    // query is never one of them, and its keys are in the cache).
    at::Tensor mutual;
    const auto t = ids.size(1);
    if (offset == 0 && config_.text.prefix_lm) {  // PaliGemma: the prompt
        const std::int64_t prompt =
            options != nullptr && options->prompt_length >= 0 ? options->prompt_length : t;
        mutual = at::arange(t, at::kLong).lt(prompt);
    } else if (offset == 0 && config_.text.image_bidirectional &&
               pixel_values.defined()) {  // Gemma 3: the image
        if (ids.size(0) != 1) fail("bidirectional image attention is implemented for one sequence at a time");
        const at::Tensor is_image = ids[0].eq(config_.image_token_index);
        mutual = is_image & is_image.cumsum(0).le(config_.image_token_count());
    }
    const at::Tensor positions =
        config_.text.mrope_section.empty() ? at::Tensor() : mrope_positions_for(ids, image, offset, kv);
    return forward_embeddings(embeds, offset, hooks, kv, mode, mutual, positions);
}

at::Tensor Model::mrope_positions_for(const at::Tensor& ids, const ImageInput& image, std::int64_t offset,
                                      KVCache* kv) const {
    const auto t = ids.size(1);
    if (offset > 0) return mrope_text_positions(offset, t, kv != nullptr ? kv->rope_delta() : 0);
    const at::Tensor row = ids[0].to(at::kLong).contiguous();
    const std::vector<std::int64_t> v(row.data_ptr<std::int64_t>(), row.data_ptr<std::int64_t>() + t);
    const bool with_image = image.pixels.defined();
    const MropePositions p = mrope_positions(v, config_.image_token_index, with_image ? image.grid_t : 0,
                                             image.grid_h, image.grid_w, config_.vision.spatial_merge_size,
                                             config_.vision.kind == VisionKind::Qwen25VL ? 0 : 1);
    if (kv != nullptr) kv->set_rope_delta(p.delta);
    return p.positions;
}

ForwardOutput Model::forward_embeddings(const at::Tensor& embeds, std::int64_t offset, HookRunner& hooks,
                                        KVCache* kv, LogitsMode mode, const at::Tensor& mutual,
                                        const at::Tensor& positions) const {
    ForwardOutput out;
    out.hidden = decoder_->forward(embeds, offset, kv, hooks, mutual, positions);
    if (mode == LogitsMode::All)
        out.logits = decoder_->head(out.hidden).to(at::kFloat);
    else if (mode == LogitsMode::Last)
        out.logits = decoder_->head(out.hidden.narrow(1, out.hidden.size(1) - 1, 1)).to(at::kFloat);
    return out;
}

std::unique_ptr<KVCache> Model::make_kv_cache(std::int64_t batch, std::int64_t capacity) const {
    const auto& t = config_.text;
    const auto bytes = KVCache::bytes_needed(t.num_hidden_layers, batch, t.num_key_value_heads, t.head_dim,
                                             capacity, scalar_type());
    ensure_memory_available(bytes, "the KV cache");
    return std::make_unique<KVCache>(t.num_hidden_layers, batch, t.num_key_value_heads, t.head_dim, capacity,
                                     scalar_type());
}

}  // namespace sightline
