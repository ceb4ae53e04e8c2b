#include "core/causal/pds_tree.h"

#include "core/util/error.h"

#include <algorithm>
#include <deque>
#include <set>

namespace sightline::causal {

PdsTree PdsTree::build(const Pag& pag, int root, int max_depth, const std::vector<char>& allowed) {
    const int n = pag.num_nodes();
    if (root < 0 || root >= n) fail("PDS tree: root ", root, " outside 0..", n - 1);
    if (max_depth == 0 || max_depth < -1)
        fail("PDS tree: max depth must be >= 1 (or -1 for no limit), got ", max_depth);
    if (!allowed.empty() && allowed.size() != static_cast<std::size_t>(n))
        fail("PDS tree: the allowed mask has ", allowed.size(), " entries for ", n, " nodes");
    auto ok = [&](int v) { return allowed.empty() || allowed[static_cast<std::size_t>(v)] != 0; };
    const int limit = max_depth < 0 ? n : max_depth;

    PdsTree t;
    t.root_ = root;
    t.num_nodes_ = n;
    t.min_depth_.assign(static_cast<std::size_t>(n), -1);
    t.occurrences_.assign(static_cast<std::size_t>(n), {});
    t.entries_.push_back({root, 0, -1});

    // A working copy of the skeleton: an edge is walked at most once.
    std::vector<char> adj(static_cast<std::size_t>(n) * static_cast<std::size_t>(n), 0);
    auto at = [n](int a, int b) {
        return static_cast<std::size_t>(a) * static_cast<std::size_t>(n) + static_cast<std::size_t>(b);
    };
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b)
            if (ok(a) && ok(b) && pag.adjacent(a, b)) adj[at(a, b)] = 1;

    struct Step {
        int from, to, entry;  // the path ... from *-* to, with `to` at tree entry `entry`
    };
    std::deque<Step> queue;
    auto add_entry = [&t](int node, int depth, int parent) {
        t.entries_.push_back({node, depth, parent});
        const int idx = static_cast<int>(t.entries_.size()) - 1;
        t.occurrences_[static_cast<std::size_t>(node)].push_back(idx);
        int& md = t.min_depth_[static_cast<std::size_t>(node)];
        if (md < 0 || depth < md) md = depth;
        return idx;
    };
    if (ok(root)) {
        for (int v = 0; v < n; ++v) {
            if (!adj[at(root, v)]) continue;
            queue.push_back({root, v, add_entry(v, 1, 0)});
            adj[at(root, v)] = adj[at(v, root)] = 0;  // never walk back into the root
        }
    }
    while (!queue.empty()) {
        const Step s = queue.front();
        queue.pop_front();
        const int depth = t.entries_[static_cast<std::size_t>(s.entry)].depth;
        if (depth >= limit) continue;
        for (int w = 0; w < n; ++w) {
            if (!adj[at(s.to, w)] || !pag.is_possible_collider(s.from, s.to, w)) continue;
            adj[at(s.to, w)] = adj[at(w, s.to)] = 0;
            queue.push_back({s.to, w, add_entry(w, depth + 1, s.entry)});
        }
    }
    for (int v = 0; v < n; ++v)
        if (v != root && t.min_depth_[static_cast<std::size_t>(v)] > 0) t.nodes_.push_back(v);
    return t;
}

int PdsTree::min_depth(int node) const {
    if (node < 0 || node >= num_nodes_ || node == root_) return -1;
    return min_depth_[static_cast<std::size_t>(node)];
}

int PdsTree::depth() const {
    int d = 0;
    for (const auto& e : entries_) d = std::max(d, e.depth);
    return d;
}

namespace {

bool contains(const std::vector<int>& sorted, int v) {
    return std::binary_search(sorted.begin(), sorted.end(), v);
}

}  // namespace

bool PdsTree::is_legal(const std::vector<int>& subset) const {
    std::vector<int> s = subset;
    std::sort(s.begin(), s.end());
    for (int v : s) {
        if (v < 0 || v >= num_nodes_ || v == root_) return false;
        bool reachable = false;
        for (int idx : occurrences_[static_cast<std::size_t>(v)]) {
            bool all_in = true;
            for (int p = entries_[static_cast<std::size_t>(idx)].parent; p > 0;
                 p = entries_[static_cast<std::size_t>(p)].parent)
                if (!contains(s, entries_[static_cast<std::size_t>(p)].node)) {
                    all_in = false;
                    break;
                }
            if (all_in) {
                reachable = true;
                break;
            }
        }
        if (!reachable) return false;
    }
    return true;
}

int PdsTree::distance(const std::vector<int>& subset) const {
    int sum = 0;
    for (int v : subset) {
        const int d = min_depth(v);
        if (d < 0) fail("PDS tree: node ", v, " is not in the tree rooted at ", root_);
        sum += d;
    }
    return sum;
}

std::vector<std::vector<int>> PdsTree::grow(const std::vector<std::vector<int>>& level, std::size_t cap,
                                            bool* truncated) const {
    std::set<std::vector<int>> out;
    if (truncated) *truncated = false;
    for (const auto& base : level) {
        for (int v : nodes_) {
            if (contains(base, v)) continue;
            // v joins legally when one of its tree entries has all its ancestors (root excluded) in base.
            bool joins = false;
            for (int idx : occurrences_[static_cast<std::size_t>(v)]) {
                bool all_in = true;
                for (int p = entries_[static_cast<std::size_t>(idx)].parent; p > 0;
                     p = entries_[static_cast<std::size_t>(p)].parent)
                    if (!contains(base, entries_[static_cast<std::size_t>(p)].node)) {
                        all_in = false;
                        break;
                    }
                if (all_in) {
                    joins = true;
                    break;
                }
            }
            if (!joins) continue;
            std::vector<int> next = base;
            next.insert(std::upper_bound(next.begin(), next.end(), v), v);
            out.insert(std::move(next));
            if (cap != 0 && out.size() >= cap) {
                if (truncated) *truncated = true;
                return {out.begin(), out.end()};
            }
        }
    }
    return {out.begin(), out.end()};
}

std::vector<std::vector<int>> PdsTree::rank(std::vector<std::vector<int>> subsets) const {
    std::vector<std::pair<int, std::vector<int>>> keyed;
    keyed.reserve(subsets.size());
    for (auto& s : subsets) {
        std::sort(s.begin(), s.end());
        keyed.emplace_back(distance(s), std::move(s));
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::vector<int>> out;
    out.reserve(keyed.size());
    for (auto& k : keyed) out.push_back(std::move(k.second));
    return out;
}

std::vector<std::vector<int>> PdsTree::legal_subsets(int size, std::size_t cap, bool* truncated) const {
    if (size < 0) fail("PDS tree: negative subset size ", size);
    std::vector<std::vector<int>> level{{}};
    bool cut = false;
    for (int k = 1; k <= size && !level.empty(); ++k) {
        bool step_cut = false;
        level = grow(level, cap, &step_cut);
        cut = cut || step_cut;
    }
    if (truncated) *truncated = cut;
    return rank(std::move(level));
}

}  // namespace sightline::causal
