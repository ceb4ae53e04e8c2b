// sightline-cli toy: the synthetic scene world and the embedded model trained on it.
//   toy scene --seed S --out DIR [--task T]
//   toy eval  [--model DIR] --n N --first-seed S [--natural-tasks] [--tasks LIST] [--failures K] [--json]
//   toy train --out DIR [--steps N] [--batch B] [--lr X] [--bf16] [--time-limit-min M] [--tiny] ...
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/model_options.h"
#include "core/eval/answer_scoring.h"
#include "core/eval/eval_questions.h"
#include "core/eval/image_truth.h"
#include "core/image/image_io.h"
#include "core/toy/sample.h"
#include "core/toy/scene_json.h"
#include "core/toy/seeds.h"
#include "core/train/toy_eval.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/strings.h"

namespace sightline::cli {
namespace {

int toy_scene(const Words& words) {
    const Args a(words, {"help"});
    if (a.has("help")) {
        std::cout << "usage: sightline-cli toy scene --seed S --out DIR [--task T]\n"
                     "Writes the scene of seed S (scene.png, a mask per object, scene.json) and a question "
                     "about it\n"
                     "(question.json; T: color, shape, count, exist, position, relation or describe).\n";
        return 0;
    }
    a.allow_only({"seed", "out", "task", "help"});
    const std::uint64_t seed = a.get_u64("seed", 0);
    const std::string out = a.require("out");
    std::optional<toy::TaskType> task;
    if (a.has("task")) {
        task = toy::parse_task(a.get("task"));
        if (!task)
            fail("unknown task '", a.get("task"),
                 "' (color, shape, count, exist, position, relation, describe)");
    }
    const toy::Sample s = toy::make_sample(seed, task);
    make_dirs(out);
    toy::write_scene(s.scene, out);
    nlohmann::json qa = {
        {"seed", s.seed}, {"task", toy::to_string(s.task)}, {"question", s.question}, {"answer", s.answer}};
    write_file_atomic(path_join(out, "question.json"),
                      qa.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", "question");
    std::cout << "wrote " << out << "/scene.png, " << s.scene.objects.size()
              << " mask(s), scene.json, question.json\n"
              << "Q: " << s.question << "\nA: " << s.answer << "\n";
    if (!toy::is_held_out_seed(seed))
        std::cout << "(seed " << seed << " is in the training range; held-out seeds start at "
                  << toy::kHeldOutSeedBase << ")\n";
    return 0;
}

// The evaluation's questions as a batch manifest: DIR/images/<seed>.png, DIR/truth/<seed>.json (COCO-style,
// each object's exact mask as RLE, labelled "<colour> <shape>"), and DIR/manifest.jsonl with the question,
// the expected answer, its words as spans naming the objects, the task as group and the seed, so `batch`
// and `batch-merge` on it give `eval`'s figures for the same seeds.
int toy_manifest(const Words& words) {
    const Args a(words, {"help"});
    if (a.has("help")) {
        std::cout
            << "usage: sightline-cli toy manifest --n N --first-seed S --out DIR\n"
               "Writes eval's questions for seeds S..S+N-1 (describe, colour, shape, relation in turn) as a\n"
               "batch manifest: DIR/manifest.jsonl, DIR/images/<seed>.png, DIR/truth/<seed>.json (COCO, "
               "exact\n"
               "masks as RLE); sightline-cli batch + batch-merge on it give eval's figures.\n";
        return 0;
    }
    a.allow_only({"n", "first-seed", "out", "help"});
    const int n = a.get_int("n", 100);
    const std::uint64_t first = a.get_u64("first-seed", toy::kHeldOutSeedBase);
    const std::string out = a.require("out");
    if (n <= 0) fail("--n must be positive");
    make_dirs(path_join(out, "images"));
    make_dirs(path_join(out, "truth"));
    std::string lines;
    for (int i = 0; i < n; ++i) {
        const toy::Sample s = eval_question(first, i);
        const std::string stem = std::to_string(s.seed);
        save_image_rgb(path_join(out, "images/" + stem + ".png"), s.scene.image);
        nlohmann::json categories = nlohmann::json::array(), annotations = nlohmann::json::array();
        for (std::size_t k = 0; k < s.scene.objects.size(); ++k) {
            const auto& o = s.scene.objects[k];
            const int id = static_cast<int>(k) + 1;
            categories.push_back({{"id", id}, {"name", o.name()}});
            annotations.push_back(
                {{"id", id},
                 {"image_id", 1},
                 {"category_id", id},
                 {"iscrowd", 1},
                 {"bbox", {o.bbox.x, o.bbox.y, o.bbox.width, o.bbox.height}},
                 {"segmentation",
                  {{"size", {o.mask.rows, o.mask.cols}}, {"counts", coco_rle_counts(o.mask)}}}});
        }
        const nlohmann::json coco = {{"images",
                                      {{{"id", 1},
                                        {"file_name", stem + ".png"},
                                        {"width", s.scene.image.cols},
                                        {"height", s.scene.image.rows}}}},
                                     {"categories", categories},
                                     {"annotations", annotations}};
        write_file_atomic(path_join(out, "truth/" + stem + ".json"), coco.dump() + "\n", "ground truth");
        const AnswerTruth truth = answer_truth_of(s);
        nlohmann::json spans = nlohmann::json::array();
        for (const auto& w : truth.spans) {
            nlohmann::json j = {{"begin", w.begin}, {"end", w.end}, {"kind", to_string(w.kind)}};
            if (w.kind == AnswerWordSpan::Kind::Object)
                j["object"] = truth.image.objects[static_cast<std::size_t>(w.object)].label;
            spans.push_back(j);
        }
        const nlohmann::json item = {{"id", "s" + stem},
                                     {"image", "images/" + stem + ".png"},
                                     {"prompt", s.question},
                                     {"expected", s.answer},
                                     {"truth", "truth/" + stem + ".json"},
                                     {"answer_words", spans},
                                     {"group", toy::to_string(s.task)},
                                     {"seed", s.seed}};
        lines += item.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    }
    write_file_atomic(path_join(out, "manifest.jsonl"), lines, "manifest");
    std::cout << "wrote " << path_join(out, "manifest.jsonl") << ": " << n << " questions (seeds " << first
              << ".." << first + static_cast<std::uint64_t>(n) - 1 << "), images/ and truth/\n";
    if (!toy::is_held_out_seed(first))
        std::cout << "(seeds from " << first << " are in the training range; held-out seeds start at "
                  << toy::kHeldOutSeedBase << ")\n";
    return 0;
}

int toy_eval(const Words& words) {
    const Args a(words, {"json", "natural-tasks", "quiet"});
    std::set<std::string> known = kModelOptions;
    known.insert(
        {"n", "first-seed", "json", "natural-tasks", "quiet", "max-new-tokens", "tasks", "failures"});
    a.allow_only(known);
    train::ToyEvalOptions o;
    o.n = a.get_int("n", 1000);
    o.first_seed = a.get_u64("first-seed", toy::kHeldOutSeedBase);
    o.balanced_tasks = !a.has("natural-tasks");
    o.max_new_tokens = a.get_int("max-new-tokens", 48);
    if (o.n <= 0) fail("--n must be positive");
    o.max_failures = a.get_int("failures", 25);
    if (o.max_failures < 0) fail("--failures must not be negative");
    if (a.has("tasks"))
        for (const std::string& name : split(a.get("tasks"), ',')) {
            const auto task = toy::parse_task(name);
            if (!task)
                fail("--tasks: unknown task '", name,
                     "' (color, shape, count, exist, position, relation, describe)");
            o.only_tasks.push_back(*task);
        }
    if (!toy::is_held_out_seed(o.first_seed))
        std::cerr << "warning: seeds from " << o.first_seed << " overlap the training range [0, "
                  << toy::kHeldOutSeedBase << ")\n";
    const bool quiet = a.has("quiet") || a.has("json");
    if (!quiet)
        o.progress = [](int done, int total) {
            if (done % 50 == 0 || done == total) std::cerr << "\r" << done << "/" << total << std::flush;
        };
    const auto m = load_model_from(a);
    const train::ToyEvalResult r = train::evaluate_toy(*m, o);
    if (!quiet) std::cerr << "\n";
    if (a.has("json")) {
        std::cout << r.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return 0;
    }
    std::cout << "model " << m->name << ": " << r.n << " held-out questions (seeds " << o.first_seed << ".."
              << o.first_seed + static_cast<std::uint64_t>(o.n) - 1 << ")\n";
    for (const auto& [task, ct] : r.by_task)
        std::printf("  %-9s %6.1f%%  (%d/%d)\n", task.c_str(), 100.0 * ct.first / std::max(1, ct.second),
                    ct.first, ct.second);
    std::printf("  %-9s %6.1f%%  (%d/%d)\n", "overall", 100.0 * r.overall(), r.correct, r.n);
    if (r.descriptions > 0)
        std::printf("  description: every object word right in %.1f%% of %d scenes\n",
                    100.0 * r.description_object_words(), r.descriptions);
    const auto& [dr, dn] = r.relation_with_decoy;
    const auto& [nr, nn] = r.relation_without_decoy;
    if (dn + nn > 0)
        std::printf(
            "  relation: %.1f%% (%d/%d) with a decoy (an object in that direction off the row or column), "
            "%.1f%% (%d/%d) without\n",
            100.0 * dr / std::max(1, dn), dr, dn, 100.0 * nr / std::max(1, nn), nr, nn);
    std::printf("  mean %.1f ms per question\n", r.mean_ms_per_question);
    const std::size_t shown =
        a.has("failures") ? r.failures.size() : std::min<std::size_t>(5, r.failures.size());
    for (std::size_t i = 0; i < shown; ++i)
        std::cout << "  wrong: [" << r.failures[i].task << "] " << r.failures[i].question << " -> '"
                  << r.failures[i].predicted << "' (expected '" << r.failures[i].expected << "')\n";
    return 0;
}

int toy_train(const Words& words) {
    const Args a(words, {"bf16", "tiny", "json", "token-loss"});
    a.allow_only({"out",
                  "steps",
                  "batch",
                  "lr",
                  "min-lr",
                  "warmup",
                  "clip",
                  "weight-decay",
                  "seed",
                  "data-seed",
                  "bf16",
                  "tiny",
                  "time-limit-min",
                  "eval-every",
                  "eval-n",
                  "checkpoint-every",
                  "threads",
                  "spm-train",
                  "log-every",
                  "json",
                  "tokenizer-vocab",
                  "stop-at",
                  "token-loss",
                  "task-weights",
                  "vision-layers",
                  "lm-layers",
                  "vision-pretrain-steps",
                  "turns",
                  "grounding-weight",
                  "focus",
                  "shared-color",
                  "shared-shape",
                  "relation-decoys",
                  "init-from"});
    train::TrainOptions o;
    o.out_dir = a.require("out");
    if (a.has("tiny")) o.size = train::tiny_toy_size();
    o.size.vision_layers = a.get_int("vision-layers", o.size.vision_layers);
    o.size.lm_layers = a.get_int("lm-layers", o.size.lm_layers);
    o.vision_pretrain_steps = a.get_int("vision-pretrain-steps", o.vision_pretrain_steps);
    o.dialogue_turns = a.get_int("turns", o.dialogue_turns);
    o.grounding_weight = a.get_double("grounding-weight", o.grounding_weight);
    if (o.dialogue_turns < 1 || o.dialogue_turns > 8) fail("--turns must be between 1 and 8");
    if (o.grounding_weight < 0) fail("--grounding-weight must not be negative");
    o.steps = a.get_int("steps", static_cast<int>(o.steps));
    o.batch = a.get_int("batch", o.batch);
    o.lr = a.get_double("lr", o.lr);
    o.min_lr = a.get_double("min-lr", o.min_lr);
    o.warmup = a.get_int("warmup", o.warmup);
    o.clip = a.get_double("clip", o.clip);
    o.weight_decay = a.get_double("weight-decay", o.weight_decay);
    o.init_seed = a.get_u64("seed", o.init_seed);
    o.data_seed = a.get_u64("data-seed", o.data_seed);
    o.bf16 = a.has("bf16");
    o.per_sample_loss = !a.has("token-loss");
    if (a.has("task-weights")) {  // e.g. shape=2,describe=1 (tasks not listed get weight 0)
        for (const auto& item : split(a.get("task-weights"), ',')) {
            const auto eq = item.find('=');
            const auto task = toy::parse_task(item.substr(0, eq));
            if (eq == std::string::npos || !task)
                fail("--task-weights expects task=weight pairs, got '", item, "'");
            o.task_weights[*task] = std::stod(item.substr(eq + 1));
        }
    }
    o.init_from = a.get("init-from", "");
    if (a.has("focus")) o.focus_phases = train::parse_focus_phases(a.get("focus"));
    o.shared_color_fraction = a.get_double("shared-color", 0);
    if (!(o.shared_color_fraction >= 0 && o.shared_color_fraction <= 1))
        fail("--shared-color must be a fraction between 0 and 1");
    o.shared_shape_fraction = a.get_double("shared-shape", 0);
    if (!(o.shared_shape_fraction >= 0 && o.shared_color_fraction + o.shared_shape_fraction <= 1))
        fail("--shared-shape must be a fraction between 0 and 1 - the --shared-color fraction");
    o.relation_decoy_fraction = a.get_double("relation-decoys", 0);
    if (!(o.relation_decoy_fraction >= 0 &&
          o.shared_color_fraction + o.shared_shape_fraction + o.relation_decoy_fraction <= 1))
        fail(
            "--relation-decoys must be a fraction between 0 and 1 - the --shared-color and --shared-shape "
            "fractions");
    o.time_limit_minutes = a.get_double("time-limit-min", 0);
    o.stop_at_step = a.get_int("stop-at", 0);
    o.eval_every = a.get_int("eval-every", o.eval_every);
    o.eval_n = a.get_int("eval-n", o.eval_n);
    o.checkpoint_every = a.get_int("checkpoint-every", o.checkpoint_every);
    o.log_every = a.get_int("log-every", o.log_every);
    o.threads = a.get_int("threads", 0);
    o.spm_train = a.get("spm-train", o.spm_train);
    o.tokenizer_vocab = a.get_int("tokenizer-vocab", o.tokenizer_vocab);
    if (o.steps <= 0 || o.batch <= 0) fail("--steps and --batch must be positive");
    if (static_cast<std::uint64_t>(o.steps) * static_cast<std::uint64_t>(o.batch) + o.data_seed >
        toy::kTrainingSeedEnd)
        fail("steps x batch would run past the training seed range");
    o.log = [](const std::string& line) { std::cerr << line << "\n"; };
    const train::TrainReport r = train::train_toy(o);
    nlohmann::json out = {{"out", o.out_dir},
                          {"first_step", r.first_step},
                          {"last_step", r.last_step},
                          {"first_loss", r.first_loss},
                          {"last_loss", r.last_loss},
                          {"seconds", r.seconds},
                          {"samples_per_second", r.samples_per_second},
                          {"parameters", r.parameters},
                          {"finished", r.finished},
                          {"vision_pretrain_seconds", r.vision_pretrain_seconds},
                          {"vision_patch_shape_accuracy", r.vision_shape_accuracy},
                          {"vision_patch_color_accuracy", r.vision_color_accuracy}};
    std::cout << (a.has("json") ? out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                                : out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace))
              << "\n";
    return 0;
}

}  // namespace

int cmd_toy(const Words& words) {
    if (words.empty() || words[0] == "--help") {
        std::cout
            << "usage: sightline-cli toy scene --seed S --out DIR [--task T]\n"
               "       sightline-cli toy manifest --n N --first-seed S --out DIR   (eval's questions as a "
               "batch "
               "manifest)\n"
               "       sightline-cli toy eval [--model DIR] --n N --first-seed S [--natural-tasks] [--tasks "
               "LIST]\n"
               "                              [--failures K] [--json]\n"
               "       sightline-cli toy train --out DIR [--steps N] [--batch B] [--lr X] [--bf16] [--tiny]\n"
               "                               [--time-limit-min M] [--eval-every N] [--eval-n N] [--seed "
               "S]\n"
               "                               [--turns K] [--grounding-weight W] [--vision-pretrain-steps "
               "N]\n"
               "                               [--task-weights task=w,...] [--warmup N] [--min-lr X]\n"
               "                               [--focus BEGIN-END:task[+task],...|none] [--init-from "
               "MODEL_DIR]\n"
               "toy eval: seed S+i asks task i mod 7 (colour, shape, count, existence, position, relation,\n"
               "description); --tasks relation,position asks only those seeds' questions; --failures K lists "
               "up\n"
               "to K wrong answers (default 5 printed, 25 in --json).\n"
               "The defaults are the embedded model's recipe; it was trained with --bf16 (see its model "
               "card).\n";
        return words.empty() ? 2 : 0;
    }
    const Words rest(words.begin() + 1, words.end());
    if (words[0] == "scene") return toy_scene(rest);
    if (words[0] == "eval") return toy_eval(rest);
    if (words[0] == "manifest") return toy_manifest(rest);
    if (words[0] == "train") return toy_train(rest);
    fail("unknown toy command '", words[0], "' (scene, manifest, eval, train)");
}

}  // namespace sightline::cli
