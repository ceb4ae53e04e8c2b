// sightline-cli eval: measured explainer quality on held-out scene-world scenes (plus random and centre
// baselines): Obj-IoU, Func-IoU, F1-IoU, pointing game, deletion/insertion AUC, CLEANN validation rate, time.
#include <cstdio>
#include <functional>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_options.h"
#include "core/eval/defer_eval.h"
#include "core/eval/explainer_eval.h"
#include "core/eval/instrument_eval.h"
#include "core/explore/explorer.h"
#include "core/toy/seeds.h"
#include "core/util/error.h"
#include "core/util/strings.h"
#include "plugins/loader/plugin_loader.h"

namespace sightline::cli {

namespace {

// "12/150 questions" on stderr, unless --json or --quiet.
std::function<void(int, int)> question_progress(const Args& a) {
    if (a.has("json") || a.has("quiet")) return {};
    return
        [](int done, int total) { std::cerr << "\r" << done << "/" << total << " questions" << std::flush; };
}

int eval_defer(const Args& a) {
    std::set<std::string> known = kModelOptions;
    known.insert({"defer", "n", "first-seed", "methods", "json", "help", "quiet", "calibrate"});
    a.allow_only(known);
    DeferCollectOptions o;
    o.n = a.get_int("n", 100);
    o.first_seed = a.get_u64("first-seed", toy::kHeldOutSeedBase);
    if (a.has("methods")) o.methods = split(a.get("methods"), ',');
    if (o.n <= 0) fail("--n must be positive");
    if (!toy::is_held_out_seed(o.first_seed))
        std::cerr << "warning: seed " << o.first_seed << " is in the training range\n";
    o.progress = question_progress(a);
    Explorer explorer(load_model_from(a));
    add_plugin_explainers(explorer);
    const std::vector<DeferCase> cases = collect_defer_cases(explorer, o);
    DeferRule rule = shipped_defer_rule();
    const bool calibrating = a.has("calibrate");
    if (calibrating) {
        const double f = a.get_double("calibrate", 0.1);
        if (!(f >= 0 && f < 1)) fail("--calibrate must be a share in [0, 1), got ", f);
        rule = calibrate_defer(cases, f);
    }
    const DeferReport r = evaluate_defer(cases, rule);
    nlohmann::json cj = nlohmann::json::array();
    for (const auto& c : cases) cj.push_back(defer_case_to_json(c));
    const nlohmann::json j = {{"first_seed", o.first_seed},
                              {"n", o.n},
                              {"rule",
                               {{"signal", to_string(rule.signal)},
                                {"threshold", rule.threshold},
                                {"calibrated_here", calibrating}}},
                              {"report", r.to_json()},
                              {"cases", cj}};
    if (a.has("json")) {
        std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return 0;
    }
    std::cerr << "\n";
    std::printf("%d questions, %d answered wrong\n", r.cases, r.wrong);
    std::printf(
        "AUROC for wrong answers: inconsistency %.3f, token doubt %.3f, answer doubt %.3f, combined %.3f\n",
        r.auroc_inconsistency, r.auroc_token_doubt, r.auroc_answer_doubt, r.auroc_combined);
    std::printf("rule %s > %.4f%s: flags %.1f%% of right answers, %.1f%% of wrong ones\n",
                to_string(rule.signal).c_str(), rule.threshold,
                calibrating ? " (calibrated on these seeds: not a held-out figure)" : "",
                100 * r.false_alarm_rate, 100 * r.recall);
    return 0;
}

int eval_instruments(const Args& a) {
    std::set<std::string> known = kModelOptions;
    known.insert({"instruments", "n", "first-seed", "json", "help", "quiet", "samples"});
    a.allow_only(known);
    InstrumentEvalOptions o;
    o.n = a.get_int("n", 60);
    o.first_seed = a.get_u64("first-seed", toy::kHeldOutSeedBase);
    o.tracing_samples = a.get_int("samples", 3);
    if (o.n <= 0) fail("--n must be positive");
    if (o.tracing_samples < 1) fail("--samples must be positive");
    if (!toy::is_held_out_seed(o.first_seed))
        std::cerr << "warning: seed " << o.first_seed << " is in the training range\n";
    o.progress = question_progress(a);
    Explorer explorer(load_model_from(a));
    const std::vector<InstrumentCase> cases = evaluate_instruments(explorer, o);
    const nlohmann::json summary = summarize_instruments(cases);
    nlohmann::json cj = nlohmann::json::array();
    for (const auto& c : cases) cj.push_back(instrument_case_to_json(c));
    if (a.has("json")) {
        const nlohmann::json j = {
            {"first_seed", o.first_seed}, {"n", o.n}, {"summary", summary}, {"cases", cj}};
        std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return 0;
    }
    std::cerr << "\n";
    std::printf("%zu correctly answered colour/shape questions of %d\n", cases.size(), o.n);
    std::printf(
        "causal tracing: peak on the object %.1f%%; recovery by restoring the object's patches per layer:",
        100 * summary["tracing_pointing"].get<double>());
    for (const auto& v : summary["tracing_recovery_by_layer"]) std::printf(" %.3f", v.get<double>());
    std::printf("\nlogit lens: peak on the object %.1f%% at the best layer, %.1f%% at the last\n",
                100 * summary["lens_pointing_best"].get<double>(),
                100 * summary["lens_pointing_last"].get<double>());
    std::printf(
        "knockout (answer still right): block object %.1f%% vs random %.1f%%; mean object %.1f%% vs random "
        "%.1f%%\n",
        100 * summary["block_accuracy_object"].get<double>(),
        100 * summary["block_accuracy_random"].get<double>(),
        100 * summary["mean_accuracy_object"].get<double>(),
        100 * summary["mean_accuracy_random"].get<double>());
    return 0;
}

}  // namespace

int cmd_eval(const Words& words) {
    const Args a(words, {"json", "help", "quiet", "defer", "instruments"});
    if (a.has("help")) {
        std::cout
            << "usage: sightline-cli eval [--model DIR] --n N --first-seed S [--methods LIST]\n"
               "       [--params JSON] [--faithfulness-steps K] [--faithfulness-min-gap G] [--json]\n"
               "Scenes use seeds S..S+N-1 (held-out seeds start at 1000000000).\n"
               "--params is a JSON object keyed by method, e.g. '{\"cleann\": {\"alpha\": 0.001}}'.\n"
               "\n"
               "       sightline-cli eval --defer [--model DIR] --n N --first-seed S [--calibrate F] "
               "[--json]\n"
               "The \"defer to a human expert\" flag on N held-out questions, right or wrong: for the token\n"
               "the window explains first, the consistency of every method's map and the token's\n"
               "probability; AUROC of each signal for telling wrong answers from right ones, and the\n"
               "shipped rule's false-alarm rate (right answers flagged) and recall (wrong ones flagged).\n"
               "--calibrate F instead chooses the rule on these seeds: the best-AUROC signal and the\n"
               "threshold that flags at most a share F of the right answers.\n"
               "\n"
               "       sightline-cli eval --instruments [--model DIR] --n N --first-seed S [--samples K] "
               "[--json]\n"
               "The research instruments on the correctly answered colour and shape questions among N:\n"
               "causal tracing's pointing game and per-layer recovery from restoring the object's patches,\n"
               "the logit lens's pointing game at its best and last layer, and the answer's accuracy with\n"
               "the object's patches knocked out (attention blocked; embeddings set to the image mean)\n"
               "against as many random patches.\n";
        return 0;
    }
    if (a.has("defer")) return eval_defer(a);
    if (a.has("instruments")) return eval_instruments(a);
    std::set<std::string> known = kModelOptions;
    known.insert({"n", "first-seed", "methods", "json", "help", "quiet", "faithfulness-steps",
                  "faithfulness-targets", "faithfulness-min-gap", "params"});
    a.allow_only(known);
    ExplainerEvalOptions o;
    o.n = a.get_int("n", 300);
    o.first_seed = a.get_u64("first-seed", toy::kHeldOutSeedBase);
    if (a.has("methods")) o.methods = split(a.get("methods"), ',');
    o.params = method_params_option(a);
    o.faithfulness_steps = a.get_int("faithfulness-steps", o.faithfulness_steps);
    o.faithfulness_targets_per_scene = a.get_int("faithfulness-targets", o.faithfulness_targets_per_scene);
    o.faithfulness_min_gap = a.get_double("faithfulness-min-gap", o.faithfulness_min_gap);
    if (o.n <= 0) fail("--n must be positive");
    if (!toy::is_held_out_seed(o.first_seed))
        std::cerr << "warning: seed " << o.first_seed << " is in the training range; held-out seeds start at "
                  << toy::kHeldOutSeedBase << "\n";
    const bool quiet = a.has("json") || a.has("quiet");
    if (!quiet)
        o.progress = [](int done, int total) {
            if (done % 10 == 0 || done == total)
                std::cerr << "\r" << done << "/" << total << " scenes" << std::flush;
        };
    Explorer explorer(load_model_from(a));
    add_plugin_explainers(explorer);
    const ExplainerEvalResult r = evaluate_explainers(explorer, o);
    const nlohmann::json j = r.to_json();
    if (a.has("json")) {
        std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return 0;
    }
    std::cerr << "\n";
    std::printf("%d scenes (%d with exactly right answers), %d object-word and %d function-word targets\n",
                r.scenes, r.scenes_used, r.object_targets, r.function_targets);
    std::printf("%-10s %8s %8s %8s %8s %9s %9s %10s %10s\n", "method", "Obj-IoU", "Func-IoU", "F1-IoU",
                "pointing", "deletion", "insertion", "validated", "time ms");
    for (const auto& [name, m] : j["methods"].items()) {
        std::printf(
            "%-10s %8.3f %8.3f %8.3f %8.3f %9.3f %9.3f %10s %10.1f\n", name.c_str(),
            m["obj_iou"].get<double>(), m["func_iou"].get<double>(), m["f1_iou"].get<double>(),
            m["pointing_game"].get<double>(), m["deletion_auc"].get<double>(),
            m["insertion_auc"].get<double>(),
            m.contains("validated_rate") ? cat(m["validated_rate"].get<double>()).substr(0, 5).c_str() : "-",
            m["mean_time_ms"].get<double>());
    }
    // Where each method's argmax landed on object words (a miss on the named object's cell, on another
    // object carrying the same word, on another object, on background), and pointing per question type.
    std::printf(
        "\npointing on object words: where the argmax landed, and the pointing game per question type\n");
    std::printf("%-10s %7s %8s %9s %8s %8s  %s\n", "method", "hit", "its cell", "same word", "other",
                "backgr.", "by question");
    for (const auto& [name, m] : j["methods"].items()) {
        if (!m.contains("pointing_outcomes")) continue;
        const auto& po = m["pointing_outcomes"];
        std::string by_task;
        for (const auto& [task, t] : m["pointing_by_task"].items()) {
            char cell[64];
            std::snprintf(cell, sizeof cell, "%s %.3f  ", task.c_str(), t["pointing_game"].get<double>());
            by_task += cell;
        }
        std::printf("%-10s %7.3f %8.3f %9.3f %8.3f %8.3f  %s\n", name.c_str(), po["hit"].get<double>(),
                    po["target_cell"].get<double>(), po["same_word_object"].get<double>(),
                    po["other_object"].get<double>(), po["background"].get<double>(), by_task.c_str());
    }
    return 0;
}

}  // namespace sightline::cli
