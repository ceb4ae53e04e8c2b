#include "core/generate/generator.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/generate/sampler.h"
#include "core/model/kv_cache.h"
#include "core/util/error.h"
#include "core/util/stopwatch.h"

namespace sightline {
namespace {

void check_settings(const GenerationSettings& s) {
    if (s.max_new_tokens < 0) fail("max_new_tokens must be >= 0");
    if (s.temperature < 0) fail("temperature must be >= 0");
    if (!(s.top_p > 0.0 && s.top_p <= 1.0)) fail("top_p must be in (0, 1]");
    if (s.top_k < 0) fail("top_k must be >= 0");
}

}  // namespace

Trace generate(const LoadedModel& lm, PreparedPrompt prompt, const GenerationSettings& settings,
               const GenerationCallbacks& callbacks) {
    check_settings(settings);
    at::NoGradGuard no_grad;
    const Model& model = *lm.model;
    Trace trace = std::move(prompt.trace);
    trace.settings = settings;
    if (trace.settings.stop_ids.empty()) trace.settings.stop_ids = lm.stop_ids;
    const auto& stops = trace.settings.stop_ids;

    const std::int64_t prompt_len = static_cast<std::int64_t>(trace.tokens.size());
    const std::int64_t context = lm.config.text.max_position_embeddings;
    const std::int64_t budget = std::min<std::int64_t>(settings.max_new_tokens, context - prompt_len);
    if (budget < 0) fail("the prompt (", prompt_len, " tokens) does not fit the context of ", context);
    auto kv = model.make_kv_cache(1, prompt_len + std::max<std::int64_t>(budget, 1));

    Sampler sampler(trace.settings);
    Stopwatch clock;
    at::Tensor ids = at::tensor(trace.ids(), at::kLong).unsqueeze(0);
    at::Tensor pixels = trace.pixel_values;
    trace.stop_reason = budget < settings.max_new_tokens ? "context_limit" : "max_new_tokens";
    for (std::int64_t step = 0; step < budget; ++step) {
        if (callbacks.cancel != nullptr && callbacks.cancel->load()) {
            trace.stop_reason = "cancelled";
            break;
        }
        const ForwardOutput out = model.forward(ids, pixels, nullptr, nullptr, kv.get(), LogitsMode::Last);
        const at::Tensor logits = out.logits[0][0];
        const std::int64_t next = sampler.pick(logits);
        if (step == 0) trace.prefill_ms = clock.elapsed_ms();

        AnswerStep s;
        s.id = next;
        for (const auto& [id, p] : top_probabilities(logits, std::max(1, settings.alternatives)))
            s.top.push_back({id, lm.token_text(id), p});
        s.prob = at::softmax(logits, -1)[next].item<float>();
        if (settings.alternatives <= 0) s.top.clear();

        const bool is_stop = std::find(stops.begin(), stops.end(), next) != stops.end();
        if (is_stop) {
            trace.stop_reason = "eos";
            break;
        }
        TraceToken tok;
        tok.id = next;
        tok.text = lm.token_text(next);
        tok.role = TokenRole::Answer;
        trace.tokens.push_back(std::move(tok));
        trace.steps.push_back(std::move(s));
        if (callbacks.on_token && !callbacks.on_token(trace)) {
            trace.stop_reason = "stop_token";
            break;
        }
        ids = at::full({1, 1}, next, at::kLong);
        pixels = at::Tensor();
    }
    const double total = clock.elapsed_ms();
    if (trace.prefill_ms == 0) trace.prefill_ms = total;
    trace.decode_ms = total - trace.prefill_ms;
    trace.answer_text = lm.decode(trace.answer_ids());
    return trace;
}

}  // namespace sightline
