#include "core/generate/generator.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <string>

#include "core/generate/generation_capture.h"
#include "core/generate/sampler.h"
#include "core/model/kv_cache.h"
#include "core/util/error.h"
#include "core/util/stopwatch.h"
#include "core/util/system_info.h"

namespace sightline {
namespace {

void check_settings(const GenerationSettings& s) {
    if (s.max_new_tokens < 0) fail("max_new_tokens must be >= 0");
    if (s.temperature < 0) fail("temperature must be >= 0");
    if (!(s.top_p > 0.0 && s.top_p <= 1.0)) fail("top_p must be in (0, 1]");
    if (s.top_k < 0) fail("top_k must be >= 0");
}

// Collects, pass by pass, the last query row of every LM layer's attention and the hidden states and
// embeddings of the positions each pass adds; assemble() lays them out as a GenerationCapture.
class CaptureRecorder {
  public:
    explicit CaptureRecorder(int layers) : rows_(static_cast<std::size_t>(layers)) {
        options_.cache = {"lm.ln_final.hook_normalized", "lm.hook_embed"};
        options_.interventions = {Intervention::apply(
            "lm.blocks.*.attn.hook_pattern", [this](const at::Tensor& p, const HookContext& c) {
                // [1, heads, T, K] -> the last query's row [heads, K]
                rows_[static_cast<std::size_t>(hook_layer(c.name))].push_back(
                    p[0].select(1, p.size(2) - 1).to(at::kFloat).clone());
                return p;
            })};
    }
    RunOptions& options() { return options_; }
    void after_pass() {
        hidden_.push_back(cache_.get("lm.ln_final.hook_normalized")[0]);
        embeds_.push_back(cache_.get("lm.hook_embed")[0]);
        cache_.clear();
    }
    ActivationCache* cache() { return &cache_; }

    std::shared_ptr<GenerationCapture> assemble(std::int64_t row0) const {
        auto c = std::make_shared<GenerationCapture>();
        c->row0 = row0;
        c->hidden = at::cat(hidden_, 0);
        c->embeds = at::cat(embeds_, 0);
        const std::int64_t n = c->hidden.size(0);
        for (const auto& layer : rows_) {
            const std::int64_t heads = layer.front().size(0);
            at::Tensor r = at::zeros({heads, n - row0, n}, at::kFloat);
            for (std::size_t i = 0; i < layer.size(); ++i) {
                const std::int64_t keys = layer[i].size(1);
                r.select(1, static_cast<std::int64_t>(i)).narrow(1, 0, keys).copy_(layer[i]);
            }
            c->rows.push_back(r);
        }
        return c;
    }

  private:
    RunOptions options_;
    ActivationCache cache_;
    std::vector<std::vector<at::Tensor>> rows_;
    std::vector<at::Tensor> hidden_, embeds_;
};

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
    const JobControl fallback(callbacks.cancel, nullptr);
    const JobControl& control = callbacks.control != nullptr ? *callbacks.control : fallback;

    const std::int64_t prompt_len = static_cast<std::int64_t>(trace.tokens.size());
    const std::int64_t context = lm.config.text.max_position_embeddings;
    const std::int64_t budget = std::min<std::int64_t>(settings.max_new_tokens, context - prompt_len);
    if (budget < 0) fail("the prompt (", prompt_len, " tokens) does not fit the context of ", context);
    auto kv = model.make_kv_cache(1, prompt_len + std::max<std::int64_t>(budget, 1));

    // Attention rows for up to budget + 1 query positions over up to prompt_len + budget keys.
    std::unique_ptr<CaptureRecorder> recorder;
    if (callbacks.capture) {
        const auto& t = lm.config.text;
        const std::uint64_t rows_bytes = static_cast<std::uint64_t>(t.num_hidden_layers) *
                                         t.num_attention_heads * (budget + 1) * (prompt_len + budget) * 4 * 2;
        if (rows_bytes < available_memory_bytes() / 4)
            recorder = std::make_unique<CaptureRecorder>(static_cast<int>(t.num_hidden_layers));
    }
    RunOptions prefill_options = recorder ? recorder->options() : RunOptions{};
    prefill_options.control = &control;
    prefill_options.report_layers = true;
    RunOptions step_options = recorder ? recorder->options() : RunOptions{};
    step_options.control = &control;
    ActivationCache* cache = recorder ? recorder->cache() : nullptr;
    if (const RunOptions* extra = callbacks.interventions) {
        for (RunOptions* o : {&prefill_options, &step_options}) {
            o->interventions.insert(o->interventions.end(), extra->interventions.begin(),
                                    extra->interventions.end());
            o->knockouts.insert(o->knockouts.end(), extra->knockouts.begin(), extra->knockouts.end());
        }
    }

    Sampler sampler(trace.settings);
    Stopwatch clock;
    at::Tensor ids = at::tensor(trace.ids(), at::kLong).unsqueeze(0);
    ImageInput pixels = trace.pixel_values;
    trace.stop_reason = budget < settings.max_new_tokens ? "context_limit" : "max_new_tokens";
    std::unique_ptr<StageMeter> decode_meter;
    for (std::int64_t step = 0; step < budget; ++step) {
        if (control.cancelled()) {
            trace.stop_reason = "cancelled";
            break;
        }
        const ForwardOutput out = model.forward(ids, pixels, step == 0 ? &prefill_options : &step_options,
                                                cache, kv.get(), LogitsMode::Last);
        if (recorder) recorder->after_pass();
        const at::Tensor logits = out.logits[0][0];
        // NaN or infinite weights (or a broken config) give non-finite logits: an answer from them would
        // be garbage shown as if it were the model's.
        if (!at::isfinite(logits).all().item<bool>())
            fail("the model computed non-finite logits (NaN or infinity) at answer step ", step,
                 ": its weights or config.json are broken (e.g. NaN weights, a zero or negative norm "
                 "epsilon)");
        const std::int64_t next = sampler.pick(logits);
        if (step == 0) {
            trace.prefill_ms = clock.elapsed_ms();
            decode_meter = std::make_unique<StageMeter>(&control, "decode", budget);
        }

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
        pixels = ImageInput();
        if (decode_meter) decode_meter->note(step + 1);
    }
    const double total = clock.elapsed_ms();
    if (trace.prefill_ms == 0) trace.prefill_ms = total;
    trace.decode_ms = total - trace.prefill_ms;
    trace.answer_text = lm.decode(trace.answer_ids());
    if (recorder && trace.stop_reason != "cancelled" && budget > 0) {
        // The last answer token was never fed when generation stopped on the token budget: one more step
        // records its row, hidden state and embedding.
        if (kv->length() < static_cast<std::int64_t>(trace.tokens.size())) {
            model.forward(at::full({1, 1}, trace.tokens.back().id, at::kLong), at::Tensor(), &step_options,
                          cache, kv.get(), LogitsMode::None);
            recorder->after_pass();
        }
        trace.capture = recorder->assemble(std::max<std::int64_t>(trace.answer_begin - 1, 0));
    }
    return trace;
}

}  // namespace sightline
