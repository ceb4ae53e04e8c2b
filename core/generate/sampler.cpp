#include "core/generate/sampler.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace sightline {

std::int64_t Sampler::pick(const at::Tensor& logits) {
    if (settings_.temperature <= 0.0) return logits.argmax().item<std::int64_t>();
    at::Tensor probs = at::softmax(logits.to(at::kDouble) / settings_.temperature, -1);
    const auto v = probs.size(0);
    // Sort once (descending); top-k and top-p both cut the sorted list.
    auto [sorted, order] = probs.sort(/*dim=*/-1, /*descending=*/true);
    std::int64_t keep = v;
    if (settings_.top_k > 0) keep = std::min<std::int64_t>(keep, settings_.top_k);
    if (settings_.top_p < 1.0) {
        const at::Tensor cum = sorted.cumsum(0);
        // Smallest prefix whose mass reaches top_p (at least one token).
        const auto acc = cum.accessor<double, 1>();
        std::int64_t n = 1;
        while (n < keep && acc[n - 1] < settings_.top_p) ++n;
        keep = n;
    }
    const auto p = sorted.accessor<double, 1>();
    const auto idx = order.accessor<std::int64_t, 1>();
    double total = 0;
    for (std::int64_t i = 0; i < keep; ++i) total += p[i];
    const double u = std::generate_canonical<double, 53>(rng_) * total;
    double run = 0;
    for (std::int64_t i = 0; i < keep; ++i) {
        run += p[i];
        if (u < run) return idx[i];
    }
    return idx[keep - 1];
}

std::vector<std::pair<std::int64_t, double>> top_probabilities(const at::Tensor& logits, int k) {
    const at::Tensor probs = at::softmax(logits.to(at::kFloat), -1);
    const auto n = std::min<std::int64_t>(k, probs.size(0));
    auto [values, indices] = probs.topk(n);
    std::vector<std::pair<std::int64_t, double>> out;
    for (std::int64_t i = 0; i < n; ++i)
        out.emplace_back(indices[i].item<std::int64_t>(), static_cast<double>(values[i].item<float>()));
    return out;
}

}  // namespace sightline
