#pragma once
// SmolVLM / Idefics3 prompts: the image through the processor's splitting, and the processor's expansion of
// one <image> into the crops' block (SmolVLMProcessor's get_image_prompt_string): for every crop
// "<fake_token_around_image><row_r_col_c>" and image_seq_len <image>, "\n" after every row of crops, then
// "\n<fake_token_around_image><global-img>", image_seq_len <image>, "<fake_token_around_image>" (without
// crops only the global part, with no newline).
#include <cstdint>
#include <string>
#include <vector>

#include "core/generate/prompt.h"

namespace sightline {

// The image block as text, exactly as the processor writes it.
std::string smolvlm_image_prompt_string(int rows, int cols, int image_seq_len);

// Runs the model's SmolVLM image processor: pixels [rows * cols + 1, C, tile, tile] with the crop grid, the
// layout (one view per crop, then the global view), the original image as the view under the maps.
ModelImage prepare_smolvlm_image(const LoadedModel& model, const cv::Mat& rgb8);

// Prompt ids for an image split into `image`'s crops: ids that already hold the whole block's <image> tokens
// are kept as they are; one <image> is replaced by the block, tokenized by `tokenizer` (which must know the
// processor's special tokens; throws without one). Other counts throw.
std::vector<std::int64_t> expand_smolvlm_image_tokens(const ModelConfig& config, const Tokenizer* tokenizer,
                                                      const std::vector<std::int64_t>& ids,
                                                      const ImageInput& image);

}  // namespace sightline
