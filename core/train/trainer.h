#pragma once
// Trains the embedded scene-world LLaVA from scratch on CPU: AdamW, linear warmup + cosine decay,
// gradient clipping, weighted task sampling, loss on answer tokens only, periodic held-out accuracy,
// checkpoints with exact resume, deterministic seeds, optional bf16 mixed precision.
#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/toy/sample.h"
#include "core/toy/task.h"
#include "core/train/toy_recipe.h"

namespace sightline {
class Model;
}

namespace sightline::train {

// A stretch of steps [begin, end) whose dialogues ask only about `tasks` (every turn), so that the
// optimiser's whole step serves one skill. A skill that stalls inside the mix (finding an object by its
// shape) formed within ~150 colour-only steps at lr 3e-4 with a fresh optimiser (the embedded model's
// stage 3); inside stage 2, at its lower learning rate, the same phases helped much less. See the model card.
struct FocusPhase {
    std::int64_t begin = 0, end = 0;
    std::vector<toy::TaskType> tasks;
};
// Parses "900-1100:color,1100-1400:position+exist" (tasks joined by '+'); "none" or "" = no phases.
// Throws sightline::Error on malformed, empty or overlapping phases.
std::vector<FocusPhase> parse_focus_phases(const std::string& text);
std::string format_focus_phases(const std::vector<FocusPhase>& phases);
// The focus phases of the embedded model's stage 2 (see trainer.cpp and the model card).
std::vector<FocusPhase> default_focus_phases();

struct TrainOptions {
    std::string out_dir;
    ToyModelSize size;
    std::int64_t steps = 3400;  // the defaults are the committed checkpoint's recipe (its model card)
    int batch = 32;
    double lr = 6e-4;
    double min_lr = 2e-5;
    int warmup = 200;
    double clip = 1.0;
    double weight_decay = 0.05;
    std::uint64_t init_seed = 1;
    std::uint64_t data_seed = 0;  // sample seed of item i at step s: data_seed + s * batch + i
    int log_every = 25;
    int eval_every = 1000;
    int eval_n = 140;
    int checkpoint_every = 250;
    bool bf16 = false;                // bf16 compute with fp32 master weights
    bool per_sample_loss = true;      // every sample weighs the same (else every answer token does)
    bool sincos_positions = true;     // 2-D sine-cosine initial vision position embeddings (trainable)
    int vision_pretrain_steps = 800;  // stage 1: dense patch-label pretraining of the vision tower (0 = skip)
    int vision_pretrain_batch = 64;
    double vision_pretrain_lr = 1e-3;
    int dialogue_turns = 4;         // question/answer turns per training image (llava-1.5 multi-turn)
    double grounding_weight = 0.5;  // image-token grounding loss weight (0 = off), see BatchBuilder
    int threads = 0;
    double time_limit_minutes = 0;  // stop (with a checkpoint) after this long; 0 = no limit
    std::int64_t stop_at_step = 0;  // stop (with a checkpoint) at this step; 0 = run to `steps`
    std::string spm_train = "spm_train";
    // Start from this model folder's weights and tokenizer instead of random weights (no stage 1, fresh
    // AdamW state and learning-rate schedule): a further training stage. A checkpoint in out_dir wins.
    std::string init_from;
    int tokenizer_vocab = 512;
    std::map<toy::TaskType, double> task_weights;                   // empty = recipe defaults
    std::vector<FocusPhase> focus_phases = default_focus_phases();  // steps outside them use the mix
    // Fraction of dialogues (0..1) whose scene is one in which two objects share a colour: the scenes where
    // finding an object by its colour alone finds the wrong one (see training_dialogues).
    double shared_color_fraction = 0;
    // Fraction of dialogues whose scene has two objects of one shape, where finding an object by its shape
    // alone finds the wrong one. The two fractions share one draw, so together they must not exceed 1.
    double shared_shape_fraction = 0;
    // Fraction of dialogues whose scene asks only relation questions with a decoy: every (anchor, relation)
    // pair that has exactly one answer also has an object in that direction off the anchor's row or column
    // (toy::relation_decoys), so a relation answer must check the row or column. Drawn with the two
    // fractions above from one draw; the three together must not exceed 1.
    double relation_decoy_fraction = 0;
    std::function<void(const std::string&)> log;
    const std::atomic<bool>* cancel = nullptr;
};

struct TrainReport {
    std::int64_t first_step = 0, last_step = 0;
    double first_loss = 0, last_loss = 0;  // smoothed losses at the start and end of this run
    double seconds = 0;
    double samples_per_second = 0;
    std::int64_t parameters = 0;
    double vision_shape_accuracy = 0, vision_color_accuracy = 0, vision_pretrain_seconds = 0;  // stage 1
    std::vector<std::pair<std::int64_t, double>> loss_curve;
    bool finished = false;  // reached `steps` (otherwise stopped by the time limit or cancel)
};

std::map<toy::TaskType, double> default_task_weights();
double learning_rate(const TrainOptions& o, std::int64_t step);
// The task weights in force at `step` (a focus phase's tasks, equally weighted, or the mix).
std::map<toy::TaskType, double> task_weights_at(const TrainOptions& o, std::int64_t step);
// The dialogues of one training step (sample seeds data_seed + step * batch + i). With
// shared_color_fraction > 0, that fraction of them (chosen by a hash of the sample seed) is replaced by the
// first dialogue, over seeds derived from the sample seed inside the training range, whose scene has two
// objects of the same colour; likewise shared_shape_fraction with two objects of the same shape (one hash
// draw u per sample: u < shared_color_fraction asks for a colour, the next shared_shape_fraction for a shape,
// the next relation_decoy_fraction for a scene whose relation questions all have decoys).
std::vector<std::vector<toy::Sample>> training_dialogues(const TrainOptions& o, std::int64_t step);
// True when two objects of the scene share a colour.
bool has_shared_color(const toy::Scene& scene);
// True when two objects of the scene share a shape.
bool has_shared_shape(const toy::Scene& scene);
// True when the scene has relation questions and every one of them has a decoy (toy::relation_decoys).
bool has_only_decoyed_relations(const toy::Scene& scene);
void init_sincos_positions(Model& model);
TrainReport train_toy(const TrainOptions& options);

}  // namespace sightline::train
