#include "core/explain/knockout.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/explain/trace_context.h"
#include "core/generate/generator.h"
#include "core/generate/prompt.h"
#include "core/util/error.h"

namespace sightline {
namespace {

void check_spec(const TraceContext& ctx, const KnockoutSpec& spec) {
    if (!is_knockout_op(spec.op))
        fail("unknown knockout '", spec.op.substr(0, 32), "' (block, mean or blur)");
    if (spec.positions.empty())
        fail("knockout: no positions chosen (brush image patches or pick prompt tokens)");
    const std::int64_t prompt = ctx.trace().answer_begin;
    for (auto p : spec.positions)
        if (p < 0 || p >= prompt)
            fail("knockout: position ", p, " is not in the prompt (0..", prompt - 1, ")");
    for (int l : spec.layers)
        if (l < 0 || l >= ctx.layers()) fail("knockout: layer ", l, " out of range 0..", ctx.layers() - 1);
    if (spec.window < 0 || spec.window > ctx.layers())
        fail("knockout: window ", spec.window, " out of range 0..", ctx.layers());
    if ((spec.op == "mean" || spec.op == "blur") && !ctx.trace().has_image())
        fail("knockout '", spec.op, "' replaces embeddings by the image's: this answer has no image");
}

double probability_at(const TraceContext& ctx, std::int64_t pos, std::int64_t id, const RunOptions* o,
                      std::string* predicted = nullptr) {
    at::NoGradGuard ng;
    const at::Tensor logits = ctx.run_prefix(pos, o);
    if (predicted) *predicted = ctx.model().token_text(logits.argmax().item<std::int64_t>());
    return at::softmax(logits, -1)[id].item<double>();
}

at::Tensor blurred_embeddings(TraceContext& ctx) {
    const Trace& t = ctx.trace();
    const at::Tensor pixels = ctx.blurred_pixels();
    RunOptions o;
    o.cache = {"lm.hook_embed"};
    ActivationCache cache;
    at::NoGradGuard ng;
    ctx.run_hidden(t.answer_begin, &o, &cache, pixels);
    return cache.get("lm.hook_embed")[0];
}

}  // namespace

std::vector<std::int64_t> positions_of_cells(const TraceContext& ctx,
                                             const std::vector<std::pair<int, int>>& cells) {
    const Trace& t = ctx.trace();
    std::vector<std::int64_t> out;
    for (const auto& [r, c] : cells) {
        if (r < 0 || c < 0 || r >= t.grid_h || c >= t.grid_w)
            fail("patch (", r, ", ", c, ") is outside the ", t.grid_h, "x", t.grid_w, " map grid");
        for (auto p : ctx.image_positions_at(r, c)) out.push_back(p);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

RunOptions knockout_options(TraceContext& ctx, const KnockoutSpec& spec, std::int64_t query_begin,
                            std::int64_t query_end, const at::Tensor& blurred_embeds) {
    RunOptions o;
    o.control = ctx.control();
    if (spec.op == "block") {
        AttentionKnockout k;
        k.layers = spec.layers;
        for (std::int64_t q = query_begin; q < query_end; ++q)
            for (auto key : spec.positions) k.query_key.emplace_back(q, key);
        o.knockouts.push_back(std::move(k));
    } else if (spec.op == "mean") {
        const at::Tensor embeds = ctx.input_embeddings();
        const at::Tensor mean = embeds.index_select(0, at::tensor(ctx.image_positions(), at::kLong)).mean(0);
        o.interventions.push_back(Intervention::replace("lm.hook_embed", mean, spec.positions));
    } else {
        if (!blurred_embeds.defined()) fail("knockout 'blur' needs the blurred image's embeddings");
        const at::Tensor rows =
            blurred_embeds.index_select(0, at::tensor(spec.positions, at::kLong)).unsqueeze(0);
        o.interventions.push_back(Intervention::replace("lm.hook_embed", rows, spec.positions));
    }
    return o;
}

KnockoutResult run_knockout(TraceContext& ctx, std::int64_t target, const KnockoutSpec& given,
                            int max_new_tokens) {
    KnockoutSpec spec = given;
    for (auto p : positions_of_cells(ctx, spec.cells)) spec.positions.push_back(p);
    spec.cells.clear();
    check_spec(ctx, spec);
    const Trace& t = ctx.trace();
    const std::int64_t pos = ctx.target_position(target);
    const std::int64_t id = t.tokens[static_cast<std::size_t>(pos)].id;
    KnockoutResult r;
    r.spec = spec;
    std::sort(r.spec.positions.begin(), r.spec.positions.end());
    r.spec.positions.erase(std::unique(r.spec.positions.begin(), r.spec.positions.end()),
                           r.spec.positions.end());
    r.target = target;
    r.token = t.tokens[static_cast<std::size_t>(pos)].text;
    r.answer_before = t.answer_text;
    const at::Tensor blurred = r.spec.op == "blur" ? blurred_embeddings(ctx) : at::Tensor();

    // The token's step, teacher-forced on the original answer: queries from the step that predicts the
    // first answer token up to the one that predicts this token.
    const std::int64_t q0 = t.answer_begin - 1;
    r.p_before = probability_at(ctx, pos, id, nullptr);
    const RunOptions o = knockout_options(ctx, r.spec, q0, pos, blurred);
    r.p_after = probability_at(ctx, pos, id, &o, &r.predicted_after);

    if (r.spec.op == "block" && r.spec.window > 0) {
        LayerCurves c;
        c.title =
            "p('" + r.token + "') with " + std::to_string(r.spec.window) + " layer(s) blocked at a time";
        c.y_label = "probability";
        c.names = {"blocked from this layer", "nothing blocked"};
        c.values.assign(2, {});
        for (int w = 0; w + r.spec.window <= ctx.layers(); ++w) {
            KnockoutSpec one = r.spec;
            one.layers.clear();
            for (int l = w; l < w + r.spec.window; ++l) one.layers.push_back(l);
            const RunOptions ow = knockout_options(ctx, one, q0, pos);
            c.layers.push_back(w);
            c.values[0].push_back(probability_at(ctx, pos, id, &ow));
            c.values[1].push_back(r.p_before);
            ctx.check_cancel();
        }
        r.per_layer = std::move(c);
    }

    // The new answer: greedy, the knockout on every step.
    PreparedPrompt prompt;
    prompt.trace = t;
    prompt.trace.tokens.resize(static_cast<std::size_t>(t.answer_begin));
    prompt.trace.steps.clear();
    prompt.trace.answer_text.clear();
    prompt.trace.capture.reset();
    GenerationSettings g = t.settings;
    g.temperature = 0;
    g.max_new_tokens = static_cast<int>(std::min<std::int64_t>(max_new_tokens, t.answer_size() + 8));
    const std::int64_t context = ctx.model().config.text.max_position_embeddings;
    const RunOptions during =
        knockout_options(ctx, r.spec, q0, std::min(context, t.answer_begin + g.max_new_tokens + 1), blurred);
    GenerationCallbacks cb;
    cb.control = ctx.control();
    cb.interventions = &during;
    const Trace after = generate(ctx.model(), std::move(prompt), g, cb);
    r.answer_after = after.answer_text;
    r.ids_after = after.answer_ids();
    return r;
}

}  // namespace sightline
