#include "core/model/idefics3_connector.h"

#include <ATen/ATen.h>

#include <cmath>

#include "core/util/error.h"

namespace sightline {

at::Tensor idefics3_position_ids(std::int64_t patches_h, std::int64_t patches_w, std::int64_t per_side) {
    if (patches_h <= 0 || patches_w <= 0 || per_side <= 0)
        fail("Idefics3 position ids: bad grid ", patches_h, "x", patches_w, " of ", per_side);
    // boundaries = arange(1 / per_side, 1.0, 1 / per_side) in float32 (the Python float step).
    const double step = 1.0 / static_cast<double>(per_side);
    const at::Tensor boundaries = at::arange(step, 1.0, step, at::TensorOptions().dtype(at::kFloat));
    // fractional coords = arange(0, 1 - 1e-6, 1 / n) where 1 / n is a float32 tensor (the reciprocal of the
    // patch count), used as a Scalar step.
    auto coords = [&](std::int64_t n) {
        const at::Scalar s = at::reciprocal(at::scalar_tensor(n, at::kLong)).item();
        return at::arange(0, 1 - 1e-6, s, at::TensorOptions().dtype(at::kFloat));
    };
    const at::Tensor h = at::bucketize(coords(patches_h), boundaries, /*out_int32=*/false, /*right=*/true);
    const at::Tensor w = at::bucketize(coords(patches_w), boundaries, /*out_int32=*/false, /*right=*/true);
    if (h.numel() != patches_h || w.numel() != patches_w)
        fail("Idefics3 position ids: ", h.numel(), "x", w.numel(), " coordinates for ", patches_h, "x",
             patches_w, " patches");
    return (h.unsqueeze(1) * per_side + w.unsqueeze(0)).flatten().to(at::kLong);
}

at::Tensor idefics3_pixel_shuffle(const at::Tensor& x, std::int64_t scale) {
    if (x.dim() != 3) fail("pixel shuffle: expected [views, patches, d], got ", x.sizes());
    const auto b = x.size(0), seq = x.size(1), d = x.size(2);
    const auto side = static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(seq))));
    if (scale <= 0 || side * side != seq || side % scale != 0)
        fail("pixel shuffle: ", seq, " patches are not a square grid whose side divides by ", scale);
    const auto out = side / scale;
    // [b, side, side, d] -> [b, side, out, d*s] -> [b, out, side, d*s] -> [b, out, out, d*s*s] -> [b, out,
    // out, d*s*s] with rows and columns swapped back.
    return x.reshape({b, side, out, d * scale})
        .permute({0, 2, 1, 3})
        .reshape({b, out, out, d * scale * scale})
        .permute({0, 2, 1, 3})
        .reshape({b, out * out, d * scale * scale});
}

}  // namespace sightline
