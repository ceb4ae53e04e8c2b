#include "core/explain/relevancy_explainer.h"

#include <ATen/ATen.h>

#include "core/explain/map_utils.h"
#include "core/explain/trace_context.h"
#include "core/util/error.h"
#include "core/util/system_info.h"

namespace sightline {

at::Tensor relevancy_matrix(const std::vector<at::Tensor>& patterns, const std::vector<at::Tensor>& grads) {
    if (patterns.empty() || patterns.size() != grads.size())
        fail("relevancy: patterns and gradients do not match");
    const auto n = patterns[0].size(-1);
    at::Tensor r = at::eye(n, at::kDouble);
    for (std::size_t l = 0; l < patterns.size(); ++l) {
        const at::Tensor abar =
            (grads[l].to(at::kDouble) * patterns[l].to(at::kDouble)).clamp_min(0).mean(0);  // [n, n]
        r = r + at::matmul(abar, r);
    }
    return r;
}

std::string RelevancyExplainer::description() const {
    return "Gradient-weighted attention relevancy (Chefer et al. 2021): one forward and backward pass over "
           "the "
           "prefix that predicted the token (no KV cache, so no stale rows), propagated through the chosen "
           "layers.";
}

std::vector<ParamSpec> RelevancyExplainer::params(const ModelConfig& c) const {
    const double last = static_cast<double>(c.text.num_hidden_layers - 1);
    return {
        {"first_layer",
         "First layer",
         "First LM layer whose attention is propagated (0-based)",
         ParamKind::Int,
         0,
         0,
         last,
         {}},
        {"last_layer",
         "Last layer",
         "Last LM layer propagated (0-based; -1 = the final layer)",
         ParamKind::Int,
         -1,
         -1,
         last,
         {}},
        {"vision",
         "Vision tower",
         "off: LM relevancy of image tokens; propagate: through the vision tower's own "
         "relevancy onto input patches; cls: the vision tower's class-token row",
         ParamKind::Choice,
         "off",
         0,
         0,
         {"off", "propagate", "cls"}},
    };
}

Explanation RelevancyExplainer::explain(TraceContext& ctx, std::int64_t target,
                                        const nlohmann::json& p) const {
    const std::int64_t pos = ctx.target_position(target);
    const std::int64_t q = pos - 1;  // the prediction step
    const std::int64_t n = pos;      // positions 0..t-1
    const int L = ctx.layers();
    int first = p.at("first_layer").get<int>();
    int last = p.at("last_layer").get<int>();
    if (last < 0) last = L - 1;
    if (first > last) fail("relevancy: first_layer ", first, " is after last_layer ", last);
    const std::string vision = p.at("vision").get<std::string>();
    const Trace& trace = ctx.trace();
    if (vision != "off" && !trace.has_image()) fail("relevancy: vision-tower relevancy needs an image");
    ensure_memory_available(static_cast<std::uint64_t>(L) * ctx.heads() * n * n * 4 * 4,
                            "relevancy gradients");

    // Forward with a graph: only activations need gradients (weights stay frozen).
    RunOptions o;
    o.cache = {"lm.blocks.*.attn.hook_pattern"};
    o.keep_grad = o.cache;
    at::Tensor pixels;
    if (vision != "off") {
        o.cache.push_back("vision.blocks.*.attn.hook_pattern");
        o.keep_grad.push_back("vision.blocks.*.attn.hook_pattern");
        pixels = trace.pixel_values.detach().clone().requires_grad_(true);
    } else {
        o.interventions = {Intervention::apply("lm.hook_embed", [](const at::Tensor& x, const HookContext&) {
            return x.detach().requires_grad_(true);
        })};
        pixels = trace.pixel_values;
    }
    ActivationCache cache;
    at::Tensor logits;
    {
        at::AutoGradMode grad_on(true);
        const at::Tensor ids = ctx.input_ids().narrow(1, 0, n);
        logits = ctx.model().model->forward(ids, pixels, &o, &cache, nullptr, LogitsMode::Last).logits[0][0];
        const std::int64_t y = trace.tokens[static_cast<std::size_t>(pos)].id;
        logits[y].backward();
    }
    ctx.check_cancel();
    std::vector<at::Tensor> pats, grads;
    for (int l = first; l <= last; ++l) {
        const auto& a = cache.get("lm.blocks." + std::to_string(l) + ".attn.hook_pattern");
        pats.push_back(a[0].detach());
        grads.push_back(a.grad()[0]);
    }
    const at::Tensor r = relevancy_matrix(pats, grads);
    const at::Tensor row = r[q].to(at::kFloat);

    Explanation e;
    e.method = name();
    e.target = target;
    e.target_position = pos;
    for (auto t : ctx.text_positions_before(q))
        e.text_positions.push_back(t);  // the diagonal (q itself) excluded
    e.text_scores = gather(row, e.text_positions);
    if (trace.has_image()) {
        e.grid_h = trace.grid_h;
        e.grid_w = trace.grid_w;
        std::vector<float> lm_image = gather(row, ctx.image_positions());
        if (vision == "off") {
            e.image_map = ctx.to_grid(lm_image);
        } else {
            // Vision-tower relevancy over its tokens ([CLS] + patches for CLIP, patches for SigLIP).
            std::vector<at::Tensor> vp, vg;
            for (int l = 0; l < ctx.model().model->vision()->blocks_used(); ++l) {
                const auto& a = cache.get("vision.blocks." + std::to_string(l) + ".attn.hook_pattern");
                vp.push_back(a[0].detach());
                vg.push_back(a.grad()[0]);
            }
            const at::Tensor rv = relevancy_matrix(vp, vg).to(at::kFloat);  // [V, V]
            const auto& cfg = ctx.model().config;
            const std::int64_t cls = cfg.vision.has_class_token() ? 1 : 0;
            const std::int64_t patches = cfg.vision.num_patches();
            at::Tensor patch_rel;
            if (vision == "cls") {
                if (!cls) fail("relevancy: this vision tower has no class token; use vision=propagate");
                patch_rel = rv[0].narrow(0, 1, patches);
            } else {
                // Image position i reads vision token i (+1 when the first vision token was dropped).
                const std::int64_t shift = cfg.vision_feature_select_strategy == "default" ? 1 : 0;
                const at::Tensor w = at::tensor(lm_image, at::kFloat);
                const at::Tensor rows = rv.narrow(0, shift, w.size(0));  // [n_image, V]
                patch_rel = at::matmul(w, rows).narrow(0, cls, patches);
            }
            e.image_map = to_vector(patch_rel);
        }
        e.extras["raw_max"] = *std::max_element(e.image_map.begin(), e.image_map.end());
        minmax_normalize(e.image_map);
    }
    e.extras["layers"] = {first, last};
    e.extras["target_logit"] = logits[trace.tokens[static_cast<std::size_t>(pos)].id].item<double>();
    return e;
}

}  // namespace sightline
