#pragma once
// Edge orientation of a PAG: unshielded colliders (R0) and the FCI orientation rules of Zhang (2008),
// "On the completeness of orientation rules for causal discovery in the presence of latent confounders
// and selection bias", as causality-lab's PAG applies them: R1-R4 (arrowheads and discriminating
// paths), R5-R7 (selection bias), R8-R10 (tail completeness).
#include "core/causal/pag.h"

#include <functional>
#include <optional>
#include <vector>

namespace sightline::causal {

// R0: for every unshielded triple x *-* z *-* y (x, y not adjacent) with z outside sepset(x, y),
// orient x *-> z <-* y. A pair without a recorded separating set counts as separated by the empty set.
// Returns the number of marks changed.
int orient_v_structures(Pag& pag, const SeparatingSets& sepsets);

// One rule (1..10) applied once over the whole graph; returns the number of marks changed.
// R4 needs the separating sets; the others ignore them.
int apply_orientation_rule(Pag& pag, const SeparatingSets& sepsets, int rule);

// Applies the given rules repeatedly until none changes a mark; returns the number of marks changed.
int orient_maximally(Pag& pag, const SeparatingSets& sepsets, const std::vector<int>& rules);

// Rule groups as ICD uses them.
inline const std::vector<int> kArrowheadRules{1, 2, 3, 4};
inline const std::vector<int> kSelectionBiasRules{5, 6, 7};
inline const std::vector<int> kTailRules{8, 9, 10};

// The source D of a discriminating path <D, ..., a, b, c> for b (every node strictly between D and b
// is a collider on the path and a parent of c; D and c are not adjacent), given a <-* b and a -> c.
// -1 when there is none.
int find_discriminating_source(const Pag& pag, int a, int b, int c);

// A simple path <start, first, ..., target> in which every consecutive triple is unshielded (its end
// nodes are not adjacent), every edge after the first, (u, v) in path order, satisfies step(u, v),
// and, when given, last_ok(node before target) holds. first == target gives the one-edge path.
// The depth-first search gives up after `budget` node expansions (returns nullopt; rules that use it
// then simply do not fire, which keeps them sound).
using StepPredicate = std::function<bool(int u, int v)>;
std::optional<std::vector<int>> find_uncovered_path(const Pag& pag, int start, int first, int target,
                                                    const StepPredicate& step,
                                                    const std::function<bool(int)>& last_ok = {},
                                                    long budget = 200000);

}  // namespace sightline::causal
