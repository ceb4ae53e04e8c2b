#pragma once
// Stage 1 of the embedded model's recipe: pretraining the vision tower on the scene world with dense patch
// labels (the colour and shape of the object covering each patch, from the ground-truth masks), through a
// temporary linear head that is then discarded — the analogue of LLaVA starting from a pretrained CLIP tower.
// Without it, the language model and a from-scratch vision tower wait on each other (no shape gradient
// reaches the patches until attention finds them, and attention has no reason to find them) and shape
// learning stalls at chance.
#include <cstdint>
#include <functional>
#include <string>

#include "core/model/model.h"
#include "core/toy/scene.h"

namespace sightline::train {

struct VisionPretrainOptions {
    int steps = 1200;
    int batch = 64;
    double lr = 1e-3;
    double weight_decay = 0.05;
    std::uint64_t seed_base =
        900'000'000;  // scene seeds (inside the training range, disjoint from stage 2's)
    std::function<void(const std::string&)> log;
};

struct VisionPretrainReport {
    double first_loss = 0, last_loss = 0;
    double shape_accuracy = 0, color_accuracy = 0;  // on object patches of the last batches
    double seconds = 0;
};

// Per-patch labels of one scene: index r*grid+c -> shape (0..5, 6 = background) and colour (0..7, 8 =
// background).
struct PatchLabels {
    std::vector<std::int64_t> shape, color;
    std::vector<int> object;  // index into scene.objects, -1 for background
};
PatchLabels patch_labels(const toy::Scene& scene, int grid);

// Trains the vision tower of `model` (fp32 parameters that require grad) in place.
VisionPretrainReport pretrain_vision_tower(Model& model, const VisionPretrainOptions& options);

}  // namespace sightline::train
