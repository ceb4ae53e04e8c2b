#include "core/model/mrope.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/util/error.h"

namespace sightline {

MropePositions mrope_positions(const std::vector<std::int64_t>& ids, std::int64_t image_token_id,
                               std::int64_t grid_t, std::int64_t grid_h, std::int64_t grid_w,
                               std::int64_t merge, std::int64_t temporal_step) {
    const auto n = static_cast<std::int64_t>(ids.size());
    std::vector<std::int64_t> t(static_cast<std::size_t>(n)), h(t.size()), w(t.size());
    std::int64_t next = 0;  // the coordinate the next text token takes
    std::int64_t i = 0;
    bool placed = grid_t <= 0;
    while (i < n) {
        if (!placed && ids[static_cast<std::size_t>(i)] == image_token_id) {
            if (merge <= 0 || grid_h % merge != 0 || grid_w % merge != 0)
                fail("M-RoPE: the ", grid_h, "x", grid_w, " patch grid does not merge by ", merge);
            const std::int64_t gh = grid_h / merge, gw = grid_w / merge;
            const std::int64_t count = grid_t * gh * gw;
            if (i + count > n)
                fail("M-RoPE: the image needs ", count, " tokens from position ", i, " but the sequence has ",
                     n);
            std::int64_t top = next;
            for (std::int64_t k = 0; k < count; ++k) {
                const auto idx = static_cast<std::size_t>(i + k);
                t[idx] = next + (k / (gh * gw)) * temporal_step;
                h[idx] = next + (k / gw) % gh;
                w[idx] = next + k % gw;
                top = std::max({top, t[idx], h[idx], w[idx]});
            }
            next = top + 1;
            i += count;
            placed = true;
            continue;
        }
        const auto idx = static_cast<std::size_t>(i);
        t[idx] = h[idx] = w[idx] = next++;
        ++i;
    }
    MropePositions out;
    out.positions = at::stack({at::tensor(t, at::kLong), at::tensor(h, at::kLong), at::tensor(w, at::kLong)});
    out.delta = next - n;
    return out;
}

at::Tensor mrope_text_positions(std::int64_t offset, std::int64_t length, std::int64_t delta) {
    return (at::arange(offset, offset + length, at::kLong) + delta)
        .unsqueeze(0)
        .expand({3, length})
        .contiguous();
}

RotaryTables mrope_tables(std::int64_t head_dim, double theta, const at::Tensor& positions,
                          const std::vector<std::int64_t>& section, c10::ScalarType dtype) {
    if (positions.dim() != 2 || positions.size(0) != 3) fail("M-RoPE positions must be [3, T]");
    const at::Tensor exponent =
        at::arange(0, head_dim, 2, at::TensorOptions().dtype(at::kLong)).to(at::kFloat) /
        static_cast<double>(head_dim);
    const at::Tensor inv_freq = 1.0 / at::pow(theta, exponent);                  // [hd/2]
    const at::Tensor freqs = positions.to(at::kFloat).unsqueeze(-1) * inv_freq;  // [3, T, hd/2]
    const at::Tensor emb = at::cat({freqs, freqs}, -1);                          // [3, T, hd]
    std::vector<at::Tensor> parts;
    std::int64_t start = 0;
    for (int half = 0; half < 2; ++half)
        for (std::size_t s = 0; s < section.size(); ++s) {
            parts.push_back(emb[static_cast<std::int64_t>(s)].narrow(-1, start, section[s]));
            start += section[s];
        }
    if (start != head_dim) fail("M-RoPE sections cover ", start, " of ", head_dim, " dimensions");
    const at::Tensor picked = at::cat(parts, -1);  // [T, hd]
    return {picked.cos().to(dtype), picked.sin().to(dtype)};
}

}  // namespace sightline
