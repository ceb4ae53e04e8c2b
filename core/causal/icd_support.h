#pragma once
// Internal helpers shared by the ICD variants (not part of the public API).
#include "core/causal/ci_test.h"
#include "core/causal/icd.h"
#include "core/causal/orientation.h"
#include "core/causal/pag.h"
#include "core/util/error.h"

#include <atomic>
#include <vector>

namespace sightline::causal::detail {

inline void check_cancel(const std::atomic<bool>* cancel) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) throw CancelledError();
}

// The effective largest conditioning-set size for n nodes.
int effective_max_cond_size(const CITest& test, const IcdOptions& options);

// Possible-ancestor relation of a PAG, computed on demand and recomputed after invalidate().
class PossibleAncestors {
  public:
    explicit PossibleAncestors(const Pag& pag) : pag_(pag) {}
    void invalidate() { valid_ = false; }
    // z is a possible ancestor of x (a possibly directed path z ... x of length >= 1).
    bool test(int z, int x);

  private:
    const Pag& pag_;
    bool valid_ = false;
    std::vector<char> reach_;  // reach_[z * n + x]
};

// The orientation ICD applies after an iteration: v-structures (R0) and R1-R4.
void orient_arrowheads(Pag& pag, const SeparatingSets& sepsets);
// The completing rules of the final iteration: R5-R7 and/or R8-R10 as the options say.
void orient_completion(Pag& pag, const SeparatingSets& sepsets, const IcdOptions& options);

}  // namespace sightline::causal::detail
