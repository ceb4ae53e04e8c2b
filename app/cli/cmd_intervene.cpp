// sightline-cli intervene: knock image patches or prompt tokens out and re-run (core/explain/knockout.h).
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/model_options.h"
#include "app/cli/progress_line.h"
#include "core/eval/eval_questions.h"
#include "core/eval/ground_truth.h"
#include "core/explain/explainer.h"
#include "core/explore/explorer.h"
#include "core/metrics/localisation.h"
#include "core/util/error.h"
#include "core/util/strings.h"
#include "core/util/version.h"

namespace sightline::cli {

GenerationSettings settings_from(const Args& a);  // cmd_generate.cpp

namespace {

// "r,c;r,c;..." -> cells.
std::vector<std::pair<int, int>> parse_cells(const std::string& text) {
    std::vector<std::pair<int, int>> cells;
    for (const auto& item : split(text, ';')) {
        const auto rc = split(trim(item), ',');
        if (rc.size() != 2) fail("--patches expects \"row,col;row,col;...\", got '", item.substr(0, 40), "'");
        const auto ids = parse_id_list(rc[0] + " " + rc[1]);
        if (ids.size() != 2 || ids[0] > 100000 || ids[1] > 100000)
            fail("--patches expects whole numbers, got '", item.substr(0, 40), "'");
        cells.emplace_back(static_cast<int>(ids[0]), static_cast<int>(ids[1]));
    }
    return cells;
}

}  // namespace

int cmd_intervene(const Words& words) {
    const Args a(words, {"json", "help", "object"});
    if (a.has("help")) {
        std::cout
            << "usage: sightline-cli intervene [--model DIR] ([--image PATH] --prompt TEXT | --scene "
               "SEED[:TASK])\n"
               "       (--patches \"r,c;r,c\" | --positions LIST | --object) [--target INDEX]\n"
               "       [--op block|mean|blur] [--layers LIST] [--window N] [--json]\n"
            << kConversationHelp
            << "Knocks positions out of the computation and re-runs the model:\n"
               "  block  attention from the answer positions to them is cut in --layers (default all)\n"
               "  mean   their LM input embeddings are replaced by the mean image embedding\n"
               "  blur   ... by those of a Gaussian-blurred copy of the image\n"
               "--patches names map cells, --positions sequence positions (\"3,5-7\"), --object the\n"
               "  cells of the scene object the target word names (--scene only).\n"
               "--target is an answer-token index (default: the first colour or shape word).\n"
               "--window N: also the token's probability with N layers blocked at a time (block; 0: off).\n"
               "Prints the old and new answer and the token's probability before and after.\n";
        return 0;
    }
    std::set<std::string> known = kModelOptions;
    known.insert(kRequestOptions.begin(), kRequestOptions.end());
    known.insert({"patches", "positions", "object", "target", "op", "layers", "window", "json", "help",
                  "max-new-tokens", "temperature", "top-p", "top-k", "seed"});
    a.allow_only(known);
    const int given = (a.has("patches") ? 1 : 0) + (a.has("positions") ? 1 : 0) + (a.has("object") ? 1 : 0);
    if (given != 1) fail("give exactly one of --patches, --positions or --object");

    Explorer explorer(load_model_from(a));
    auto [req, scene] = request_from(a);
    if (a.has("object") && !scene) fail("--object needs --scene (a scene with object masks)");
    ProgressLine line(!a.has("json"));
    const auto trace = explorer.generate(req, settings_from(a), line.control());
    if (trace->answer_size() == 0) fail("the model produced no answer tokens");
    const std::int64_t target =
        a.has("target") ? a.get_int("target", 0) : std::max<std::int64_t>(0, default_target(*trace));

    KnockoutSpec spec;
    spec.op = a.get("op", "block");
    spec.window = a.get_int("window", 1);
    if (a.has("layers") && a.get("layers") != "all")
        spec.layers = parse_index_list(a.get("layers"),
                                       static_cast<int>(explorer.model().config.text.num_hidden_layers) - 1,
                                       "--layers");
    TraceContext& ctx = explorer.context();
    if (a.has("positions")) {
        for (int p :
             parse_index_list(a.get("positions"), static_cast<int>(trace->answer_begin) - 1, "--positions"))
            spec.positions.push_back(p);
    } else if (a.has("patches")) {
        spec.positions = positions_of_cells(ctx, parse_cells(a.get("patches")));
    } else {
        const int object = named_object(explorer.model(), *trace, *scene, target);
        if (object < 0)
            fail("--object: answer token ", target, " ('",
                 trace->tokens[static_cast<std::size_t>(trace->answer_position(target))].text,
                 "') does not name a scene object (the answer must be the scene's expected one)");
        spec.positions = positions_of_cells(
            ctx, metrics::mask_cells(scene->scene.objects[static_cast<std::size_t>(object)].mask,
                                     trace->grid_h, trace->grid_w));
    }
    const KnockoutResult r = explorer.knockout(target, spec, line.control());
    nlohmann::json j = to_json(r);
    j["model"] = explorer.model().name;
    j["software_version"] = software_version();
    j["question"] = trace->question;
    if (a.has("json")) {
        std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return 0;
    }
    std::cout << "knockout: " << r.spec.op << " of " << r.spec.positions.size() << " position(s)"
              << (r.spec.op == "block"
                      ? (r.spec.layers.empty() ? " in every layer"
                                               : cat(" in ", r.spec.layers.size(), " layer(s)"))
                      : std::string())
              << "\n  answer before: " << r.answer_before << "\n  answer after:  " << r.answer_after
              << (r.answer_changed() ? "   (changed)" : "   (unchanged)") << "\n  p('" << r.token
              << "'): " << r.p_before << " -> " << r.p_after << " (most likely now '" << r.predicted_after
              << "')\n";
    if (r.per_layer) {
        std::cout << "  blocked " << r.spec.window << " layer(s) at a time, from layer:";
        for (std::size_t k = 0; k < r.per_layer->layers.size(); ++k)
            std::cout << " " << r.per_layer->layers[k] << ": " << r.per_layer->values[0][k];
        std::cout << "\n";
    }
    return 0;
}

}  // namespace sightline::cli
