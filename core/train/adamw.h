#pragma once
// AdamW (decoupled weight decay, Loshchilov & Hutter) over named fp32 parameters, with its state
// exportable as named tensors so training can stop and resume exactly.
#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <vector>

#include "core/io/safetensors_writer.h"

namespace sightline::train {

struct AdamWOptions {
    double beta1 = 0.9, beta2 = 0.98, eps = 1e-8, weight_decay = 0.05;
};

class AdamW {
  public:
    // Matrices get weight decay; vectors (norms, biases, class embedding) do not.
    AdamW(NamedTensors params, AdamWOptions options);
    void step(double lr);
    void zero_grad();
    std::int64_t steps() const { return steps_; }
    NamedTensors state() const;  // "exp_avg.<name>", "exp_avg_sq.<name>", "step"
    void load_state(const std::map<std::string, at::Tensor>& state);
    // Global L2 norm of the gradients, clipped in place to `max_norm` (returns the norm before clipping).
    double clip_grad_norm(double max_norm);

  private:
    NamedTensors params_;
    std::vector<at::Tensor> m_, v_;
    AdamWOptions o_;
    std::int64_t steps_ = 0;
};

}  // namespace sightline::train
