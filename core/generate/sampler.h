#pragma once
// Next-token choice: greedy (temperature 0) or sampling with temperature, top-k and top-p (nucleus),
// driven by a seeded generator so a (seed, settings) pair always gives the same tokens.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <random>

#include "core/generate/trace.h"

namespace sightline {

class Sampler {
  public:
    explicit Sampler(const GenerationSettings& s) : settings_(s), rng_(s.seed) {}
    // logits: [V] float32. Returns the chosen token id.
    std::int64_t pick(const at::Tensor& logits);

  private:
    GenerationSettings settings_;
    std::mt19937_64 rng_;
};

// The `k` most probable tokens of softmax(logits) with their probabilities, best first.
std::vector<std::pair<std::int64_t, double>> top_probabilities(const at::Tensor& logits, int k);

}  // namespace sightline
