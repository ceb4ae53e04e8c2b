#pragma once
// A partial ancestral graph (PAG) over nodes 0..n-1: every edge carries a mark at each end, a tail
// (-), an arrowhead (>) or a circle (o, "not determined"). Edge x o-> y has a circle at x and an
// arrowhead at y. Also the separating sets a constraint-based search records for removed edges.
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sightline::causal {

enum class Mark : unsigned char { None = 0, Tail, Arrow, Circle };

// "tail", "arrow", "circle" ("none" for a missing edge).
const char* mark_name(Mark m);

class Pag {
  public:
    Pag() = default;
    explicit Pag(int n);
    // The complete graph with the given mark at both ends of every edge (ICD starts from all o-o).
    static Pag complete(int n, Mark mark);

    int num_nodes() const { return n_; }

    bool adjacent(int a, int b) const { return a != b && mark_at(a, b) != Mark::None; }
    // The mark at node `at` on the edge between `from` and `at` (None when not adjacent).
    Mark mark_at(int from, int at) const { return marks_[index(from, at)]; }
    // Nodes adjacent to a, ascending.
    std::vector<int> neighbours(int a) const;
    int num_edges() const;
    // All edges (a < b), ascending.
    std::vector<std::pair<int, int>> edges() const;

    // x *-> middle <-* y (arrowheads at middle on both edges).
    bool is_collider(int x, int middle, int y) const;
    // middle may be a collider on <x, middle, y> in some completion: the triple is a path with x != y,
    // and either x, y are adjacent (a triangle) or middle is a definite collider. Used to grow
    // possible-d-separating paths.
    bool is_possible_collider(int x, int middle, int y) const;
    // The edge u *-* v could be u -> v: adjacent, no arrowhead at u and no tail at v.
    bool is_possible_parent(int u, int v) const;
    // u -> v (tail at u, arrowhead at v).
    bool is_parent(int u, int v) const;
    // There is a possibly directed path from `ancestor` to `descendant` (of length >= 1) using only
    // nodes with allowed[i] != 0 (all nodes when `allowed` is empty). A node is not its own ancestor here.
    bool is_possible_ancestor(int ancestor, int descendant, const std::vector<char>& allowed = {}) const;

    // Edge "a o-> b" style text.
    std::string edge_text(int a, int b) const;

    // Modifiers.
    // Adds the edge a-b with mark_at_a at a and mark_at_b at b (fails when it exists or a == b).
    void add_edge(int a, int b, Mark mark_at_a, Mark mark_at_b);
    void remove_edge(int a, int b);
    // Sets the mark at `at` on an existing edge (fails when not adjacent).
    void set_mark(int from, int at, Mark m);
    // Replaces every mark of every existing edge by `m`.
    void reset_marks(Mark m);

    bool operator==(const Pag& other) const { return n_ == other.n_ && marks_ == other.marks_; }
    bool operator!=(const Pag& other) const { return !(*this == other); }

  private:
    std::size_t index(int from, int at) const {
        return static_cast<std::size_t>(from) * static_cast<std::size_t>(n_) + static_cast<std::size_t>(at);
    }
    void check_node(int a, const char* what) const;

    int n_ = 0;
    std::vector<Mark> marks_;  // marks_[from * n + at] = mark at `at` on edge from-at
};

// Separating sets of removed edges, keyed by the unordered pair. A pair that was never separated has
// no entry (has() is false); get() then returns an empty set.
class SeparatingSets {
  public:
    void set(int a, int b, std::vector<int> sepset);
    bool has(int a, int b) const;
    const std::vector<int>& get(int a, int b) const;
    bool contains(int a, int b, int node) const;
    const std::map<std::pair<int, int>, std::vector<int>>& all() const { return sets_; }

  private:
    static std::pair<int, int> key(int a, int b) {
        return a < b ? std::make_pair(a, b) : std::make_pair(b, a);
    }
    std::map<std::pair<int, int>, std::vector<int>> sets_;
};

}  // namespace sightline::causal
