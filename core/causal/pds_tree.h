#pragma once
// The possible-d-separation (PDS) tree of ICD and CLEANN (Rohekar et al. 2021, 2023): a breadth-first
// tree rooted at a node whose root-to-node paths are possible-d-separating paths in a PAG (every
// inner node a possible collider), up to a depth (the search radius). Its nodes form the
// possible-d-sep set; legal subsets (ICD-Sep condition 2b) are the candidate conditioning sets of ICD
// and the candidate explanations of CLEANN, ranked by the sum of their minimal tree depths.
#include "core/causal/pag.h"

#include <cstddef>
#include <vector>

namespace sightline::causal {

class PdsTree {
  public:
    // max_depth >= 1, or -1 for no limit. `allowed` (empty = all nodes) restricts the tree to a
    // sub-graph: edges to nodes outside it are ignored (ordered ICD uses the root's predecessors).
    static PdsTree build(const Pag& pag, int root, int max_depth, const std::vector<char>& allowed = {});

    int root() const { return root_; }
    // The possible-d-sep set: tree nodes other than the root, ascending.
    const std::vector<int>& nodes() const { return nodes_; }
    // Minimal depth of a node in the tree (1 = adjacent to the root); -1 when absent.
    int min_depth(int node) const;
    // Depth of the deepest tree node (0 for a lone root).
    int depth() const;
    // Number of tree entries (a node may appear on several branches).
    std::size_t size() const { return entries_.size(); }

    // ICD-Sep condition 2b: every node of the subset is reachable from the root along a tree path
    // whose nodes (root excluded) all lie in the subset.
    bool is_legal(const std::vector<int>& subset) const;
    // Sum of the minimal depths of the subset's nodes ("nearest first" key).
    int distance(const std::vector<int>& subset) const;

    // The legal subsets one node larger than the given legal subsets (each sorted ascending); from
    // {{}} this gives the legal singletons. Every legal set of size k contains a legal set of size k-1
    // (drop its node of largest minimal depth), so growing level by level finds them all. Stops after
    // `cap` subsets (0 = no cap) and sets *truncated. Result: sorted ascending, lexicographically.
    std::vector<std::vector<int>> grow(const std::vector<std::vector<int>>& level, std::size_t cap,
                                       bool* truncated = nullptr) const;
    // The subsets ordered nearest first: by distance(), ties lexicographically.
    std::vector<std::vector<int>> rank(std::vector<std::vector<int>> subsets) const;
    // All legal subsets of exactly `size` nodes, nearest first (size 0 gives {{}}).
    std::vector<std::vector<int>> legal_subsets(int size, std::size_t cap, bool* truncated = nullptr) const;

  private:
    struct Entry {
        int node;
        int depth;
        int parent;  // entry index, -1 for the root
    };
    int root_ = -1;
    int num_nodes_ = 0;
    std::vector<Entry> entries_;
    std::vector<int> nodes_;
    std::vector<int> min_depth_;                 // per graph node
    std::vector<std::vector<int>> occurrences_;  // per graph node: entry indices
};

}  // namespace sightline::causal
