#pragma once
// The scene world's own random number generator. Everything in core/toy is derived from a seed with
// this SplitMix64 generator and integer arithmetic only, so scenes and samples are bit-identical across
// compilers and standard libraries (std::uniform_*_distribution is not).
#include <cstdint>

namespace sightline::toy {

// One SplitMix64 step as a pure function: a good 64-bit mixer for deriving sub-seeds.
constexpr uint64_t mix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// Derives an independent stream seed from a seed and a purpose tag.
constexpr uint64_t derive_seed(uint64_t seed, uint64_t tag) {
    return mix64(seed ^ mix64(tag));
}

class Rng {
  public:
    explicit Rng(uint64_t seed) : state_(seed) {}

    uint64_t next() {
        state_ += 0x9E3779B97F4A7C15ULL;
        uint64_t z = state_;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    // Uniform integer in [0, n) for n >= 1 (Lemire's multiply-shift with rejection, unbiased).
    uint32_t below(uint32_t n) {
        uint64_t m = uint64_t(uint32_t(next() >> 32)) * n;
        auto low = uint32_t(m);
        if (low < n) {
            const uint32_t threshold = uint32_t(-n) % n;
            while (low < threshold) {
                m = uint64_t(uint32_t(next() >> 32)) * n;
                low = uint32_t(m);
            }
        }
        return uint32_t(m >> 32);
    }

    // Uniform integer in [lo, hi] (inclusive), lo <= hi.
    int between(int lo, int hi) { return lo + int(below(uint32_t(hi - lo + 1))); }

    bool coin() { return (next() >> 63) != 0; }

  private:
    uint64_t state_;
};

}  // namespace sightline::toy
