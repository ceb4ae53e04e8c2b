#pragma once
// The Idefics3 / SmolVLM pieces around the vision tower: the patch position ids its embeddings use, and the
// connector's pixel shuffle (space-to-depth), as transformers' SmolVLMVisionEmbeddings and SmolVLMConnector
// compute them.
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace sightline {

// Position ids of a crop with patches_h x patches_w real patches on a tower trained for per_side x per_side:
// the patches' fractional coordinates bucketised into the per_side buckets, with LibTorch's own arange and
// bucketize so the float32 rounding is torch's. For a full crop this is 0 .. per_side^2 - 1 (up to rounding
// in transformers' own arithmetic, which is reproduced). Returns int64 [patches_h * patches_w], row-major.
at::Tensor idefics3_position_ids(std::int64_t patches_h, std::int64_t patches_w, std::int64_t per_side);

// Pixel shuffle of [views, side * side, d] patch features (row-major square grid) by `scale`: every scale x
// scale block of patches becomes one token of d * scale^2 features, giving [views, (side/scale)^2, d*scale^2]
// with the tokens row-major over the (side/scale)^2 grid. Within a token the features are ordered (row
// offset, column offset, d): that is transformers' view/permute sequence. Throws when the grid is not square
// or the side is not a multiple of `scale`.
at::Tensor idefics3_pixel_shuffle(const at::Tensor& features, std::int64_t scale);

}  // namespace sightline
