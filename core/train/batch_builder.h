#pragma once
// Turns scene-world samples into a teacher-forced training batch: "USER: <image>\n{q} ASSISTANT: {a}</s>",
// <image> expanded, right-padded; loss only on the answer tokens and the end-of-sequence token.
#include <ATen/core/Tensor.h>

#include <vector>

#include "core/image/image_processor_config.h"
#include "core/model/config.h"
#include "core/text/tokenizer.h"
#include "core/toy/sample.h"
#include "core/train/toy_recipe.h"

namespace sightline::train {

struct TrainBatch {
    at::Tensor ids;           // [B, T] long, right-padded
    at::Tensor pixel_values;  // [B, 3, H, W]
    at::Tensor predict_at;    // [N] flat indices b*T + t of the positions whose logits predict a target
    at::Tensor targets;       // [N] the target ids
    at::Tensor weights;       // [N] loss weights: every sample counts equally (1 / (its targets x batch))
    std::int64_t answer_tokens = 0;
};

class BatchBuilder {
  public:
    BatchBuilder(const Tokenizer& tokenizer, const ModelConfig& config, const ImageProcessorConfig& processor,
                 const ToyTokenIds& ids);
    TrainBatch build(const std::vector<toy::Sample>& samples) const;
    // Prompt ids (with <image> expanded) and answer ids (+ eos) of one sample.
    std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> encode(const toy::Sample& s) const;

  private:
    const Tokenizer& tok_;
    ModelConfig config_;
    ImageProcessorConfig processor_;
    ToyTokenIds ids_;
};

}  // namespace sightline::train
