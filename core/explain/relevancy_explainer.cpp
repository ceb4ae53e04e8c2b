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
    return "Gradient-weighted attention relevancy (Chefer et al. 2021): the gradient of the token's logit "
           "with respect to every attention pattern, propagated through the chosen layers. The first click "
           "runs one forward pass with a gradient graph (kept with the answer while memory allows); each "
           "click then costs one backward pass.";
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

namespace {

// One forward pass with a graph over every position an answer token is predicted from, kept with the
// trace: each click back-propagates from its own logit through it (retain_graph), so a further token
// costs its backward only. Causal attention makes row q of the relevancy matrix depend on positions <= q
// only, so the rows equal those of a forward over the prefix alone.
struct PrefixGraph : TraceState {
    ActivationCache cache;  // hook_pattern tensors (retaining .grad), LM and optionally vision
    at::Tensor hidden;      // final normalised hidden states [n, d], part of the graph
    at::Tensor leaf;  // the leaf gradients flow to: LM input embeddings, or pixels with the vision tower
    bool vision = false;
    std::int64_t positions = 0;
    std::uint64_t estimate = 0;
    int layers_done = 0;                // backward progress (patterns reached so far)
    std::unique_ptr<StageMeter> meter;  // set during a backward
    std::uint64_t bytes() const override { return estimate; }

    void zero_grads() {
        for (const auto& name : cache.names()) {
            at::Tensor t = cache.get(name);
            if (t.grad().defined()) t.mutable_grad() = at::Tensor();
        }
        if (leaf.defined() && leaf.grad().defined()) leaf.mutable_grad() = at::Tensor();
    }
};

constexpr const char* kStateKey = "relevancy.prefix_graph";

std::uint64_t elem_bytes(const LoadedModel& m) {
    return static_cast<std::uint64_t>(c10::elementSize(m.model->scalar_type()));
}

}  // namespace

std::uint64_t relevancy_graph_bytes(const ModelConfig& c, std::int64_t n, std::uint64_t elem, bool vision) {
    // Per LM layer the backward keeps the norms' inputs, q/k/v, the attention output, the residual and
    // the MLP's gate/up/activation/product ([n, d] and [n, ff] in the compute dtype), and per head the
    // pattern, its softmax output and its retained gradient ([n, n], counted as float32).
    const auto un = static_cast<std::uint64_t>(n);
    const auto& t = c.text;
    std::uint64_t per_layer = elem * (9 * un * static_cast<std::uint64_t>(t.hidden_size) +
                                      4 * un * static_cast<std::uint64_t>(t.intermediate_size)) +
                              static_cast<std::uint64_t>(t.num_attention_heads) * un * un * 4 * 3;
    std::uint64_t total = per_layer * static_cast<std::uint64_t>(t.num_hidden_layers);
    if (vision && c.multimodal) {
        const auto& v = c.vision;
        const auto nv = static_cast<std::uint64_t>(v.num_patches() + (v.has_class_token() ? 1 : 0));
        const std::uint64_t pv = elem * (9 * nv * static_cast<std::uint64_t>(v.hidden_size) +
                                         2 * nv * static_cast<std::uint64_t>(v.intermediate_size)) +
                                 static_cast<std::uint64_t>(v.num_attention_heads) * nv * nv * 4 * 3;
        total += pv * static_cast<std::uint64_t>(v.num_hidden_layers);
    }
    return total;
}

Explanation RelevancyExplainer::explain(TraceContext& ctx, std::int64_t target,
                                        const nlohmann::json& p) const {
    const std::int64_t pos = ctx.target_position(target);
    const std::int64_t q = pos - 1;  // the prediction step
    const int L = ctx.layers();
    int first = p.at("first_layer").get<int>();
    int last = p.at("last_layer").get<int>();
    if (last < 0) last = L - 1;
    if (first > last) fail("relevancy: first_layer ", first, " is after last_layer ", last);
    const std::string vision = p.at("vision").get<std::string>();
    const Trace& trace = ctx.trace();
    if (vision != "off" && !trace.has_image()) fail("relevancy: vision-tower relevancy needs an image");
    const bool want_vision = vision != "off";
    if (want_vision && !trace.layout.empty() && !trace.layout.single_grid())
        fail("relevancy: vision = ", vision,
             " reads one vision-tower grid, but this model sees the image as ", trace.layout.views.size(),
             " views (tiles or crops); use vision = off");
    if (want_vision && (ctx.model().config.family == MultimodalFamily::Qwen2VL ||
                        ctx.model().config.image_token_count() !=
                            ctx.model().config.vision.num_patches() +
                                (ctx.model().config.image_tokens_include_cls() ? 1 : 0)))
        fail("relevancy: vision = ", vision,
             " needs one image token per vision-tower token; this model pools ",
             "its patches into fewer tokens (use vision = off)");

    // A graph with the vision tower also serves LM-only requests; otherwise build one (replacing the old).
    auto* graph = dynamic_cast<PrefixGraph*>(ctx.state(kStateKey));
    const bool reused = graph != nullptr && (graph->vision || !want_vision);
    if (!reused) {
        ctx.release_state(kStateKey);
        auto g = std::make_unique<PrefixGraph>();
        g->vision = want_vision;
        g->positions = ctx.length() - 1;  // the last answer token is predicted at position N-2
        g->estimate =
            relevancy_graph_bytes(ctx.model().config, g->positions, elem_bytes(ctx.model()), want_vision);
        const std::uint64_t rule = static_cast<std::uint64_t>(g->positions) * g->positions * 8 * 3;
        ensure_memory_available(g->estimate + rule, "relevancy's gradient graph");

        // Forward with a graph: only activations need gradients (weights stay frozen).
        RunOptions o;
        o.cache = {"lm.blocks.*.attn.hook_pattern"};
        at::Tensor pixels;  // undefined: the trace's own pixel values
        if (want_vision) {
            o.cache.push_back("vision.blocks.*.attn.hook_pattern");
            pixels = trace.pixel_values.pixels.detach().clone().requires_grad_(true);
            g->leaf = pixels;
        } else {
            PrefixGraph* raw = g.get();
            o.interventions = {
                Intervention::apply("lm.hook_embed", [raw](const at::Tensor& x, const HookContext&) {
                    raw->leaf = x.detach().requires_grad_(true);
                    return raw->leaf;
                })};
        }
        o.keep_grad = o.cache;
        {
            at::AutoGradMode grad_on(true);
            g->hidden = ctx.run_hidden(g->positions, &o, &g->cache, pixels)[0];
        }
        // Backward progress: each LM layer's pattern gradient arrives in turn (last layer first).
        PrefixGraph* raw = g.get();
        for (int l = 0; l < L; ++l) {
            at::Tensor a = g->cache.get("lm.blocks." + std::to_string(l) + ".attn.hook_pattern");
            a.register_hook([raw](const at::Tensor&) {
                if (raw->meter) raw->meter->step(++raw->layers_done);
            });
        }
        graph = g.get();
        ctx.set_state(kStateKey, std::move(g));
    }
    ctx.check_cancel();

    at::Tensor logits;
    {
        at::AutoGradMode grad_on(true);
        graph->zero_grads();
        logits = ctx.model().model->decoder().head(graph->hidden.narrow(0, q, 1)).to(at::kFloat)[0];
        const std::int64_t y = trace.tokens[static_cast<std::size_t>(pos)].id;
        graph->layers_done = 0;
        graph->meter = std::make_unique<StageMeter>(ctx.control(), "backward", L);
        try {
            logits[y].backward({}, /*retain_graph=*/true);
        } catch (...) {
            graph->meter.reset();
            graph->zero_grads();
            throw;
        }
        graph->meter.reset();
    }
    ctx.check_cancel();
    const ActivationCache& cache = graph->cache;
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
            ctx.set_image_map(e, lm_image);
        } else {
            // Vision-tower relevancy over its tokens ([CLS] + patches for CLIP, patches for SigLIP).
            std::vector<at::Tensor> vp, vg;
            for (int l = 0; l < ctx.model().model->vision_blocks(); ++l) {
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
        e.diagnostics["raw_max"] = *std::max_element(e.image_map.begin(), e.image_map.end());
        minmax_normalize(e.image_map);
    }
    graph->zero_grads();  // the pattern gradients (1.5 GB on a 7B model) are not kept between clicks
    e.diagnostics["layers"] = {first, last};
    e.diagnostics["prefix_graph"] = reused ? "reused" : "built";
    e.diagnostics["prefix_graph_bytes"] = graph->estimate;
    e.diagnostics["target_logit"] = logits[trace.tokens[static_cast<std::size_t>(pos)].id].item<double>();
    // Keep the graph for further clicks only while the machine keeps room for other work; otherwise the
    // next click rebuilds it.
    const std::uint64_t avail = available_memory_bytes();
    if (avail != 0 && avail < kRelevancyKeepMargin) {
        ctx.release_state(kStateKey);
        e.diagnostics["prefix_graph_kept"] = false;
    } else {
        e.diagnostics["prefix_graph_kept"] = true;
    }
    return e;
}

}  // namespace sightline
