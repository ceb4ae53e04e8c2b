#pragma once
// JSON form of a PAG for the GUI and for saved explanations:
//   {"num_nodes": n,
//    "nodes": [{"id": 0, "label": "...", "is_target": false, "highlighted": false}, ...],
//    "edges": [{"from": 0, "to": 3, "mark_from": "circle", "mark_to": "arrow", "type": "o->"}, ...]}
// mark_from is the mark at `from`, mark_to the mark at `to`; edges have from < to, ascending.
#include "core/causal/pag.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sightline::causal {

// labels: one per node, or empty for "0", "1", ...; target: the explained node or -1; highlighted:
// nodes to flag (e.g. the explanation set).
nlohmann::json pag_to_json(const Pag& pag, const std::vector<std::string>& labels = {}, int target = -1,
                           const std::vector<int>& highlighted = {});

// The edge type text between a and b as seen from a to b: "o->", "-->", "<->", "o-o", "---", ...
std::string edge_type(const Pag& pag, int a, int b);

}  // namespace sightline::causal
