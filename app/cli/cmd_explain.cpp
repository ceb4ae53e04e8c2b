// sightline-cli explain: generate an answer, then explain answer tokens with one or more methods.
// Writes an overlay PNG per method and target plus explanations.json (answer tokens, maps, scores, times).
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "app/cli/commands.h"
#include "app/cli/model_options.h"
#include "app/cli/progress_line.h"
#include "core/eval/ground_truth.h"
#include "core/eval/image_truth.h"
#include "core/explain/explanation_arrays.h"
#include "core/explain/overlay.h"
#include "core/explore/explorer.h"
#include "core/generate/generator.h"
#include "core/image/image_io.h"
#include "core/toy/sample.h"
#include "core/toy/task.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/strings.h"
#include "core/util/version.h"
#include "plugins/loader/plugin_loader.h"

namespace sightline::cli {

GenerationSettings settings_from(const Args& a);  // cmd_generate.cpp

int cmd_explain(const Words& words) {
    const Args a(words, {"json", "all-targets", "help", "nearest"});
    if (a.has("help")) {
        std::cout
            << "usage: sightline-cli explain [--model DIR] ([--image PATH] (--prompt TEXT | --prompt-ids \"1 "
               "2 "
               "3\") | --scene SEED[:TASK])\n"
               "       --method NAME[,NAME...] [--target INDEX | --all-targets] --out DIR\n"
               "       [--system TEXT] [--turns FILE.json]\n"
               "       [--params JSON] [--colormap NAME] [--opacity X] [--max-new-tokens N] [--json]\n"
            << kConversationHelp
            << "--params is a JSON object keyed by method, e.g. '{\"attention\": {\"layers\": \"2-3\"}}'.\n"
               "--scene explains a scene-world scene: image and question from the seed (TASK: color,\n"
               "  shape, count, exist, position, relation or describe; default color); every map of a\n"
               "  colour or shape word is scored against the object's true mask (\"ground_truth\").\n"
               "--truth FILE.json | DIR scores the maps of --image against your own ground truth: a\n"
               "  COCO-style file (boxes or polygons with category names, optional \"words\") or a folder\n"
               "  of PNG masks named by label (red_ball.png); a token is scored against the object it "
               "names.\n"
               "Writes DIR/explanations.json, an overlay PNG per map (METHOD_tTARGET.png) and every array "
               "as\n"
               "NumPy .npy beside it (METHOD_tTARGET_map.npy [grid_h, grid_w] float32, _image_tokens,\n"
               "_text_scores, _text_positions, and the per-layer views), listed under \"arrays\".\n";
        return 0;
    }
    std::set<std::string> known = kModelOptions;
    known.insert({"image",  "prompt",   "method",  "target",         "all-targets", "out",   "json",
                  "params", "colormap", "opacity", "max-new-tokens", "temperature", "top-p", "top-k",
                  "seed",   "help",     "nearest", "scene",          "prompt-ids",  "truth"});
    known.insert(kConversationOptions.begin(), kConversationOptions.end());
    a.allow_only(known);
    const std::string out_dir = a.require("out");
    const auto methods = split(a.require("method"), ',');
    const nlohmann::json params = method_params_option(a);
    OverlayStyle style;
    style.colormap = colormap_from_string(a.get("colormap", "jet"));
    style.opacity = a.get_double("opacity", 0.55);
    style.smooth = !a.has("nearest");

    Explorer explorer(load_model_from(a));
    add_plugin_explainers(explorer);
    for (const auto& m : methods) explorer.registry().get(m);  // fail early on a typo
    const LoadedModel& model = explorer.model();
    auto [req, scene] = request_from(a);
    ProgressLine line(!a.has("json"));
    const auto trace = explorer.generate(req, settings_from(a), line.control());
    if (trace->answer_size() == 0) fail("the model produced no answer tokens to explain");
    std::vector<std::int64_t> targets;
    if (a.has("all-targets")) {
        for (std::int64_t k = 0; k < trace->answer_size(); ++k) targets.push_back(k);
    } else {
        targets.push_back(a.get_int("target", 0));
    }
    std::optional<ImageTruth> truth;
    if (a.has("truth")) {
        if (scene) fail("--scene brings its own ground truth; drop --truth");
        if (!req.image_rgb) fail("--truth needs --image");
        truth = load_image_truth(a.get("truth"), req.image_rgb->cols, req.image_rgb->rows, a.get("image"));
    }
    make_dirs(out_dir);
    nlohmann::json explanations = nlohmann::json::array();
    // Overlays are drawn on the image the model saw, enlarged so small models' images stay legible.
    const cv::Mat view = trace->has_image() ? enlarged_view(trace->image.model_view) : cv::Mat();
    for (auto target : targets) {
        for (const auto& m : methods) {
            Explanation e =
                explorer.explain(m, target, params.value(m, nlohmann::json::object()), line.control());
            if (scene && e.has_image_map()) e.ground_truth = explorer.ground_truth(e, *scene);
            if (truth && e.has_image_map())
                e.ground_truth = image_truth_readout(
                    *truth, trace->image, trace->tokens[static_cast<std::size_t>(e.target_position)].text,
                    metrics::GridMap{e.grid_h, e.grid_w, e.image_map});
            nlohmann::json j = explanation_to_json(e);
            j["token"] = trace->tokens[static_cast<std::size_t>(e.target_position)].text;
            if (e.has_image_map()) {
                const std::string png = path_join(out_dir, cat(m, "_t", target, ".png"));
                save_image_rgb(png, render_overlay(view, e.image_map, e.grid_h, e.grid_w, style));
                j["overlay_png"] = png;
            }
            // Every array of the explanation as .npy beside the PNG (numpy.load reads them).
            j["arrays"] = write_explanation_arrays(out_dir, cat(m, "_t", target), e);
            explanations.push_back(std::move(j));
        }
    }
    nlohmann::json result = {{"model", model.name},
                             {"software_version", software_version()},
                             {"question", trace->question},
                             {"prompt_text", trace->prompt_text},
                             {"template_warning", trace->template_warning},
                             {"answer", trace->answer_text},
                             {"answer_tokens", answer_tokens_json(*trace)},
                             {"grid", {trace->grid_h, trace->grid_w}},
                             {"explanations", explanations}};
    if (scene) result["scene"] = {{"seed", scene->seed}, {"expected_answer", scene->answer}};
    write_file_atomic(path_join(out_dir, "explanations.json"),
                      result.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                      "explanations");
    if (a.has("json")) {
        std::cout << result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
        if (!trace->template_warning.empty()) std::cout << "warning: " << trace->template_warning << "\n";
        std::cout << "answer: " << trace->answer_text << "\n";
        for (const auto& e : explanations)
            std::cout << "  " << e["method"].get<std::string>() << " target " << e["target"] << " ('"
                      << e["token"].get<std::string>() << "'): " << e["time_ms"].get<double>() << " ms"
                      << (e.contains("overlay_png") ? " -> " + e["overlay_png"].get<std::string>()
                                                    : std::string())
                      << "\n"
                      << (e["views"].contains("ground_truth")
                              ? "    ground truth: " +
                                    ground_truth_summary(ground_truth_from_json(e["views"]["ground_truth"])) +
                                    "\n"
                              : std::string());
        std::cout << "wrote " << path_join(out_dir, "explanations.json") << "\n";
    }
    return 0;
}

}  // namespace sightline::cli
