#include "core/explain/logit_lens_explainer.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/explain/map_utils.h"
#include "core/explain/trace_context.h"
#include "core/util/error.h"
#include "core/util/system_info.h"

namespace sightline {
namespace {

constexpr int kTopWords = 5;

// What the lens keeps for one trace: every layer's normalised residual state at the prompt positions and,
// per (layer, position), the log-sum-exp over the vocabulary and the top words, so any word's probability
// at any layer is one dot product away.
struct LensState : TraceState {
    at::Tensor normed;     // [L, P, d], model dtype
    at::Tensor lse;        // [L, P] float32
    at::Tensor top_ids;    // [L, P, k] int64
    at::Tensor top_probs;  // [L, P, k] float32
    std::uint64_t bytes() const override {
        return normed.numel() * normed.element_size() + lse.numel() * 4 + top_ids.numel() * 8 +
               top_probs.numel() * 4;
    }
};

LensState& lens_state(TraceContext& ctx) {
    if (auto* s = dynamic_cast<LensState*>(ctx.state("logit_lens"))) return *s;
    const Trace& t = ctx.trace();
    const std::int64_t prompt = t.answer_begin;
    if (prompt <= 0) fail("logit lens: the trace has no prompt positions");
    const auto& cfg = ctx.model().config.text;
    const int layers = ctx.layers();
    const auto d = cfg.hidden_size;
    const auto vocab = cfg.vocab_size;
    const std::uint64_t keep = static_cast<std::uint64_t>(layers) * static_cast<std::uint64_t>(prompt) *
                               static_cast<std::uint64_t>(d) * 4;
    const std::uint64_t per_layer_logits =
        static_cast<std::uint64_t>(prompt) * static_cast<std::uint64_t>(vocab) * 4 * 2;
    ensure_memory_available(keep + per_layer_logits, "the logit lens's residual states");

    auto state = std::make_unique<LensState>();
    std::vector<at::Tensor> per_layer(static_cast<std::size_t>(layers));
    const Decoder& dec = ctx.model().model->decoder();
    RunOptions o;
    o.control = ctx.control();
    o.report_layers = true;
    o.lm_stage = "logit lens pass";
    o.interventions = {
        Intervention::apply("lm.blocks.*.hook_resid_post", [&](const at::Tensor& x, const HookContext& c) {
            per_layer[static_cast<std::size_t>(hook_layer(c.name))] = dec.final_norm(x[0]).detach().clone();
            return x;
        })};
    {
        at::NoGradGuard ng;
        ctx.run_hidden(prompt, &o);
    }
    state->normed = at::stack(per_layer);  // [L, P, d]
    std::vector<at::Tensor> lse, ids, probs;
    StageMeter meter(ctx.control(), "logit lens readout", layers);
    at::NoGradGuard ng;
    for (int l = 0; l < layers; ++l) {
        const at::Tensor logits = dec.head(state->normed[l]).to(at::kFloat);  // [P, V]
        const at::Tensor z = at::logsumexp(logits, -1);
        const auto top = at::topk(logits, std::min<std::int64_t>(kTopWords, vocab), -1);
        lse.push_back(z);
        ids.push_back(std::get<1>(top));
        probs.push_back(at::exp(std::get<0>(top) - z.unsqueeze(-1)));
        meter.step(l + 1);
    }
    state->lse = at::stack(lse);
    state->top_ids = at::stack(ids);
    state->top_probs = at::stack(probs);
    LensState& ref = *state;
    ctx.set_state("logit_lens", std::move(state));
    return ref;
}

}  // namespace

std::string LogitLensExplainer::description() const {
    return "Logit lens (nostalgebraist 2020) on the prompt: each image patch's residual state after a chosen "
           "layer, read through the final norm and the LM head, as the probability of the clicked word. The "
           "curve shows the best and mean patch probability by layer; hover a cell for its top five words. "
           "No gradients, one pass per answer.";
}

std::vector<ParamSpec> LogitLensExplainer::params(const ModelConfig& config) const {
    const double last = static_cast<double>(std::max<std::int64_t>(config.text.num_hidden_layers - 1, 0));
    return {
        {"layer",
         "Layer",
         "The LM layer whose output is read (-1: the layer where the word is most probable at some patch)",
         ParamKind::Int,
         -1,
         -1,
         last,
         {}},
        {"readout",
         "Readout",
         "probability: softmax over the vocabulary; logit: the word's raw logit",
         ParamKind::Choice,
         "probability",
         0,
         0,
         {"probability", "logit"}},
    };
}

Explanation LogitLensExplainer::explain(TraceContext& ctx, std::int64_t target,
                                        const nlohmann::json& p) const {
    const std::int64_t pos = ctx.target_position(target);
    const Trace& trace = ctx.trace();
    const std::int64_t word = trace.tokens[static_cast<std::size_t>(pos)].id;
    const LensState& s = lens_state(ctx);
    const int layers = ctx.layers();

    const at::Tensor logit = head_class_logits(ctx.model(), s.normed, {word}).squeeze(-1);  // [L, P]
    const at::Tensor prob = at::exp(logit - s.lse);
    // The states are kept for positions 0 .. prompt - 1, so a column is its sequence position.
    const std::int64_t prompt = s.normed.size(1);
    std::vector<std::int64_t> image_cols, text_cols;
    for (std::int64_t i = 0; i < prompt; ++i)
        (trace.tokens[static_cast<std::size_t>(i)].role == TokenRole::Image ? image_cols : text_cols)
            .push_back(i);
    const at::Tensor image_idx = at::tensor(image_cols, at::kLong);
    const at::Tensor text_idx = at::tensor(text_cols, at::kLong);

    // Per layer: the best and the mean probability over image patches (over text positions when the trace
    // has no image), and the first layer where the word is the top word at some patch.
    const at::Tensor& read = image_cols.empty() ? text_idx : image_idx;
    const at::Tensor over = prob.index_select(1, read);
    const at::Tensor top1 = s.top_ids.index_select(1, read).select(2, 0);
    LayerCurves curves;
    curves.title = "Logit lens: p('" + trace.tokens[static_cast<std::size_t>(pos)].text + "') by layer";
    curves.y_label = "probability";
    curves.names = {image_cols.empty() ? "best position" : "best patch",
                    image_cols.empty() ? "mean over positions" : "mean over patches"};
    curves.values.assign(2, {});
    int best_layer = 0, first_layer = -1;
    double best = -1;
    for (int l = 0; l < layers; ++l) {
        curves.layers.push_back(l);
        const double mx = over.numel() > 0 ? over[l].max().item<double>() : 0.0;
        curves.values[0].push_back(mx);
        curves.values[1].push_back(over.numel() > 0 ? over[l].mean().item<double>() : 0.0);
        if (mx > best) {
            best = mx;
            best_layer = l;
        }
        if (first_layer < 0 && top1.numel() > 0 && top1[l].eq(word).any().item<bool>()) first_layer = l;
    }
    const int asked = p.at("layer").get<int>();
    if (asked >= layers) fail("logit lens: layer ", asked, " out of range 0..", layers - 1);
    const int layer = asked < 0 ? best_layer : asked;
    const bool as_prob = p.at("readout").get<std::string>() == "probability";
    const at::Tensor values = (as_prob ? prob : logit)[layer];

    Explanation e;
    e.method = name();
    e.target = target;
    e.target_position = pos;
    for (auto k : text_cols) {
        e.text_positions.push_back(k);
        e.text_scores.push_back(values[k].item<float>());
    }
    if (trace.has_image() && !image_cols.empty()) {
        ctx.set_image_map(e, to_vector(values.index_select(0, image_idx).contiguous()));
        // The top words of each map cell's (first) image position at this layer.
        CellWords cw;
        cw.k = static_cast<int>(s.top_ids.size(2));
        const at::Tensor ids = s.top_ids[layer];
        const at::Tensor pr = s.top_probs[layer];
        for (int r = 0; r < e.grid_h; ++r)
            for (int c = 0; c < e.grid_w; ++c) {
                std::vector<std::string> words;
                std::vector<double> scores;
                const auto at_cell = ctx.image_positions_at(r, c);
                if (!at_cell.empty() && at_cell.front() < prompt)
                    for (std::int64_t k = 0; k < cw.k; ++k) {
                        words.push_back(ctx.model().token_text(ids[at_cell.front()][k].item<std::int64_t>()));
                        scores.push_back(pr[at_cell.front()][k].item<double>());
                    }
                cw.words.push_back(std::move(words));
                cw.scores.push_back(std::move(scores));
            }
        e.cell_words = std::move(cw);
    }
    e.layer_curves = std::move(curves);
    e.diagnostics = {{"layer", layer},
                     {"best_layer", best_layer},
                     {"best_probability", best},
                     {"first_layer_top1", first_layer},
                     {"readout", as_prob ? "probability" : "logit"},
                     {"state_bytes", s.bytes()}};
    return e;
}

}  // namespace sightline
