#pragma once
// Seed ranges of the scene world. A sample is a pure function of its seed, so keeping training and
// evaluation seeds apart keeps evaluation scenes and questions unseen during training:
//   training seeds:   [kTrainingSeedBegin, kTrainingSeedEnd)  = [0, 1'000'000'000)
//   held-out seeds:   [kHeldOutSeedBase, ...)                 = [1'000'000'000, ...)
// Tools that evaluate (e.g. a "--first-seed" option) must start at or above kHeldOutSeedBase.
// Scenes regenerated for a forced task (see make_sample) get seeds with kDerivedSeedBit set, which
// lie outside both ranges.
#include <cstdint>

namespace sightline::toy {

constexpr uint64_t kTrainingSeedBegin = 0;
constexpr uint64_t kTrainingSeedEnd = 1'000'000'000;
constexpr uint64_t kHeldOutSeedBase = 1'000'000'000;
constexpr uint64_t kDerivedSeedBit = uint64_t(1) << 63;

constexpr bool is_training_seed(uint64_t seed) {
    return seed >= kTrainingSeedBegin && seed < kTrainingSeedEnd;
}
constexpr bool is_held_out_seed(uint64_t seed) {
    return seed >= kHeldOutSeedBase && seed < kDerivedSeedBit;
}

}  // namespace sightline::toy
