#include "core/eval/instrument_eval.h"

#include <algorithm>
#include <random>

#include "core/eval/eval_questions.h"
#include "core/eval/ground_truth.h"
#include "core/explain/causal_tracing.h"
#include "core/explain/knockout.h"
#include "core/explain/trace_context.h"
#include "core/explore/explorer.h"
#include "core/metrics/localisation.h"
#include "core/toy/answer_match.h"
#include "core/toy/task.h"
#include "core/util/error.h"

namespace sightline {
namespace {

bool hit(const Explorer& explorer, const Explanation& e, const toy::Sample& s) {
    const GroundTruthReadout g = explorer.ground_truth(e, s);
    return g.applicable && g.pointing_hit;
}

}  // namespace

std::vector<InstrumentCase> evaluate_instruments(Explorer& explorer, const InstrumentEvalOptions& o) {
    const LoadedModel& m = explorer.model();
    if (!m.config.multimodal || !m.tokenizer)
        fail("the instrument evaluation needs a multimodal model with a tokenizer");
    const JobControl control(o.cancel, nullptr);
    std::vector<InstrumentCase> out;
    for (int i = 0; i < o.n; ++i) {
        if (o.cancel && o.cancel->load()) throw CancelledError();
        const toy::Sample s = eval_question(o.first_seed, i);
        if (o.progress) o.progress(i, o.n);
        if (s.task != toy::TaskType::Color && s.task != toy::TaskType::Shape) continue;
        const auto trace = answer_eval_question(explorer, s, &control);
        if (!toy::answers_match(trace->answer_text, s.answer)) continue;
        const std::int64_t target = default_target(*trace);
        if (target < 0) continue;
        const int object = named_object(m, *trace, s, target);
        if (object < 0) continue;

        InstrumentCase c;
        c.seed = s.seed;
        c.task = toy::to_string(s.task);
        c.question = s.question;
        c.answer = trace->answer_text;
        c.token = trace->tokens[static_cast<std::size_t>(trace->answer_position(target))].text;
        TraceContext& ctx = explorer.context();
        const auto cells = metrics::mask_cells(s.scene.objects[static_cast<std::size_t>(object)].mask,
                                               trace->grid_h, trace->grid_w);
        c.object_cells = static_cast<int>(cells.size());

        // Causal tracing: the explainer's map, and the object's patches restored layer by layer.
        const Explanation traced = explorer.explain(
            "causal_tracing", target, {{"text", false}, {"samples", o.tracing_samples}}, &control);
        c.tracing_hit = hit(explorer, traced, s);
        c.tracing_layer = traced.diagnostics.at("map_layer").get<int>();
        {
            TracingOptions t;
            t.samples = o.tracing_samples;
            const CausalTracer tracer(ctx, target, t, {StateKind::Residual});
            const auto object_positions = positions_of_cells(ctx, cells);
            const double gap = tracer.clean_probability() - tracer.corrupted_probability();
            for (int l = 0; l < ctx.layers(); ++l) {
                const double p = tracer.restored_probability(StateKind::Residual, {l}, object_positions);
                c.recovery.push_back(gap > 1e-9 ? (p - tracer.corrupted_probability()) / gap : 0.0);
            }
        }

        // Logit lens at its best layer and at the last.
        const Explanation best = explorer.explain("logit_lens", target, {{"layer", -1}}, &control);
        c.lens_best_layer = best.diagnostics.at("layer").get<int>();
        c.lens_hit_best = hit(explorer, best, s);
        const Explanation last =
            explorer.explain("logit_lens", target, {{"layer", ctx.layers() - 1}}, &control);
        c.lens_hit_last = hit(explorer, last, s);

        // Knockout: the object's cells against as many random cells off the object (seeded by the scene).
        std::vector<std::pair<int, int>> others;
        for (int r = 0; r < trace->grid_h; ++r)
            for (int col = 0; col < trace->grid_w; ++col)
                if (std::find(cells.begin(), cells.end(), std::make_pair(r, col)) == cells.end())
                    others.emplace_back(r, col);
        std::mt19937_64 gen(s.seed);
        std::shuffle(others.begin(), others.end(), gen);
        others.resize(std::min(others.size(), cells.size()));
        const auto still_right = [&](const std::string& op, const std::vector<std::pair<int, int>>& chosen) {
            KnockoutSpec k;
            k.op = op;
            k.cells = chosen;
            k.window = 0;
            return toy::answers_match(explorer.knockout(target, k, &control).answer_after, s.answer);
        };
        c.block_object_correct = still_right("block", cells);
        c.block_random_correct = still_right("block", others);
        c.mean_object_correct = still_right("mean", cells);
        c.mean_random_correct = still_right("mean", others);
        out.push_back(std::move(c));
    }
    if (o.progress) o.progress(o.n, o.n);
    return out;
}

nlohmann::json instrument_case_to_json(const InstrumentCase& c) {
    return {{"seed", c.seed},
            {"task", c.task},
            {"question", c.question},
            {"answer", c.answer},
            {"token", c.token},
            {"object_cells", c.object_cells},
            {"tracing_hit", c.tracing_hit},
            {"tracing_layer", c.tracing_layer},
            {"recovery", c.recovery},
            {"lens_hit_best", c.lens_hit_best},
            {"lens_hit_last", c.lens_hit_last},
            {"lens_best_layer", c.lens_best_layer},
            {"block_object_correct", c.block_object_correct},
            {"block_random_correct", c.block_random_correct},
            {"mean_object_correct", c.mean_object_correct},
            {"mean_random_correct", c.mean_random_correct}};
}

nlohmann::json summarize_instruments(const std::vector<InstrumentCase>& cases) {
    const double n = static_cast<double>(cases.size());
    const auto rate = [&](auto field) {
        double k = 0;
        for (const auto& c : cases) k += (c.*field) ? 1 : 0;
        return n > 0 ? k / n : 0.0;
    };
    std::vector<double> recovery;
    for (const auto& c : cases) {
        if (recovery.size() < c.recovery.size()) recovery.resize(c.recovery.size(), 0.0);
        for (std::size_t l = 0; l < c.recovery.size(); ++l) recovery[l] += c.recovery[l] / n;
    }
    return {{"cases", cases.size()},
            {"tracing_pointing", rate(&InstrumentCase::tracing_hit)},
            {"tracing_recovery_by_layer", recovery},
            {"lens_pointing_best", rate(&InstrumentCase::lens_hit_best)},
            {"lens_pointing_last", rate(&InstrumentCase::lens_hit_last)},
            {"block_accuracy_object", rate(&InstrumentCase::block_object_correct)},
            {"block_accuracy_random", rate(&InstrumentCase::block_random_correct)},
            {"mean_accuracy_object", rate(&InstrumentCase::mean_object_correct)},
            {"mean_accuracy_random", rate(&InstrumentCase::mean_random_correct)}};
}

}  // namespace sightline
