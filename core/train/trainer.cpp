#include "core/train/trainer.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/weight_store.h"
#include "core/model/checkpoint_writer.h"
#include "core/model/loaded_model.h"
#include "core/toy/sample.h"
#include "core/toy/scene_queries.h"
#include "core/toy/seeds.h"
#include "core/train/adamw.h"
#include "core/train/batch_builder.h"
#include "core/train/freed_memory.h"
#include "core/train/toy_eval.h"
#include "core/train/vision_pretrain.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/stopwatch.h"
#include "core/util/strings.h"

namespace sightline::train {
namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// A uniform draw in [0, 1) from a hash of x (53 bits).
double unit_interval(std::uint64_t x) {
    return static_cast<double>(mix(x) >> 11) * (1.0 / 9007199254740992.0);
}

toy::TaskType pick_task(std::uint64_t seed, const std::vector<std::pair<toy::TaskType, double>>& cumulative) {
    const double u = unit_interval(seed ^ 0x5ca1ab1eull);
    for (const auto& [task, c] : cumulative)
        if (u < c) return task;
    return cumulative.back().first;
}

// One training dialogue: the seed's sample as the first turn, then further questions about the same scene,
// each task drawn with the mix's weights among the tasks the scene can answer.
std::vector<toy::Sample> make_dialogue(std::uint64_t seed, int turns,
                                       const std::vector<std::pair<toy::TaskType, double>>& cumulative) {
    std::vector<toy::Sample> d{toy::make_sample(seed, pick_task(seed, cumulative))};
    const std::vector<toy::TaskType> answerable = toy::answerable_tasks(d.front().scene);
    for (int k = 1; k < turns; ++k) {
        const std::uint64_t turn_seed = mix(seed * 0x100000001b3ull + static_cast<std::uint64_t>(k));
        for (int attempt = 0; attempt < 32; ++attempt) {
            const toy::TaskType task = pick_task(turn_seed + static_cast<std::uint64_t>(attempt), cumulative);
            if (std::find(answerable.begin(), answerable.end(), task) == answerable.end()) continue;
            d.push_back(toy::make_sample_on_scene(d.front().scene, task, turn_seed));
            break;
        }
    }
    return d;
}

std::string format_duration(double seconds) {
    const int s = static_cast<int>(seconds);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    return buf;
}

// Writes `bytes` as they are (binary mode: also used to copy the binary tokenizer.model).
void write_file(const std::string& path, const std::string& bytes) {
    write_file_atomic(path, bytes, "file");
}

}  // namespace

void init_sincos_positions(Model& model) {
    // 2-D sine-cosine position embeddings for the vision tower (as in MAE), so patches know where they are
    // from the first step; they remain trainable. The class token's row is zero.
    const auto& v = model.config().vision;
    const std::int64_t g = v.grid(), d = v.hidden_size, quarter = d / 4;
    at::Tensor table = at::zeros({v.num_patches() + (v.has_class_token() ? 1 : 0), d}, at::kFloat);
    const std::int64_t first = v.has_class_token() ? 1 : 0;
    for (std::int64_t r = 0; r < g; ++r)
        for (std::int64_t c = 0; c < g; ++c)
            for (std::int64_t k = 0; k < quarter; ++k) {
                const double omega = 1.0 / std::pow(10000.0, static_cast<double>(k) / quarter);
                const std::int64_t row = first + r * g + c;
                table[row][k] = std::sin(c * omega);
                table[row][quarter + k] = std::cos(c * omega);
                table[row][2 * quarter + k] = std::sin(r * omega);
                table[row][3 * quarter + k] = std::cos(r * omega);
            }
    model.visit_parameters([&](const std::string& name, at::Tensor& t, const std::vector<std::int64_t>&) {
        if (ends_with(name, "embeddings.position_embedding.weight")) t = table.to(t.scalar_type());
    });
}

std::map<toy::TaskType, double> default_task_weights() {
    using T = toy::TaskType;
    return {{T::Color, 1.6},    {T::Shape, 0.8},    {T::Count, 0.5},   {T::Exist, 1.3},
            {T::Position, 1.5}, {T::Relation, 1.6}, {T::Describe, 1.6}};
}

std::vector<FocusPhase> default_focus_phases() {
    // Two rounds over the skills the mix alone learns slowly, each followed by the mix (which restores what
    // a focus phase lets slip); the second round is half as long.
    return parse_focus_phases(
        "900-1100:color,1100-1400:position,1400-1600:relation,1600-1800:describe,1800-1900:exist,"
        "2500-2600:color,2600-2750:position,2750-2850:relation,2850-2950:describe");
}

std::vector<FocusPhase> parse_focus_phases(const std::string& text) {
    std::vector<FocusPhase> out;
    if (text.empty() || text == "none") return out;
    for (const std::string& item : split(text, ',')) {
        const auto colon = item.find(':'), dash = item.find('-');
        if (colon == std::string::npos || dash == std::string::npos || dash > colon)
            fail("focus phase '", item, "' is not BEGIN-END:task[+task...]");
        FocusPhase ph;
        try {
            std::size_t used_begin = 0, used_end = 0;
            const std::string b = item.substr(0, dash), e = item.substr(dash + 1, colon - dash - 1);
            ph.begin = std::stoll(b, &used_begin);
            ph.end = std::stoll(e, &used_end);
            if (used_begin != b.size() || used_end != e.size()) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            fail("focus phase '", item, "' has no numeric BEGIN-END step range");
        }
        if (ph.begin < 0 || ph.end <= ph.begin) fail("focus phase '", item, "' has an empty step range");
        for (const std::string& name : split(item.substr(colon + 1), '+')) {
            const auto task = toy::parse_task(name);
            if (!task) fail("focus phase '", item, "': unknown task '", name, "'");
            ph.tasks.push_back(*task);
        }
        if (!out.empty() && ph.begin < out.back().end)
            fail("focus phases must be in step order and must not overlap ('", item, "')");
        out.push_back(std::move(ph));
    }
    return out;
}

std::string format_focus_phases(const std::vector<FocusPhase>& phases) {
    std::string out;
    for (const FocusPhase& ph : phases) {
        if (!out.empty()) out += ",";
        out += cat(ph.begin, "-", ph.end, ":");
        for (std::size_t i = 0; i < ph.tasks.size(); ++i) out += (i ? "+" : "") + toy::to_string(ph.tasks[i]);
    }
    return out.empty() ? "none" : out;
}

std::map<toy::TaskType, double> task_weights_at(const TrainOptions& o, std::int64_t step) {
    for (const FocusPhase& ph : o.focus_phases)
        if (step >= ph.begin && step < ph.end) {
            std::map<toy::TaskType, double> w;
            for (toy::TaskType t : ph.tasks) w[t] = 1.0;
            return w;
        }
    return o.task_weights.empty() ? default_task_weights() : o.task_weights;
}

bool has_shared_color(const toy::Scene& scene) {
    for (int i = 0; i < static_cast<int>(scene.objects.size()); ++i)
        if (!toy::color_is_unique(scene, i)) return true;
    return false;
}

bool has_shared_shape(const toy::Scene& scene) {
    for (int i = 0; i < static_cast<int>(scene.objects.size()); ++i)
        if (!toy::shape_is_unique(scene, i)) return true;
    return false;
}

bool has_only_decoyed_relations(const toy::Scene& scene) {
    bool any = false;
    for (int i = 0; i < static_cast<int>(scene.objects.size()); ++i)
        for (toy::Relation relation : toy::kAllRelations) {
            if (toy::related_objects(scene, i, relation).size() != 1) continue;
            if (toy::relation_decoys(scene, i, relation).empty()) return false;
            any = true;
        }
    return any;
}

std::vector<std::vector<toy::Sample>> training_dialogues(const TrainOptions& o, std::int64_t step) {
    std::vector<std::pair<toy::TaskType, double>> cumulative;
    const auto weights = task_weights_at(o, step);
    double total = 0, run = 0;
    for (const auto& [t, w] : weights) total += w;
    if (!(total > 0)) fail("the task weights at step ", step, " are all zero");
    for (const auto& [t, w] : weights) cumulative.emplace_back(t, run += w / total);
    std::vector<std::vector<toy::Sample>> dialogues;
    for (int i = 0; i < o.batch; ++i) {
        const std::uint64_t seed =
            o.data_seed + static_cast<std::uint64_t>(step) * o.batch + static_cast<std::uint64_t>(i);
        std::vector<toy::Sample> d = make_dialogue(seed, o.dialogue_turns, cumulative);
        // One draw decides whether this dialogue is replaced by a confusable one: u < shared_color_fraction
        // asks for two objects of one colour, the next shared_shape_fraction of [0, 1) for two of one shape,
        // the next relation_decoy_fraction for relation questions that all have decoys.
        const double u = unit_interval(seed ^ 0x5a4ec0104ull);
        bool (*confusable)(const toy::Scene&) = nullptr;
        if (u < o.shared_color_fraction)
            confusable = has_shared_color;
        else if (u < o.shared_color_fraction + o.shared_shape_fraction)
            confusable = has_shared_shape;
        else if (u < o.shared_color_fraction + o.shared_shape_fraction + o.relation_decoy_fraction)
            confusable = has_only_decoyed_relations;
        if (confusable) {
            // Search seeds derived from this one, kept inside the training range, for such a scene (about a
            // quarter of all scenes have two of one colour or shape, and about a quarter of those with a
            // relation question have only decoyed ones), so 64 tries practically always find one.
            for (std::uint64_t k = 0; k < 64 && !confusable(d.front().scene); ++k) {
                const std::uint64_t derived = mix(seed * 0x2545f4914f6cdd1dull + k) % toy::kTrainingSeedEnd;
                d = make_dialogue(derived, o.dialogue_turns, cumulative);
            }
        }
        dialogues.push_back(std::move(d));
    }
    return dialogues;
}

double learning_rate(const TrainOptions& o, std::int64_t step) {
    if (step < o.warmup) return o.lr * static_cast<double>(step + 1) / o.warmup;
    const double progress =
        static_cast<double>(step - o.warmup) / std::max<std::int64_t>(1, o.steps - o.warmup);
    return o.min_lr + 0.5 * (o.lr - o.min_lr) * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
}

TrainReport train_toy(const TrainOptions& o) {
    auto log = [&](const std::string& line) {
        if (o.log) o.log(line);
    };
    configure_threads(o.threads);
    const KeepFreedMemory keep_freed;  // no kernel page zeroing between steps (freed_memory.h)
    if (keep_freed.active()) log("allocator: tcmalloc keeps freed memory while training (release rate 0)");
    make_dirs(o.out_dir);
    if (!o.init_from.empty() && !file_exists(path_join(o.out_dir, "tokenizer.model"))) {
        // A continued model keeps the tokenizer its weights were trained with.
        const std::string from = path_join(o.init_from, "tokenizer.model");
        if (!file_exists(from)) fail("--init-from: ", from, " does not exist");
        write_file(path_join(o.out_dir, "tokenizer.model"), read_text_file(from));
    }
    if (!file_exists(path_join(o.out_dir, "tokenizer.model"))) {
        log("training the SentencePiece tokenizer with " + o.spm_train);
        train_toy_tokenizer(o.out_dir, o.spm_train, o.tokenizer_vocab);
    }
    const ToyTokenIds ids = toy_token_ids(o.out_dir);
    write_toy_side_files(o.out_dir, ids, o.size.max_positions);
    const auto tokenizer = load_tokenizer(o.out_dir);
    const ModelConfig config = toy_model_config(o.size, ids);
    const BatchBuilder builder(*tokenizer, config, toy_image_processor(), ids);

    Model master(config, ComputeDType::F32);
    master.init_random(o.init_seed, 0.02);
    if (o.sincos_positions) init_sincos_positions(master);
    const std::string ckpt = path_join(o.out_dir, "checkpoint");
    std::int64_t start = 0;
    nlohmann::json history = nlohmann::json::array();
    if (file_exists(path_join(ckpt, "trainer_state.json"))) {
        master.load(WeightStore::load_dir(ckpt, ComputeDType::F32));
        const auto state = nlohmann::json::parse(read_text_file(path_join(ckpt, "trainer_state.json")));
        start = state.at("step").get<std::int64_t>();
        history = state.value("history", nlohmann::json::array());
        log(cat("resuming from step ", start));
    } else if (!o.init_from.empty()) {
        master.load(WeightStore::load_dir(o.init_from, ComputeDType::F32));
        log(cat("starting from the weights of ", o.init_from, " (fresh optimiser and schedule)"));
    }
    master.set_requires_grad(true);
    TrainReport report;
    if (start == 0 && o.init_from.empty() && o.vision_pretrain_steps > 0) {
        VisionPretrainOptions vo;
        vo.steps = o.vision_pretrain_steps;
        vo.batch = o.vision_pretrain_batch;
        vo.lr = o.vision_pretrain_lr;
        vo.weight_decay = o.weight_decay;
        vo.log = o.log;
        const VisionPretrainReport vr = pretrain_vision_tower(master, vo);
        report.vision_shape_accuracy = vr.shape_accuracy;
        report.vision_color_accuracy = vr.color_accuracy;
        report.vision_pretrain_seconds = vr.seconds;
        log(cat("vision tower pretrained in ", static_cast<int>(vr.seconds), " s: patch shape accuracy ",
                vr.shape_accuracy, ", colour accuracy ", vr.color_accuracy));
    }
    NamedTensors params = master.named_parameters();
    AdamWOptions ao;
    ao.weight_decay = o.weight_decay;
    AdamW opt(params, ao);
    if (start > 0) {
        const WeightStore st =
            WeightStore::load_files({path_join(ckpt, "optimizer.safetensors")}, ComputeDType::F32);
        opt.load_state(st.tensors());
    }
    std::unique_ptr<Model> bf16_model;
    if (o.bf16) bf16_model = std::make_unique<Model>(config, ComputeDType::BF16);

    auto save_checkpoint = [&](std::int64_t step) {
        const std::string tmp = ckpt + ".partial";
        remove_tree(tmp);
        make_dirs(tmp);
        CheckpointWriteOptions w;
        save_model(master, tmp, w);
        write_safetensors(path_join(tmp, "optimizer.safetensors"), opt.state());
        write_file(path_join(tmp, "trainer_state.json"),
                   nlohmann::json{{"step", step}, {"history", history}}.dump(1) + "\n");
        replace_path(tmp, ckpt);
    };
    auto save_final = [&] { save_model(master, o.out_dir); };

    report.first_step = start;
    report.parameters = master.parameter_count();
    log(cat(
        "model: ", report.parameters, " parameters; ", config.image_token_count(), " image tokens; vocab ",
        ids.vocab, "; batch ", o.batch, "; steps ", start, " -> ", o.steps,
        o.bf16 ? "; bf16 mixed" : "; fp32", "; focus phases ", format_focus_phases(o.focus_phases),
        o.shared_color_fraction > 0 ? cat("; shared-colour scenes ", o.shared_color_fraction) : std::string(),
        o.shared_shape_fraction > 0 ? cat("; shared-shape scenes ", o.shared_shape_fraction) : std::string(),
        o.relation_decoy_fraction > 0 ? cat("; decoyed-relation scenes ", o.relation_decoy_fraction)
                                      : std::string()));
    Stopwatch clock;
    double ema = -1;
    std::int64_t samples_done = 0;
    std::int64_t step = start;
    for (; step < o.steps; ++step) {
        if ((o.cancel && o.cancel->load()) || (o.stop_at_step > 0 && step >= o.stop_at_step) ||
            (o.time_limit_minutes > 0 && clock.elapsed_ms() > o.time_limit_minutes * 60000.0))
            break;
        for (const FocusPhase& ph : o.focus_phases)
            if (step == ph.begin) log("focus phase " + format_focus_phases({ph}));
        const TrainBatch b = builder.build_dialogues(training_dialogues(o, step));
        Model* compute = &master;
        if (bf16_model) {
            std::map<std::string, at::Tensor> by_name(params.begin(), params.end());
            bf16_model->visit_parameters(
                [&](const std::string& n, at::Tensor& t, const std::vector<std::int64_t>&) {
                    t = by_name.at(n).to(at::kBFloat16);
                });
            compute = bf16_model.get();
        }
        const ForwardOutput out =
            compute->forward(b.ids, b.pixel_values, nullptr, nullptr, nullptr, LogitsMode::None);
        // Per-token negative log-likelihood of `targets` predicted at the flat positions `at`.
        const at::Tensor hidden = out.hidden.reshape({-1, out.hidden.size(-1)});
        auto token_nll = [&](const at::Tensor& at, const at::Tensor& targets) {
            const at::Tensor logits = compute->decoder().head(hidden.index_select(0, at)).to(at::kFloat);
            return at::nll_loss(at::log_softmax(logits, -1), targets, {}, at::Reduction::None);
        };
        const at::Tensor token_loss = token_nll(b.predict_at, b.targets);
        at::Tensor loss = o.per_sample_loss ? (token_loss * b.weights).sum() : token_loss.mean();
        if (o.grounding_weight > 0 && b.ground_at.defined())
            loss = loss +
                   o.grounding_weight * (token_nll(b.ground_at, b.ground_targets) * b.ground_weights).sum();
        loss.backward();
        opt.clip_grad_norm(o.clip);
        opt.step(learning_rate(o, step));
        opt.zero_grad();
        const double l = loss.item<double>();
        if (!std::isfinite(l)) fail("training diverged at step ", step, " (loss ", l, ")");
        ema = ema < 0 ? l : 0.95 * ema + 0.05 * l;
        if (step == start) report.first_loss = l;
        samples_done += o.batch;
        const std::int64_t done = step + 1;
        if (done % o.log_every == 0 || done == o.steps) {
            const double sec = clock.elapsed_ms() / 1000.0;
            const double rate = samples_done / std::max(sec, 1e-9);
            const double eta = static_cast<double>(o.steps - done) * o.batch / std::max(rate, 1e-9);
            char line[200];
            std::snprintf(
                line, sizeof line, "step %6lld/%lld  loss %.4f  lr %.2e  %.1f samples/s  elapsed %s  ETA %s",
                static_cast<long long>(done), static_cast<long long>(o.steps), ema, learning_rate(o, step),
                rate, format_duration(sec).c_str(), format_duration(eta).c_str());
            log(line);
            report.loss_curve.emplace_back(done, ema);
        }
        if (o.checkpoint_every > 0 && done % o.checkpoint_every == 0) save_checkpoint(done);
        if (o.eval_every > 0 && done % o.eval_every == 0 && o.eval_n > 0) {
            save_final();
            const auto m = load_model(o.out_dir);
            ToyEvalOptions eo;
            eo.n = o.eval_n;
            eo.first_seed = toy::kHeldOutSeedBase +
                            500'000'000ull;  // validation seeds, disjoint from the reported test range
            const ToyEvalResult r = evaluate_toy(*m, eo);
            std::string tasks;
            for (const auto& [t, ct] : r.by_task) tasks += cat(" ", t, " ", ct.first, "/", ct.second);
            log(cat("eval @", done, ": overall ", r.overall(), " |", tasks, " | describe objects ",
                    r.description_object_words()));
            history.push_back({{"step", done}, {"loss", ema}, {"eval", r.to_json()}});
        }
    }
    report.last_step = step;
    report.last_loss = ema;
    report.seconds = clock.elapsed_ms() / 1000.0;
    report.samples_per_second = samples_done / std::max(report.seconds, 1e-9);
    report.finished = step >= o.steps;
    save_checkpoint(step);
    save_final();
    write_file(path_join(o.out_dir, "training_log.json"),
               nlohmann::json{{"history", history}}.dump(1) + "\n");
    return report;
}

}  // namespace sightline::train
