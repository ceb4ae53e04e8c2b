#include "core/explain/causal_tracing.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/explain/map_utils.h"
#include "core/explain/trace_context.h"
#include "core/util/error.h"
#include "core/util/stopwatch.h"
#include "core/util/system_info.h"

namespace sightline {
namespace {

std::string hook_of(StateKind kind, int layer) {
    return "lm.blocks." + std::to_string(layer) + "." + to_string(kind);
}

std::string pattern_of(StateKind kind) {
    return "lm.blocks.*." + to_string(kind);
}

// Each kind's hook, words for people and short id, in StateKind's order.
struct KindNames {
    const char* hook;
    const char* label;
    const char* id;
};
const KindNames& names_of(StateKind kind) {
    static const KindNames names[] = {{"hook_resid_post", "residual stream", "resid"},
                                      {"hook_attn_out", "attention output", "attn"},
                                      {"hook_mlp_out", "MLP output", "mlp"}};
    return names[static_cast<int>(kind)];
}

const char* label_of(StateKind kind) {
    return names_of(kind).label;
}

const char* short_name(StateKind kind) {
    return names_of(kind).id;
}

}  // namespace

std::string to_string(StateKind kind) {
    return names_of(kind).hook;
}

StateKind state_kind_from_string(const std::string& s) {
    for (StateKind k : {StateKind::Residual, StateKind::Attention, StateKind::Mlp})
        if (s == names_of(k).id) return k;
    fail("unknown kind of state '", s.substr(0, 32), "' (resid, attn or mlp)");
}

CausalTracer::CausalTracer(TraceContext& ctx, std::int64_t target, const TracingOptions& options,
                           const std::vector<StateKind>& kinds)
    : ctx_(ctx), options_(options) {
    const Trace& t = ctx.trace();
    if (!t.has_image()) fail("causal tracing corrupts the image: this answer has no image");
    if (options.corruption != "noise" && options.corruption != "blur")
        fail("causal tracing: unknown corruption '", options.corruption.substr(0, 32), "' (noise or blur)");
    if (!(options.noise_scale >= 0) || !std::isfinite(options.noise_scale))
        fail("causal tracing: the noise scale must be a finite number >= 0");
    if (options.samples < 1) fail("causal tracing: at least one noise sample is needed");
    const std::int64_t pos = ctx.target_position(target);
    target_id_ = t.tokens[static_cast<std::size_t>(pos)].id;
    n_ = pos;  // positions 0 .. pos-1; the last one predicts the token
    image_positions_ = ctx.image_positions();
    const auto d = ctx.model().config.text.hidden_size;
    ensure_memory_available(static_cast<std::uint64_t>(kinds.size()) *
                                    static_cast<std::uint64_t>(ctx.layers()) *
                                    static_cast<std::uint64_t>(n_) * static_cast<std::uint64_t>(d) * 4 +
                                static_cast<std::uint64_t>(options.samples) * image_positions_.size() *
                                    static_cast<std::uint64_t>(d) * 4,
                            "causal tracing's clean states");

    // The clean run, keeping the states that will be restored.
    RunOptions o;
    o.control = ctx.control();
    for (StateKind k : kinds) o.cache.push_back(pattern_of(k));
    {
        at::NoGradGuard ng;
        p_clean_ = at::softmax(ctx.run_prefix(n_, &o, &clean_), -1)[target_id_].item<double>();
    }
    ++passes_;

    // The corruption.
    const at::Tensor embeds = ctx.input_embeddings().to(at::kFloat);
    const at::Tensor img = embeds.index_select(0, at::tensor(image_positions_, at::kLong));
    sigma_ = img.std().item<double>();
    if (options.corruption == "noise") {
        std::mt19937_64 gen(options.seed);
        std::normal_distribution<float> normal(0.0f, static_cast<float>(options.noise_scale * sigma_));
        const auto count = static_cast<std::int64_t>(image_positions_.size()) * d;
        for (int s = 0; s < options.samples; ++s) {
            at::Tensor noise =
                at::empty({1, static_cast<std::int64_t>(image_positions_.size()), d}, at::kFloat);
            float* p = noise.data_ptr<float>();
            for (std::int64_t i = 0; i < count; ++i) p[i] = normal(gen);
            noise_.push_back(noise);
        }
    } else {
        blurred_pixels_ = ctx.blurred_pixels();
    }
    p_corrupted_ = run({});
}

double CausalTracer::run(const std::vector<Intervention>& restore) const {
    at::NoGradGuard ng;
    const int samples = options_.corruption == "noise" ? options_.samples : 1;
    double total = 0;
    for (int s = 0; s < samples; ++s) {
        ctx_.check_cancel();
        Stopwatch clock;
        RunOptions o;
        o.control = ctx_.control();
        o.interventions = restore;
        if (options_.corruption == "noise")
            o.interventions.push_back(
                Intervention::add("lm.hook_embed", noise_[static_cast<std::size_t>(s)], image_positions_));
        total +=
            at::softmax(ctx_.run_prefix(n_, &o, nullptr, blurred_pixels_), -1)[target_id_].item<double>();
        ++passes_;
        pass_ms_ = clock.elapsed_ms();
    }
    return total / samples;
}

double CausalTracer::restored_probability(StateKind kind, const std::vector<int>& layers,
                                          const std::vector<std::int64_t>& positions) const {
    if (positions.empty() || layers.empty()) return p_corrupted_;
    for (auto p : positions)
        if (p < 0 || p >= n_) fail("causal tracing: position ", p, " is not before the token (", n_, ")");
    const at::Tensor idx = at::tensor(positions, at::kLong);
    std::vector<Intervention> restore;
    for (int l : layers) {
        if (l < 0 || l >= ctx_.layers())
            fail("causal tracing: layer ", l, " out of range 0..", ctx_.layers() - 1);
        const std::string hook = hook_of(kind, l);
        restore.push_back(Intervention::replace(hook, clean_.get(hook).index_select(1, idx), positions));
    }
    return run(restore);
}

std::string CausalTracingExplainer::description() const {
    return "Causal tracing (Meng et al. 2022) on the image: corrupt the image (noise on its token "
           "embeddings, "
           "or a blurred image), then restore the clean state of one layer at one image region or text token "
           "and measure how much of the word's probability comes back. A layers x positions table per kind "
           "of "
           "state (residual, attention, MLP), the strongest effect by layer, and the map at the chosen "
           "layer.";
}

std::vector<ParamSpec> CausalTracingExplainer::params(const ModelConfig& config) const {
    const double layers = static_cast<double>(std::max<std::int64_t>(config.text.num_hidden_layers, 1));
    return {
        {"corruption",
         "Corruption",
         "noise: Gaussian noise on the image tokens' LM inputs; blur: a blurred image",
         ParamKind::Choice,
         "noise",
         0,
         0,
         {"noise", "blur"}},
        {"noise_scale",
         "Noise (x std)",
         "Noise standard deviation in units of the image embeddings' std (k)",
         ParamKind::Double,
         3.0,
         0.0,
         20.0,
         {}},
        {"samples", "Noise samples", "Corrupted runs averaged per measurement", ParamKind::Int, 3, 1, 50, {}},
        {"kinds",
         "States restored",
         "Which states to restore: the residual stream, attention or MLP outputs, or all three (three "
         "tables)",
         ParamKind::Choice,
         "resid",
         0,
         0,
         {"resid", "attn", "mlp", "all"}},
        {"text",
         "Trace text tokens",
         "Also restore each text token before the word (columns after the image regions)",
         ParamKind::Bool,
         true,
         0,
         0,
         {}},
        {"window",
         "Window (attn, mlp)",
         "Attention and MLP outputs are restored over this many layers around each layer",
         ParamKind::Int,
         static_cast<int>(std::min(3.0, layers)),
         1,
         layers,
         {}},
        {"layer",
         "Map layer",
         "The layer whose residual effects make the map (-1: the layer of the strongest image effect)",
         ParamKind::Int,
         -1,
         -1,
         layers - 1,
         {}},
        {"region",
         "Region size",
         "Image regions are squares of this many map cells (0: automatic, about 8 x 8 regions)",
         ParamKind::Int,
         0,
         0,
         64,
         {}},
        {"layer_stride",
         "Layer stride",
         "Trace every n-th layer (0: automatic, within the pass budget)",
         ParamKind::Int,
         0,
         0,
         layers,
         {}},
        {"max_passes",
         "Pass budget",
         "The most forward passes one trace may run; regions and the layer stride grow to fit",
         ParamKind::Int,
         1500,
         10,
         1000000,
         {}},
        {"time_budget_s",
         "Time budget (s)",
         "Regions and the layer stride also grow so that the passes fit this time, measured from the first "
         "passes (0: no time limit)",
         ParamKind::Double,
         120.0,
         0.0,
         86400.0,
         {}},
        {"seed", "Noise seed", "Seed of the noise samples", ParamKind::Int, 1, 0, 1000000000, {}},
    };
}

namespace {

struct Column {
    std::string label;
    std::vector<std::int64_t> positions;
    bool image = false;
};

std::vector<Column> image_regions(const TraceContext& ctx, int side) {
    const Trace& t = ctx.trace();
    std::vector<Column> out;
    for (int r0 = 0; r0 < t.grid_h; r0 += side)
        for (int c0 = 0; c0 < t.grid_w; c0 += side) {
            Column c;
            c.image = true;
            const int r1 = std::min(t.grid_h, r0 + side) - 1, c1 = std::min(t.grid_w, c0 + side) - 1;
            c.label = side == 1 ? cat("patch (", r0, ", ", c0, ")")
                                : cat("region r", r0, "-", r1, " c", c0, "-", c1);
            for (int r = r0; r <= r1; ++r)
                for (int col = c0; col <= c1; ++col)
                    for (auto p : ctx.image_positions_at(r, col)) c.positions.push_back(p);
            std::sort(c.positions.begin(), c.positions.end());
            c.positions.erase(std::unique(c.positions.begin(), c.positions.end()), c.positions.end());
            if (!c.positions.empty()) out.push_back(std::move(c));
        }
    return out;
}

std::vector<int> window_around(int layer, int window, int layers) {
    const int lo = std::max(0, layer - window / 2);
    const int hi = std::min(layers - 1, lo + window - 1);
    std::vector<int> out;
    for (int l = lo; l <= hi; ++l) out.push_back(l);
    return out;
}

}  // namespace

Explanation CausalTracingExplainer::explain(TraceContext& ctx, std::int64_t target,
                                            const nlohmann::json& p) const {
    const Trace& trace = ctx.trace();
    const std::int64_t pos = ctx.target_position(target);
    const int layers = ctx.layers();
    std::vector<StateKind> kinds;
    const std::string which = p.at("kinds").get<std::string>();
    if (which == "all")
        kinds = {StateKind::Residual, StateKind::Attention, StateKind::Mlp};
    else
        kinds = {state_kind_from_string(which)};
    TracingOptions o;
    o.corruption = p.at("corruption").get<std::string>();
    o.noise_scale = p.at("noise_scale").get<double>();
    o.samples = p.at("samples").get<int>();
    o.seed = p.at("seed").get<std::uint64_t>();
    const int samples = o.corruption == "noise" ? o.samples : 1;
    const int window = p.at("window").get<int>();

    // Columns: image regions, then every text position before the token. Regions and the layer stride
    // grow until the passes fit the budget.
    std::vector<Column> text;
    if (p.at("text").get<bool>())
        for (auto tp : ctx.text_positions_before(pos))
            text.push_back({"'" + trace.tokens[static_cast<std::size_t>(tp)].text + "'", {tp}, false});
    const int max_side = std::max(trace.grid_h, trace.grid_w);
    int side = p.at("region").get<int>();
    const bool auto_side = side <= 0;
    if (auto_side) side = std::max(1, (max_side + 7) / 8);
    int stride = p.at("layer_stride").get<int>();
    const bool auto_stride = stride <= 0;
    if (auto_stride) stride = 1;
    // The clean and corrupted runs first: they time one pass, which sizes the plan on big models.
    CausalTracer tracer(ctx, target, o, kinds);
    const double base = tracer.corrupted_probability();
    const double time_budget_s = p.at("time_budget_s").get<double>();
    std::int64_t max_passes = p.at("max_passes").get<std::int64_t>();
    const bool timed = time_budget_s > 0 && tracer.pass_ms() > 0 &&
                       time_budget_s * 1000.0 / tracer.pass_ms() < static_cast<double>(max_passes);
    if (timed)
        max_passes =
            std::max<std::int64_t>(1, static_cast<std::int64_t>(time_budget_s * 1000.0 / tracer.pass_ms()));
    std::vector<Column> regions = image_regions(ctx, side);
    const auto planned = [&] {
        const std::int64_t rows = (layers + stride - 1) / stride;  // layers 0, stride, 2 stride, ...
        return static_cast<std::int64_t>(kinds.size()) * rows *
               static_cast<std::int64_t>(regions.size() + text.size()) * samples;
    };
    bool restricted = false;
    while (planned() > max_passes) {
        if (auto_side && side < max_side) {
            ++side;
            regions = image_regions(ctx, side);
        } else if (auto_stride && stride < layers) {
            ++stride;
        } else {
            fail("causal tracing: ", planned(), " forward passes exceed the budget of ", max_passes,
                 timed
                     ? cat(" (", time_budget_s, " s at ", static_cast<int>(tracer.pass_ms()), " ms per pass)")
                     : std::string(),
                 "; raise max_passes or time_budget_s, the region size or the layer stride");
        }
        restricted = true;
    }
    std::vector<int> traced_layers;
    for (int l = 0; l < layers; l += stride) traced_layers.push_back(l);

    std::vector<Column> columns = regions;
    columns.insert(columns.end(), text.begin(), text.end());
    StageMeter meter(ctx.control(), "causal tracing",
                     static_cast<std::int64_t>(kinds.size() * traced_layers.size() * columns.size()));
    std::int64_t done = 0;
    Explanation e;
    LayerCurves curves;
    curves.title = "Causal tracing: strongest image effect by layer";
    curves.y_label = "p restored - p corrupted";
    curves.layers = traced_layers;
    for (StateKind k : kinds) {
        LayerPositionGrid g;
        g.name = short_name(k);
        g.title = std::string("Indirect effect, ") + label_of(k) +
                  (k == StateKind::Residual ? std::string() : cat(" (window ", window, ")"));
        g.layers = traced_layers;
        for (const auto& c : columns) g.columns.push_back(c.label);
        std::vector<double> best_by_layer;
        for (int l : traced_layers) {
            const std::vector<int> restore_layers =
                k == StateKind::Residual ? std::vector<int>{l} : window_around(l, window, layers);
            std::vector<double> row;
            double best = 0;
            for (const auto& c : columns) {
                const double effect = tracer.restored_probability(k, restore_layers, c.positions) - base;
                row.push_back(effect);
                if (c.image) best = std::max(best, effect);
                meter.step(++done);
            }
            g.values.push_back(std::move(row));
            best_by_layer.push_back(best);
        }
        curves.names.push_back(label_of(k));
        curves.values.push_back(std::move(best_by_layer));
        e.layer_positions.push_back(std::move(g));
    }

    // The map: residual effects (the first kind traced when the residual is not) at the chosen layer.
    const LayerPositionGrid& primary = e.layer_positions.front();
    std::size_t row = 0;
    const int asked = p.at("layer").get<int>();
    if (asked >= 0) {
        const auto it = std::find(traced_layers.begin(), traced_layers.end(), asked);
        if (it == traced_layers.end())
            fail("causal tracing: layer ", asked, " was not traced (layer stride ", stride, ")");
        row = static_cast<std::size_t>(it - traced_layers.begin());
    } else {
        const auto& best = curves.values.front();
        row = static_cast<std::size_t>(std::max_element(best.begin(), best.end()) - best.begin());
    }
    e.method = name();
    e.target = target;
    e.target_position = pos;
    const auto image = ctx.image_positions();
    std::vector<float> per_image(image.size(), 0.0f);
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const auto value = static_cast<float>(primary.values[row][c]);
        if (columns[c].image) {
            for (auto ip : columns[c].positions) {
                const auto it = std::lower_bound(image.begin(), image.end(), ip);
                if (it != image.end() && *it == ip)
                    per_image[static_cast<std::size_t>(it - image.begin())] = value;
            }
        } else {
            e.text_positions.push_back(columns[c].positions.front());
            e.text_scores.push_back(value);
        }
    }
    ctx.set_image_map(e, per_image);
    e.layer_curves = std::move(curves);
    e.diagnostics = {{"p_clean", tracer.clean_probability()},
                     {"p_corrupted", base},
                     {"embedding_std", tracer.embedding_std()},
                     {"map_layer", traced_layers[row]},
                     {"map_kind", primary.name},
                     {"region_cells", side},
                     {"layer_stride", stride},
                     {"passes", tracer.passes()},
                     {"pass_ms", tracer.pass_ms()},
                     {"restricted", restricted}};
    if (restricted)
        e.diagnostics["note"] =
            cat("restricted to fit ", max_passes, " passes",
                timed ? cat(" (", time_budget_s, " s at ", static_cast<int>(tracer.pass_ms()), " ms each)")
                      : std::string(),
                ": regions of ", side, "x", side, " cells, every ", stride, " layer(s)");
    return e;
}

}  // namespace sightline
