#pragma once
// Samples of a linear-Gaussian structural model for the ICD tests: x_j = sum_i w_ij x_i + e_j with
// unit-variance Gaussian noise, nodes given in topological order. Deterministic across platforms:
// mt19937_64 bits and a hand-written Box-Muller transform (std::normal_distribution is not portable).
#include "core/causal/matrix.h"

#include <cmath>
#include <random>
#include <tuple>
#include <vector>

namespace causal_test {

struct WeightedEdge {
    int from, to;
    double weight;
};

inline sightline::causal::Matrix sample_linear_gaussian(int num_nodes, const std::vector<WeightedEdge>& edges,
                                                        int num_samples, std::uint64_t seed) {
    std::mt19937_64 bits(seed);
    auto uniform = [&bits]() {
        return (static_cast<double>(bits() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    };
    auto normal = [&uniform]() {
        const double u1 = uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    };
    sightline::causal::Matrix samples(num_samples, num_nodes);
    for (int s = 0; s < num_samples; ++s) {
        for (int v = 0; v < num_nodes; ++v) {
            double x = normal();
            for (const auto& e : edges)
                if (e.to == v) x += e.weight * samples(s, e.from);
            samples(s, v) = x;
        }
    }
    return samples;
}

}  // namespace causal_test
