#pragma once
// What the scene-world evaluations share: the held-out questions of a seed range, how the model is asked
// them, and which answer token is explained first (the same token the window selects on its own).
#include <cstdint>
#include <memory>

#include "core/toy/sample.h"

namespace sightline {

class Explorer;
class JobControl;
struct Trace;

// Question i of the range starting at `first_seed`: seed first_seed + i, and describe, colour, shape and
// relation questions in turn.
toy::Sample eval_question(std::uint64_t first_seed, int i);

// The model's greedy answer to `s` (its scene image and question, at most 48 new tokens).
std::shared_ptr<const Trace> answer_eval_question(Explorer& explorer, const toy::Sample& s,
                                                  const JobControl* control);

// The answer token explained first: the first colour or shape word, else token 0; -1 for an empty answer.
std::int64_t default_target(const Trace& t);

}  // namespace sightline
