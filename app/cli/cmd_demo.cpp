// sightline-cli demo: the headless tour. A held-out demo scene, a question, the streamed answer, then every
// method explaining the first word that names an object — timings, a text rendering of each map, overlay
// PNGs.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_options.h"
#include "core/explain/overlay.h"
#include "core/explore/explorer.h"
#include "core/generate/generator.h"
#include "core/image/image_io.h"
#include "core/toy/sample.h"
#include "core/toy/seeds.h"
#include "core/toy/vocabulary.h"
#include "core/util/files.h"
#include "core/util/strings.h"
#include "plugins/loader/plugin_loader.h"

#include <opencv2/imgproc.hpp>

namespace sightline::cli {
namespace {

// A grid map as text: one character per cell, darker = stronger.
void print_map(const Explanation& e) {
    static const char* shades = " .:-=+*#%@";
    for (int r = 0; r < e.grid_h; ++r) {
        std::cout << "      ";
        for (int c = 0; c < e.grid_w; ++c) {
            const int i = std::clamp(static_cast<int>(e.at(r, c) * 9.99f), 0, 9);
            std::cout << shades[i] << shades[i];
        }
        std::cout << "\n";
    }
}

}  // namespace

int cmd_demo(const Words& words) {
    const Args a(words, {"help"});
    if (a.has("help")) {
        std::cout << "usage: sightline-cli demo [--model DIR] [--seed S] [--task color|shape|describe|...] "
                     "[--out DIR]\n";
        return 0;
    }
    std::set<std::string> known = kModelOptions;
    known.insert({"help", "seed", "task", "out"});
    a.allow_only(known);
    Explorer explorer(load_model_from(a));
    add_plugin_explainers(explorer);
    const LoadedModel* model = &explorer.model();
    if (!model->config.multimodal || !model->tokenizer)
        fail("the demo needs a multimodal model with a tokenizer");
    const std::uint64_t seed = a.get_u64("seed", toy::kHeldOutSeedBase + 900'000'000ull);
    const auto task = toy::parse_task(a.get("task", "color"));
    if (!task) fail("unknown task '", a.get("task"), "'");
    const toy::Sample s = toy::make_sample(seed, *task);
    const std::string out = a.get("out", "sightline-demo");
    make_dirs(out);
    save_image_rgb(path_join(out, "scene.png"), s.scene.image);

    std::cout << "Sightline demo — model " << model->name << " (" << model->model->parameter_count()
              << " parameters, " << active_threads() << " threads)\n";
    std::cout << "Scene " << seed << " (" << out << "/scene.png): ";
    for (std::size_t i = 0; i < s.scene.objects.size(); ++i)
        std::cout << (i ? ", " : "") << s.scene.objects[i].name() << " at the "
                  << s.scene.objects[i].position();
    std::cout << "\nQ: " << s.question << "\nA: " << std::flush;
    PromptRequest req;
    req.question = s.question;
    req.image_rgb = s.scene.image;
    req.image_label = path_join(out, "scene.png");
    // The Explorer records the attention rows during generation: the explanations below need no extra pass.
    const auto trace = explorer.generate(req, GenerationSettings{}, nullptr, [](const Trace& t) {
        std::cout << t.tokens.back().text << std::flush;
        return true;
    });
    std::cout << "\n   (expected: " << s.answer << "; prefill " << static_cast<int>(trace->prefill_ms)
              << " ms, decode " << static_cast<int>(trace->decode_ms) << " ms)\n";
    if (trace->answer_size() == 0) return 0;
    std::int64_t target = 0;
    for (std::int64_t k = 0; k < trace->answer_size(); ++k) {
        const std::string w = trim(trace->tokens[static_cast<std::size_t>(trace->answer_begin + k)].text);
        if (toy::parse_color(w) || toy::parse_shape(w)) {
            target = k;
            break;
        }
    }
    const std::string word = trace->tokens[static_cast<std::size_t>(trace->answer_begin + target)].text;
    std::cout << "\nWhere did the model look for '" << trim(word) << "'?\n";
    cv::Mat view;
    cv::resize(trace->image.model_view, view, trace->image.model_view.size() * 4, 0, 0, cv::INTER_NEAREST);
    for (const auto& name : explorer.registry().compared_names()) {
        const Explanation e = explorer.explain(name, target);
        std::printf("\n  %-10s %7.1f ms", name.c_str(), e.time_ms);
        if (e.masking)
            std::printf("  %s (%zu tokens; p %.2f -> %.2f)",
                        e.masking->validated ? "validated" : "not validated", e.masking->positions.size(),
                        e.masking->prob_clean, e.masking->prob_masked);
        std::printf("\n");
        if (!e.has_image_map()) continue;
        print_map(e);
        save_image_rgb(path_join(out, name + ".png"),
                       render_overlay(view, e.image_map, e.grid_h, e.grid_w, OverlayStyle{}));
    }
    std::cout << "\nOverlays written to " << out
              << "/. Start the desktop app (build/bin/sightline) to explore interactively.\n";
    return 0;
}

}  // namespace sightline::cli
