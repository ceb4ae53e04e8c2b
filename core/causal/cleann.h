#pragma once
// CLEANN's explanation search (Rohekar et al., NeurIPS 2023; causality-lab's cleann_explainer.py):
// candidate explanation sets for a target node are the legal subsets of the possible-d-separation
// tree rooted at the target (search radius), tried in increasing size and, within a size, nearest
// first; a caller-provided tester decides whether masking a set changes the model's output. The first
// set that does is the minimal explanation.
//
// Extension (off by default, see ExplanationOptions::exhaustive_calls): when the exhaustive search has
// spent its call budget without a result, a nested search masks growing prefixes of the possible-d-sep
// set (ordered by tree depth, then by a caller-given priority such as attention), finds the shortest
// prefix that changes the output by bisection, and prunes it node by node (keeping every set legal) to a
// validated set that is minimal with respect to removing any one node ("1-minimal"), which is not
// necessarily the smallest such set.
#include "core/causal/pag.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sightline::causal {

// True when masking these nodes (graph node indices, never the target) changes the output.
using ExplanationTester = std::function<bool(const std::vector<int>& nodes)>;

struct ExplanationOptions {
    int search_radius = 3;  // depth of the PDS tree (>= 1)
    // Largest candidate size; 0 = up to the size of the possible-d-sep set (the reference's default).
    int max_set_size = 0;
    std::int64_t max_tester_calls = 0;  // 0 = no cap
    std::size_t max_recorded = 256;     // how many tried candidates the result lists
    // Guard against combinatorial blow-up: at most this many candidates are generated per size
    // (0 = no cap); ExplanationResult::candidates_truncated reports a cut.
    std::size_t max_candidates_per_size = 100000;
    // Tester calls for the exhaustive search before the nested search takes over (0 = exhaustive only,
    // the reference behaviour).
    std::int64_t exhaustive_calls = 0;
    // Per graph node; among nodes of equal tree depth, higher priority is masked earlier by the nested
    // search (empty = node order).
    std::vector<double> node_priority;
    double time_budget_ms = 0;  // stop before a tester call once this much time has passed (0 = none)
    // Polled before every tester call; raising it throws sightline::CancelledError.
    const std::atomic<bool>* cancel = nullptr;
};

enum class ExplanationStop {
    Validated,      // a candidate changed the output
    Exhausted,      // every candidate up to max_set_size was tried, none changed the output
    TesterCallCap,  // max_tester_calls reached first
    TimeBudget,     // time_budget_ms ran out first
};
const char* stop_name(ExplanationStop s);

struct ExplanationResult {
    int target = -1;
    // The validated explanation; when validated is false, the last candidate tried (empty when
    // there was none) so a caller can show what was tested, never as a confirmed explanation.
    std::vector<int> nodes;
    bool validated = false;
    // "smallest" when the exhaustive search found it (no smaller legal set changes the output),
    // "one_minimal" when the nested search did (no single node can be dropped), "none" when a budget
    // stopped the nested search's pruning; empty if not validated.
    std::string minimality;
    std::int64_t exhaustive_tried = 0;  // tester calls of the exhaustive phase
    ExplanationStop stop = ExplanationStop::Exhausted;
    std::int64_t candidates_tried = 0;    // tester calls made
    std::vector<std::vector<int>> tried;  // the first max_recorded candidates, in the order tried
    bool tried_truncated = false;         // more were tried than listed
    std::vector<int> possible_dsep;       // the candidate pool: the PDS set within the radius
    int pds_tree_depth = 0;
    int max_set_size = 0;  // the effective largest size
    bool candidates_truncated = false;
    std::string message;  // one line for people: what was found, or why not
};

ExplanationResult find_explanation(const Pag& pag, int target, const ExplanationTester& tester,
                                   const ExplanationOptions& options = {});

// The candidates in the order find_explanation tries them, at most `limit` of them (0 = all).
std::vector<std::vector<int>> explanation_candidates(const Pag& pag, int target,
                                                     const ExplanationOptions& options,
                                                     std::size_t limit = 0);

}  // namespace sightline::causal
