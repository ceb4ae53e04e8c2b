#pragma once
// Turns scene-world dialogues into a teacher-forced training batch. One dialogue is one scene with one or
// more question/answer turns in the llava-1.5 conversation format
//   "USER: <image>\n{q1} ASSISTANT: {a1}</s>USER: {q2} ASSISTANT: {a2}</s>..."
// with <image> expanded and the rows right-padded (turns that would overflow the context are dropped); the
// loss is on the answer tokens and each turn's end-of-sequence token only. The batch also carries the
// image-token grounding targets: the colour word, the shape word and the position words of the object
// under each patch (the end-of-sequence token for background patches).
#include <ATen/core/Tensor.h>

#include <map>
#include <string>
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
    at::Tensor weights;       // [N] loss weights: every turn counts equally (1 / (its targets x turns))
    std::int64_t answer_tokens = 0;
    std::int64_t turns = 0;
    // Image-token grounding: flat indices b*T + t of image-token positions, the token each should decode
    // to, and weights summing to 1 (an object patch has one entry per word: colour, shape, position words).
    at::Tensor ground_at, ground_targets, ground_weights;
};

class BatchBuilder {
  public:
    BatchBuilder(const Tokenizer& tokenizer, const ModelConfig& config, const ImageProcessorConfig& processor,
                 const ToyTokenIds& ids);
    // One single-turn dialogue per sample.
    TrainBatch build(const std::vector<toy::Sample>& samples) const;
    // Every dialogue's turns share its first turn's scene.
    TrainBatch build_dialogues(const std::vector<std::vector<toy::Sample>>& dialogues) const;
    // Prompt ids (with <image> expanded when `first_turn`) and answer ids (+ eos) of one turn.
    std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> encode(const toy::Sample& s,
                                                                           bool first_turn = true) const;
    // The token a word starts with when it follows a space (as in every answer).
    std::int64_t word_token(const std::string& word) const;

  private:
    const Tokenizer& tok_;
    ModelConfig config_;
    ImageProcessorConfig processor_;
    ToyTokenIds ids_;
    std::map<std::string, std::int64_t> word_tokens_;  // colour, shape and position words
    std::int64_t grounding_token(const std::string& word) const;
};

}  // namespace sightline::train
