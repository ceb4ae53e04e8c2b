#pragma once
// ICD, Iterative Causal Discovery (Rohekar, Nisimov, Gurwicz, Novik; NeurIPS 2021), and its variant
// with a known causal order (causality-lab's "ordered ICD"), learning a partial ancestral graph from
// conditional-independence tests. Iteration r tests each remaining edge with conditioning sets of
// exactly r nodes taken from the possible-d-separation trees of its end nodes (search radius r,
// legal subsets only, every node a possible ancestor of an end node), nearest first, then re-orients.
#include "core/causal/ci_test.h"
#include "core/causal/pag.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sightline::causal {

struct IcdOptions {
    // Largest conditioning-set size r to try; -1 = no limit. The effective limit is also capped at
    // n - 2 (n nodes) and at what the Fisher z test supports (sample size - 4).
    int max_cond_size = -1;
    bool selection_bias = true;     // apply R5-R7 at the end
    bool tail_completeness = true;  // apply R8-R10 at the end
    // Guard against combinatorial blow-up: at most this many candidate conditioning sets are
    // generated per PDS tree and size (0 = no cap); IcdResult::cond_sets_truncated reports a cut.
    std::size_t max_cond_sets = 100000;
    // Polled between edges; raising it throws sightline::CancelledError.
    const std::atomic<bool>* cancel = nullptr;
};

struct IcdResult {
    Pag pag;
    SeparatingSets sepsets;  // for every removed edge, the set that separated its ends
    int last_cond_size = 0;  // r of the last iteration run
    int max_cond_size = 0;   // the effective limit used
    // True when ICD concluded by itself (no edge had a legal conditioning set of the next size, or
    // r reached n - 2); false when it stopped at max_cond_size.
    bool converged = false;
    bool cond_sets_truncated = false;
    std::int64_t tests_run = 0;  // CI statistics computed by this run (cache misses)
};

// ICD over all nodes of the test's correlation matrix.
IcdResult learn_icd(CITest& test, const IcdOptions& options = {});

// Ordered ICD: `order` lists every node once, from causes to effects: a node is never an ancestor of
// a node before it (in CLEANN: token order). Edges are only tested between a node and its
// predecessors, with conditioning sets drawn from its predecessors; every edge between an earlier
// node e and a later node l keeps an arrowhead at l, so l is never oriented as a cause of e.
IcdResult learn_ordered_icd(CITest& test, const std::vector<int>& order, const IcdOptions& options = {});

}  // namespace sightline::causal
