#pragma once
// Hand-built graphs and checks for test_causal (kept apart so each file stays one concept).
#include "core/causal/pag.h"

#include <string>
#include <vector>

namespace causal_test {

// "o->", "-->", ... from a to b.
std::string edge_text(const sightline::causal::Pag& g, int a, int b);
// Every edge has an arrowhead at its later end (in `order`): no later node is a cause of an earlier one.
bool respects_order(const sightline::causal::Pag& g, const std::vector<int>& order);

// Target 0: 0 o-> 2 <-o 1 (a collider at 2), 0 o-o 3, 2 o-o 4, 3 o-o 5. Its PDS tree (radius 3) holds
// 2 and 3 at depth 1 and 1 at depth 2 (through the collider at 2); 4 and 5 are not reachable.
sightline::causal::Pag explanation_graph();
// Its candidates in search order: {2}, {3} (size 1, distance 1), {2, 3} (2), {1, 2} (3), {1, 2, 3}.
std::vector<std::vector<int>> expected_candidates();

void check_orientation_rules();
void check_pds_tree();

}  // namespace causal_test
