#pragma once
// What the vision side of a model receives for one image: the pixel tensor in the family's own layout plus
// the numbers some families need to read it. Single-grid families (LLaVA-1.5, PaliGemma, Gemma 3) need only
// the pixels, so a tensor converts implicitly; the other families check that their numbers are present.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <utility>

namespace sightline {

struct ImageInput {
    // LLaVA-1.5 / PaliGemma / Gemma 3: [b, C, H, W]. LLaVA-NeXT / OneVision: [views, C, H, W] (base view
    // first, then the tiles row-major). Qwen2-VL: [patches, C * temporal * patch * patch] (see the Qwen
    // processor).
    at::Tensor pixels;
    // LLaVA-NeXT / OneVision: the original image size, from which the tile grid and the unpadding follow.
    std::int64_t image_height = 0, image_width = 0;
    // Qwen2-VL / Qwen2.5-VL: the patch grid before merging (temporal, height, width).
    std::int64_t grid_t = 0, grid_h = 0, grid_w = 0;
    // SmolVLM / Idefics3: pixels are [crop_rows * crop_cols + 1, C, H, W], the crops row-major, then the
    // global image (0 x 0 crops: the global image alone).
    std::int64_t crop_rows = 0, crop_cols = 0;

    ImageInput() = default;
    ImageInput(at::Tensor p)
        : pixels(std::move(p)) {}  // NOLINT(google-explicit-constructor): single-grid models
    bool defined() const { return pixels.defined(); }
    // The same numbers with other pixels (a copy that requires grad, a perturbed image).
    ImageInput with_pixels(at::Tensor p) const {
        ImageInput out = *this;
        out.pixels = std::move(p);
        return out;
    }
};

}  // namespace sightline
