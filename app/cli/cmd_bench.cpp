// sightline-cli bench: load time, prefill and decode throughput, peak memory, threads and the live BLAS.
#include <ATen/ATen.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/cli/commands.h"
#include "app/cli/model_options.h"
#include "app/cli/progress_line.h"
#include "core/explore/explorer.h"
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

// Click latency of each explainer as the GUI sees it, on any checkpoint: one generation that records the
// attention rows, hidden states and embeddings (GenerationCallbacks::capture), then per method a first
// click (answer token 0, a fresh context adopting the generation's capture) and a further click (answer
// token 1, the same context; explanations not cached). With --prompt the question goes through the
// tokenizer; otherwise the synthetic prompt of --prompt-tokens ids (with --image or random pixels).
nlohmann::json bench_explain(const LoadedModel& m, const std::vector<std::string>& methods,
                             const PromptRequest& request, int new_tokens, const JobControl* control) {
    GenerationSettings g;
    g.max_new_tokens = std::max(2, new_tokens);
    g.stop_ids = {-1};  // at least two answer tokens, so a further click exists
    g.alternatives = 0;
    Explorer explorer(m);
    add_plugin_explainers(explorer);
    for (const auto& name : methods) explorer.registry().get(name);  // fail early on a typo
    Stopwatch gen_clock;
    const auto trace = explorer.generate(request, g, control);
    const double generate_ms = gen_clock.elapsed_ms();
    ExplanationService& service = explorer.service();
    nlohmann::json out = nlohmann::json::object();
    for (const auto& name : methods) {
        TraceContext ctx(m, trace);  // a fresh context per method: its first click pays what a GUI click does
        ctx.set_control(control);
        nlohmann::json j;
        for (const std::int64_t k : {std::int64_t{0}, std::int64_t{1}}) {
            service.clear();
            Stopwatch clock;
            const Explanation e = service.explain(ctx, name, k);
            j[k == 0 ? "first_click_ms" : "further_click_ms"] = clock.elapsed_ms();
            if (e.masking) j["validated"] = e.masking->validated;
        }
        j["full_passes"] = ctx.full_passes();
        j["peak_rss_bytes"] = peak_rss_bytes();
        out[name] = j;
    }
    return {{"answer_tokens", trace->answer_size()},
            {"sequence_length", trace->tokens.size()},
            {"generate_ms", generate_ms},
            {"prefill_ms", trace->prefill_ms},
            {"capture_recorded", trace->capture != nullptr},
            {"methods", out}};
}

// Cancel latency of one stage: `job` runs on this thread under a JobControl; a watcher thread waits until the
// job reports a stage starting with `stage`, lets it run `delay_ms` more (so the flag lands between the
// job's own checks, as a user's click does), raises the cancel flag and the time until the job throws
// CancelledError is the latency. Reported per delay; "finished" when the job ended before the flag.
nlohmann::json cancel_latency(const std::string& stage, const std::vector<int>& delays_ms,
                              const std::function<void(const JobControl&)>& job) {
    nlohmann::json runs = nlohmann::json::array();
    double worst = 0;
    bool all_cancelled = true;
    for (const int delay : delays_ms) {
        std::atomic<bool> cancel{false}, seen{false}, done{false};
        std::atomic<std::int64_t> raised_at_ns{0};
        const JobControl control(&cancel, [&](const Progress& p) {
            if (!seen && p.stage.rfind(stage, 0) == 0) seen = true;
        });
        std::thread watcher([&] {
            while (!seen && !done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            if (done) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(delay));
            if (done) return;
            raised_at_ns = std::chrono::steady_clock::now().time_since_epoch().count();
            cancel = true;
        });
        bool cancelled = false;
        try {
            job(control);
        } catch (const CancelledError&) {
            cancelled = true;
        }
        const auto ended_ns = std::chrono::steady_clock::now().time_since_epoch().count();
        done = true;
        watcher.join();
        nlohmann::json r = {{"delay_ms", delay}};
        if (cancelled && raised_at_ns > 0) {
            const double ms = static_cast<double>(ended_ns - raised_at_ns) / 1e6;
            r["latency_ms"] = ms;
            worst = std::max(worst, ms);
        } else {
            r["finished"] = true;  // the stage ended before the flag went up
            all_cancelled = false;
        }
        runs.push_back(r);
    }
    return {{"stage", stage}, {"runs", runs}, {"worst_ms", worst}, {"every_run_cancelled", all_cancelled}};
}

// Cancel latency of model load, vision encoding, prefill, decode and relevancy's backward on `m` (and,
// for the load, a second load of its folder, before `m` exists: see cmd_bench).
nlohmann::json bench_cancel(const LoadedModel& m, const PromptRequest& request,
                            const std::vector<int>& delays) {
    nlohmann::json out = nlohmann::json::array();
    GenerationSettings g;
    g.max_new_tokens = 64;
    g.stop_ids = {-1};
    g.alternatives = 0;
    const auto generate_with = [&](const JobControl& control) {
        GenerationCallbacks cb;
        cb.control = &control;
        generate(m, prepare_prompt(m, request), g, cb);
    };
    if (m.config.multimodal && request.image_rgb)
        out.push_back(cancel_latency("vision encoding", delays, generate_with));
    out.push_back(cancel_latency("prefill", delays, generate_with));
    out.push_back(cancel_latency("decode", delays, generate_with));
    Explorer explorer(m);
    GenerationSettings two = g;
    two.max_new_tokens = 2;
    explorer.generate(request, two);
    out.push_back(cancel_latency("backward", delays, [&](const JobControl& control) {
        explorer.service().clear();
        explorer.explain("relevancy", 0, nlohmann::json::object(), &control);
    }));
    return out;
}

}  // namespace

int cmd_bench(const Words& words) {
    const Args a(words, {"json", "help", "explain", "cancel"});
    if (a.has("help")) {
        std::cout
            << "usage: sightline-cli bench --model DIR [--prompt-tokens N] [--new-tokens N] [--repeats N]\n"
               "       [--image PATH] [--prompt TEXT] [--dtype auto|f32|bf16] [--threads N]\n"
               "       [--explain [--methods LIST]] [--cancel [--cancel-delays MS,MS,...]] [--json]\n"
               "Load time, peak resident memory (total and anonymous), prefill and decode rates (median of\n"
               "--repeats runs after a warm-up; --repeats 0 skips them). --explain times a first and a "
               "further\n"
               "click of each method on one answer, as the GUI runs them (works on any checkpoint).\n"
               "--cancel times how long model load, vision encoding, prefill, decode and relevancy's "
               "backward\n"
               "take to stop once cancelled (the flag raised each delay after the stage began; default\n"
               "150,450 ms).\n";
        return 0;
    }
    std::set<std::string> known = kModelOptions;
    known.insert({"json", "help", "prompt-tokens", "new-tokens", "repeats", "explain", "methods", "image",
                  "prompt", "cancel", "cancel-delays"});
    a.allow_only(known);
    const int prompt_tokens = a.get_int("prompt-tokens", 32);
    const int new_tokens = a.get_int("new-tokens", 32);
    const int repeats = std::max(0, a.get_int("repeats", 3));
    if (prompt_tokens < 1 || new_tokens < 2) fail("--prompt-tokens must be >= 1 and --new-tokens >= 2");

    std::vector<int> cancel_delays;
    for (const auto& d : split(a.get("cancel-delays", "150,450"), ',')) {
        char* end = nullptr;
        const long v = std::strtol(d.c_str(), &end, 10);
        if (d.empty() || *end != '\0' || v < 0 || v > 600000)
            fail("--cancel-delays: '", d, "' is not a delay in milliseconds (0..600000)");
        cancel_delays.push_back(static_cast<int>(v));
    }
    nlohmann::json cancel = nlohmann::json::array();
    if (a.has("cancel")) {  // the load first, while no other copy of the model is resident
        LoadOptions o = load_options_for(a.get("dtype", "auto"));
        o.threads = a.get_int("threads", 0);
        const std::string dir = model_dir_from(a);
        cancel.push_back(cancel_latency("loading weights", cancel_delays, [&](const JobControl& control) {
            LoadOptions lo = o;
            lo.control = &control;
            load_model(dir, lo);
        }));
    }
    const auto model = load_model_from(a);
    const std::uint64_t anon_after_load = current_anon_rss_bytes();
    GenerationSettings s;
    s.max_new_tokens = new_tokens;
    s.stop_ids = {-1};  // never stop early: measure exactly new_tokens steps
    s.alternatives = 0;
    std::vector<double> prefill_tps, decode_tps, prefill_ms, decode_ms;
    std::int64_t prompt_len = 0;
    PromptRequest request = bench_prompt(*model, prompt_tokens);
    if (const auto img = image_from(a)) {
        if (!model->config.multimodal) fail(model->name, " is a text-only model; drop --image");
        request.image_rgb = *img;
        request.image_label = a.get("image");
    }
    if (a.has("prompt")) {
        request.ids.clear();
        request.question = a.get("prompt");
        if (!model->config.multimodal) request.image_rgb.reset();
    }
    ProgressLine line(!a.has("json"));
    for (int r = 0; r < (repeats > 0 ? repeats + 1 : 0); ++r) {  // first run warms up caches and kernels
        PreparedPrompt p = prepare_prompt(*model, request);
        prompt_len = static_cast<std::int64_t>(p.trace.tokens.size());
        GenerationCallbacks cb;
        cb.control = line.control();
        const Trace t = generate(*model, std::move(p), s, cb);
        if (r == 0) continue;
        prefill_ms.push_back(t.prefill_ms);
        decode_ms.push_back(t.decode_ms);
        prefill_tps.push_back(1000.0 * static_cast<double>(prompt_len) / t.prefill_ms);
        decode_tps.push_back(1000.0 * static_cast<double>(t.answer_size() - 1) / std::max(t.decode_ms, 1e-6));
    }
    nlohmann::json explain;
    if (a.has("explain")) {
        const std::vector<std::string> methods =
            split(a.get("methods", "attention,tam,rollout,relevancy,cleann"), ',');
        explain = bench_explain(*model, methods, request, new_tokens, line.control());
    }
    nlohmann::json out = {{"model", model->name},
                          {"model_dir", model->dir},
                          {"parameters", model->model->parameter_count()},
                          {"dtype", to_string(model->model->dtype())},
                          {"int8_weights", model->model->int8_weights()},
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
                          {"anon_rss_after_load_bytes", anon_after_load},
                          {"anon_rss_bytes", current_anon_rss_bytes()},
                          {"peak_rss_bytes", peak_rss_bytes()},
                          {"peak_rss", format_bytes(peak_rss_bytes())}};
    if (!explain.is_null()) out["explain"] = explain;
    if (a.has("cancel")) {
        for (auto& stage : bench_cancel(*model, request, cancel_delays)) cancel.push_back(stage);
        out["cancel"] = cancel;
        out["peak_rss_bytes"] = peak_rss_bytes();
        out["peak_rss"] = format_bytes(peak_rss_bytes());
    }
    if (a.has("json")) {
        std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
        for (const auto& [k, v] : out.items())
            std::cout << k << ": " << v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                      << "\n";
    }
    return 0;
}

}  // namespace sightline::cli
