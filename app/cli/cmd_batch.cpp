// sightline-cli batch / batch-merge / batch-diff: explanations over a dataset manifest, one shard per
// process (a Slurm array task or a loop), merged into one result with the evaluation's figures.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_options.h"
#include "core/batch/batch_merge.h"
#include "core/batch/batch_run.h"
#include "core/explore/explorer.h"
#include "core/model/model_identity.h"
#include "core/text/json_file.h"
#include "core/util/error.h"
#include "core/util/strings.h"
#include "plugins/loader/plugin_loader.h"

namespace sightline::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) {
    g_stop.store(true);
}

std::string minutes_text(double s) {
    char buf[64];
    if (s < 90)
        std::snprintf(buf, sizeof buf, "%.0f s", s);
    else if (s < 5400)
        std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
    else
        std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
    return buf;
}

}  // namespace

int cmd_batch(const Words& words) {
    const Args a(words, {"json", "help", "quiet", "png"});
    if (a.has("help")) {
        std::cout
            << "usage: sightline-cli batch --manifest FILE.jsonl --out DIR [--methods LIST] [--params JSON]\n"
               "       [--targets answer-words|all|first] [--shard I/N] [--png] [--model DIR] [--threads T]\n"
               "       [--max-new-tokens N] [--faithfulness-steps K] [--faithfulness-targets K]\n"
               "       [--faithfulness-min-gap G] [--json] [--quiet]\n"
               "Answers and explains every manifest item of shard I of N (item i belongs to shard i mod N;\n"
               "without --shard, a Slurm array task is shard SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of\n"
               "SLURM_ARRAY_TASK_COUNT, else 0/1). A manifest line:\n"
               "  {\"id\": \"q1\", \"image\": \"img/1.png\", \"prompt\": \"What color is the ball?\", "
               "\"expected\": "
               "\"red\",\n"
               "   \"truth\": \"truth/1.json\" (COCO-style boxes, polygons or RLE masks, or a folder of PNG "
               "masks), "
               "\"group\": "
               "\"color\"}\n"
               "(paths relative to the manifest; see docs/BATCH.md for answer_words and seeds).\n"
               "Writes DIR/items/<id>/ (item.json, METHOD_tK_*.npy, METHOD_tK.png with --png) and one line "
               "per\n"
               "item to DIR/shards/shard-I-of-N.jsonl. Resumable: run the same command again after a crash\n"
               "or a cancelled job; finished items are skipped, the one in progress is redone. A bad item\n"
               "(missing image, bad ground truth, prompt too long) is recorded with its error.\n"
               "--targets: answer-words (default: the words the ground truth names, else every word),\n"
               "  all (every answer token), first (the first of those words).\n"
               "Defaults: methods attention,relevancy,tam,cleann; greedy answers of at most 48 tokens;\n"
               "deletion/insertion with 8 steps on the first object word (0 steps: none).\n"
               "Then: sightline-cli batch-merge --out DIR.\n";
        return 0;
    }
    std::set<std::string> known = kModelOptions;
    known.insert({"manifest", "out", "methods", "params", "targets", "shard", "png", "max-new-tokens", "json",
                  "quiet", "help", "faithfulness-steps", "faithfulness-targets", "faithfulness-min-gap"});
    a.allow_only(known);
    batch::BatchOptions o;
    o.manifest_path = a.require("manifest");
    o.out_dir = a.require("out");
    auto& sc = o.scoring;
    if (a.has("methods")) sc.methods = split(a.get("methods"), ',');
    sc.params = method_params_option(a);
    o.targets = batch::parse_target_mode(a.get("targets", "answer-words"));
    if (a.has("shard"))
        o.shard = batch::parse_shard(a.get("shard"));
    else if (const auto s = batch::shard_from_slurm_environment())
        o.shard = *s;
    o.png = a.has("png");
    o.max_new_tokens = a.get_int("max-new-tokens", 48);
    sc.faithfulness_steps = a.get_int("faithfulness-steps", sc.faithfulness_steps);
    sc.faithfulness_targets = a.get_int("faithfulness-targets", sc.faithfulness_targets);
    sc.faithfulness_min_gap = a.get_double("faithfulness-min-gap", sc.faithfulness_min_gap);
    if (sc.faithfulness_steps < 0 || sc.faithfulness_targets < 0)
        fail("--faithfulness-steps and --faithfulness-targets must not be negative");
    o.model_dir = model_dir_from(a);
    o.digest_cache = default_digest_cache_path();
    o.load_model = [&a] { return load_model_from(a); };
    o.setup_explorer = [](Explorer& e) { add_plugin_explainers(e); };
    // scancel and Ctrl-C stop between model passes; the item in progress is dropped, the rest is kept.
    o.cancel = &g_stop;
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGINT, on_stop_signal);

    const bool quiet = a.has("quiet");  // --json is for stdout; progress stays on stderr (job logs)
    const bool tty = isatty(STDERR_FILENO) != 0;
    const std::string who = cat("[", o.shard.name(), "] ");
    const auto progress = [&](const batch::BatchProgress& p) {
        if (quiet) return;
        if (p.done == p.skipped) {
            if (p.skipped > 0)
                std::cerr << who << p.skipped << " of " << p.shard_items << " items already done\n";
            if (p.skipped < p.shard_items) std::cerr << who << "loading the model\n";
            return;
        }
        const int fresh = p.computed + p.errors;
        const double rate = p.elapsed_s > 0 ? 60.0 * fresh / p.elapsed_s : 0;
        const double left = rate > 0 ? 60.0 * (p.shard_items - p.done) / rate : 0;
        std::cerr << (tty ? "\r" : "") << who << p.done << "/" << p.shard_items << " items (" << p.errors
                  << " bad), " << cat(static_cast<int>(rate * 10) / 10.0) << " items/min, about "
                  << minutes_text(left) << " left; last " << p.last_id << " "
                  << cat(static_cast<int>(p.last_seconds * 10) / 10.0) << " s" << (tty ? "\033[K" : "\n")
                  << std::flush;
        if (!p.last_error.empty() && p.last_id == p.last_error.substr(0, p.last_id.size()))
            std::cerr << (tty ? "\n" : "") << who << "bad item " << p.last_error << "\n";
    };
    batch::BatchShardSummary s;
    try {
        s = batch::run_batch_shard(o, progress);
    } catch (const CancelledError&) {
        std::cerr << (tty ? "\n" : "") << who
                  << "stopped; finished items are kept: run the same command to go on\n";
        return 143;
    }
    if (tty && !quiet) std::cerr << "\n";
    if (a.has("json")) {
        std::cout << json_text(s.to_json()) << "\n";
    } else {
        std::cout << o.shard.name() << ": " << s.shard_items << " items (" << s.skipped << " already done, "
                  << s.computed << " computed, " << s.errors << " bad) in " << minutes_text(s.seconds)
                  << " -> " << s.results_path << "\n";
    }
    return 0;
}

int cmd_batch_merge(const Words& words) {
    const Args a(words, {"json", "help", "partial"});
    if (a.has("help")) {
        std::cout
            << "usage: sightline-cli batch-merge --out DIR [--partial] [--json]\n"
               "Merges DIR/shards/shard-I-of-N.jsonl into DIR/results.jsonl (every item in manifest order)\n"
               "and DIR/summary.json (per method: Obj-IoU, Func-IoU, F1-IoU, pointing game, deletion and\n"
               "insertion AUC, CLEANN validation, time, where ground truth exists; answer accuracy where\n"
               "expected answers exist; bad items; timing). Refuses shards of different runs (manifest,\n"
               "model, methods, parameters, settings) and, unless --partial, missing shards or items.\n";
        return 0;
    }
    a.allow_only({"out", "json", "help", "partial"});
    const auto r = batch::merge_batch(a.require("out"), a.has("partial"));
    const auto& s = r.summary;
    if (a.has("json")) {
        std::cout << json_text(s) << "\n";
        return 0;
    }
    std::printf("%d items (%d bad, %d missing) from %d shard(s) -> %s, %s\n", r.items, r.errors, r.missing,
                s.at("shards").get<int>(), r.results_path.c_str(), r.summary_path.c_str());
    const auto& acc = s.at("accuracy");
    if (acc.at("expected").get<int>() > 0)
        std::printf("answers: %d of %d as expected (%.1f%%)\n", acc.at("correct").get<int>(),
                    acc.at("expected").get<int>(), 100 * acc.at("rate").get<double>());
    const auto& ex = s.at("explanations");
    if (ex.at("n_targets").get<int>() > 0) {
        std::printf("%d object-word and %d function-word targets scored\n",
                    ex.at("n_object_targets").get<int>(), ex.at("n_function_targets").get<int>());
        std::printf("%-10s %8s %8s %8s %8s %9s %9s %10s\n", "method", "Obj-IoU", "Func-IoU", "F1-IoU",
                    "pointing", "deletion", "insertion", "time ms");
        for (const auto& [name, m] : ex.at("methods").items())
            std::printf("%-10s %8.3f %8.3f %8.3f %8.3f %9.3f %9.3f %10.1f\n", name.c_str(),
                        m.at("obj_iou").get<double>(), m.at("func_iou").get<double>(),
                        m.at("f1_iou").get<double>(), m.at("pointing_game").get<double>(),
                        m.at("deletion_auc").get<double>(), m.at("insertion_auc").get<double>(),
                        m.at("mean_time_ms").get<double>());
    }
    const auto& t = s.at("timing");
    std::printf(
        "time: %.1f s of compute, %.1f s from the first item to the last (%.1f items/min); merge %.2f s\n",
        t.at("compute_seconds").get<double>(), t.at("wall_seconds").get<double>(),
        t.at("items_per_minute").get<double>(), t.at("merge_seconds").get<double>());
    for (const auto& e : s.at("error_items"))
        std::printf("bad item %s: %s\n", e.at("id").get<std::string>().c_str(),
                    e.at("error").get<std::string>().c_str());
    return 0;
}

int cmd_batch_diff(const Words& words) {
    const Args a(words, {"help", "json"});
    if (a.has("help") || a.positional().size() != 2) {
        std::cout
            << "usage: sightline-cli batch-diff DIR_A DIR_B [--tolerance X] [--json]\n"
               "Compares two merged batch runs item by item and summary to summary, ignoring times, hosts\n"
               "and process ids: exit 0 when they computed the same, 1 (with the differences) when not.\n"
               "--tolerance X: numbers within X relative to max(1, |a|, |b|) count as equal (runs with\n"
               "different --threads differ in the last digits; 1e-5 hides that).\n";
        return a.has("help") ? 0 : 2;
    }
    a.allow_only({"help", "json", "tolerance"});
    const double tolerance = a.get_double("tolerance", 0);
    if (tolerance < 0) fail("--tolerance must not be negative");
    const auto d = batch::diff_batches(a.positional()[0], a.positional()[1], 20, tolerance);
    if (a.has("json")) {
        std::cout << json_text({{"equal", d.equal}, {"differences", d.count}, {"first", d.differences}})
                  << "\n";
    } else if (d.equal) {
        std::cout << "the same results (times aside)\n";
    } else {
        std::cout << d.count << " difference(s):\n";
        for (const auto& line : d.differences) std::cout << "  " << line << "\n";
    }
    return d.equal ? 0 : 1;
}

}  // namespace sightline::cli
