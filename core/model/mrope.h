#pragma once
// Multimodal rotary positions (M-RoPE) of Qwen2-VL and Qwen2.5-VL. Every position has three coordinates
// (temporal, height, width): text tokens use their index on all three; the tokens of an image are laid out
// on its merged patch grid starting at the index after the preceding text, and the text after the image
// continues from one past the largest coordinate used so far (transformers' get_rope_index). The rotary
// half-dimensions are split into mrope_section (t, h, w) parts, each rotated by its own coordinate.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "core/model/layers.h"

namespace sightline {

struct MropePositions {
    at::Tensor positions;    // long [3, T]
    std::int64_t delta = 0;  // max coordinate + 1 - T: a later token at index i takes i + delta on every axis
};

// Positions of one sequence `ids` whose first run of `image_token_id` tokens holds one image of
// grid_t x (grid_h / merge) x (grid_w / merge) merged tokens (grid_t 0: no image; later image-token ids are
// text). `temporal_step`: how far the temporal coordinate moves per frame (Qwen2-VL 1; Qwen2.5-VL images 0).
// Throws when the image's tokens do not fit in the sequence.
MropePositions mrope_positions(const std::vector<std::int64_t>& ids, std::int64_t image_token_id,
                               std::int64_t grid_t, std::int64_t grid_h, std::int64_t grid_w,
                               std::int64_t merge, std::int64_t temporal_step = 1);

// Positions offset .. offset + length - 1 shifted by `delta`, on all three axes ([3, length]).
at::Tensor mrope_text_positions(std::int64_t offset, std::int64_t length, std::int64_t delta);

// cos/sin tables [T, head_dim] for `positions` [3, T]: dimension pair j rotates by the coordinate of the
// section it falls in (sections repeat over both halves, as in transformers'
// apply_multimodal_rotary_pos_emb).
RotaryTables mrope_tables(std::int64_t head_dim, double theta, const at::Tensor& positions,
                          const std::vector<std::int64_t>& section, c10::ScalarType dtype);

}  // namespace sightline
