// sightline-cli bench: load time, prefill and decode throughput, peak memory, threads and the live BLAS.
#include <ATen/ATen.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/model_options.h"
#include "core/explain/explanation_service.h"
#include "core/generate/generator.h"
#include "core/toy/sample.h"
#include "core/toy/seeds.h"
#include "core/util/error.h"
#include "core/util/stopwatch.h"
#include "core/util/strings.h"
#include "core/util/system_info.h"
#include "plugins/loader/plugin_loader.h"

namespace sightline::cli {
namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// A prompt of `n` text positions (plus the image for multimodal models): ids cycling over the vocabulary,
// so the benchmark needs no tokenizer and is identical across runs.
PromptRequest bench_prompt(const LoadedModel& m, int n) {
    PromptRequest r;
    const std::int64_t vocab = m.config.text.vocab_size;
    r.ids.push_back(m.config.text.bos_token_id >= 0 ? m.config.text.bos_token_id : 1);
    for (int i = 1; i < n; ++i) {
        std::int64_t id = (7 + 13 * i) % vocab;
        if (m.config.multimodal && id == m.config.image_token_index) id = (id + 1) % vocab;
        r.ids.push_back(id);
    }
    if (m.config.multimodal) {
        r.ids.insert(r.ids.begin() + 1, m.config.image_token_index);
        const int s = static_cast<int>(m.config.vision.image_size);
        cv::Mat img(s, s, CV_8UC3);
        cv::randu(img, 0, 255);
        r.image_rgb = img;
        r.image_label = "random noise";
    }
    return r;
}

// Latency of each explainer on a cached trace (captured tensors reused, explanation not cached): the
// time from request to map, for every answer token of a scene-world question, repeated.
nlohmann::json bench_explain(const LoadedModel& m, const std::vector<std::string>& methods, int repeats,
                             std::uint64_t seed) {
    const toy::Sample s = toy::make_sample(seed, toy::TaskType::Describe);
    PromptRequest r;
    r.question = s.question;
    r.image_rgb = s.scene.image;
    const auto trace = std::make_shared<Trace>(generate(m, prepare_prompt(m, r), GenerationSettings{}));
    TraceContext ctx(m, trace);
    ExplanationService service;
    add_plugin_explainers(service.registry());
    nlohmann::json out = nlohmann::json::object();
    Stopwatch first_clock;
    ctx.attention_row(0, ctx.pattern_row0());  // the one-time capture pass, measured separately
    const double capture_ms = first_clock.elapsed_ms();
    for (const auto& name : methods) {
        std::vector<double> times;
        for (int rep = 0; rep < repeats; ++rep)
            for (std::int64_t k = 0; k < trace->answer_size(); ++k) {
                service.clear();
                Stopwatch clock;
                service.explain(ctx, name, k);
                times.push_back(clock.elapsed_ms());
            }
        const double worst = *std::max_element(times.begin(), times.end());
        out[name] = {{"median_ms", median(times)}, {"max_ms", worst}, {"requests", times.size()}};
    }
    return {{"question", s.question},
            {"answer", trace->answer_text},
            {"answer_tokens", trace->answer_size()},
            {"sequence_length", trace->tokens.size()},
            {"capture_ms", capture_ms},
            {"methods", out}};
}

}  // namespace

int cmd_bench(const Words& words) {
    const Args a(words, {"json", "help", "explain"});
    if (a.has("help")) {
        std::cout
            << "usage: sightline-cli bench --model DIR [--prompt-tokens N] [--new-tokens N] [--repeats N]\n"
               "       [--dtype auto|f32|bf16] [--threads N] [--explain [--methods LIST] [--seed S]] [--json]\n"
               "--explain also times each explainer on a cached trace of a scene-world question\n"
               "(multimodal models with a tokenizer, e.g. the embedded model).\n";
        return 0;
    }
    std::set<std::string> known = kModelOptions;
    known.insert({"json", "help", "prompt-tokens", "new-tokens", "repeats", "explain", "methods", "seed"});
    a.allow_only(known);
    const int prompt_tokens = a.get_int("prompt-tokens", 32);
    const int new_tokens = a.get_int("new-tokens", 32);
    const int repeats = std::max(1, a.get_int("repeats", 3));
    if (prompt_tokens < 1 || new_tokens < 2) fail("--prompt-tokens must be >= 1 and --new-tokens >= 2");

    const auto model = load_model_from(a);
    GenerationSettings s;
    s.max_new_tokens = new_tokens;
    s.stop_ids = {-1};  // never stop early: measure exactly new_tokens steps
    s.alternatives = 0;
    std::vector<double> prefill_tps, decode_tps, prefill_ms, decode_ms;
    std::int64_t prompt_len = 0;
    for (int r = 0; r < repeats + 1; ++r) {  // first run warms up caches and oneDNN kernels
        PreparedPrompt p = prepare_prompt(*model, bench_prompt(*model, prompt_tokens));
        prompt_len = static_cast<std::int64_t>(p.trace.tokens.size());
        const Trace t = generate(*model, std::move(p), s);
        if (r == 0) continue;
        prefill_ms.push_back(t.prefill_ms);
        decode_ms.push_back(t.decode_ms);
        prefill_tps.push_back(1000.0 * static_cast<double>(prompt_len) / t.prefill_ms);
        decode_tps.push_back(1000.0 * static_cast<double>(t.answer_size() - 1) / std::max(t.decode_ms, 1e-6));
    }
    nlohmann::json explain;
    if (a.has("explain")) {
        const std::vector<std::string> methods =
            split(a.get("methods", "attention,tam,relevancy,cleann"), ',');
        explain = bench_explain(*model, methods, repeats, a.get_u64("seed", toy::kHeldOutSeedBase + 7));
    }
    nlohmann::json out = {{"model", model->name},
                          {"model_dir", model->dir},
                          {"parameters", model->model->parameter_count()},
                          {"dtype", to_string(model->model->dtype())},
                          {"threads", active_threads()},
                          {"blas", live_blas_library()},
                          {"allocator", live_allocator()},
                          {"load_ms", model->load_ms},
                          {"prompt_tokens", prompt_len},
                          {"new_tokens", new_tokens},
                          {"repeats", repeats},
                          {"prefill_ms", median(prefill_ms)},
                          {"prefill_tokens_per_s", median(prefill_tps)},
                          {"decode_ms", median(decode_ms)},
                          {"decode_tokens_per_s", median(decode_tps)},
                          {"peak_rss_bytes", peak_rss_bytes()},
                          {"peak_rss", format_bytes(peak_rss_bytes())}};
    if (!explain.is_null()) out["explain"] = explain;
    if (a.has("json")) {
        std::cout << out.dump() << "\n";
    } else {
        for (const auto& [k, v] : out.items()) std::cout << k << ": " << v.dump() << "\n";
    }
    return 0;
}

}  // namespace sightline::cli
