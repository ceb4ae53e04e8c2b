#include "core/causal/pag.h"

#include "core/util/error.h"

#include <algorithm>
#include <deque>

namespace sightline::causal {

const char* mark_name(Mark m) {
    switch (m) {
        case Mark::Tail:
            return "tail";
        case Mark::Arrow:
            return "arrow";
        case Mark::Circle:
            return "circle";
        case Mark::None:
            break;
    }
    return "none";
}

Pag::Pag(int n) : n_(n) {
    if (n < 0) fail("Pag: negative node count ", n);
    marks_.assign(static_cast<std::size_t>(n) * static_cast<std::size_t>(n), Mark::None);
}

Pag Pag::complete(int n, Mark mark) {
    if (mark == Mark::None) fail("Pag::complete: an edge mark is needed");
    Pag g(n);
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b)
            if (a != b) g.marks_[g.index(a, b)] = mark;
    return g;
}

void Pag::check_node(int a, const char* what) const {
    if (a < 0 || a >= n_) fail("Pag: ", what, " node ", a, " outside 0..", n_ - 1);
}

std::vector<int> Pag::neighbours(int a) const {
    check_node(a, "query");
    std::vector<int> out;
    for (int b = 0; b < n_; ++b)
        if (adjacent(a, b)) out.push_back(b);
    return out;
}

int Pag::num_edges() const {
    int count = 0;
    for (int a = 0; a < n_; ++a)
        for (int b = a + 1; b < n_; ++b)
            if (adjacent(a, b)) ++count;
    return count;
}

std::vector<std::pair<int, int>> Pag::edges() const {
    std::vector<std::pair<int, int>> out;
    for (int a = 0; a < n_; ++a)
        for (int b = a + 1; b < n_; ++b)
            if (adjacent(a, b)) out.emplace_back(a, b);
    return out;
}

bool Pag::is_collider(int x, int middle, int y) const {
    return mark_at(x, middle) == Mark::Arrow && mark_at(y, middle) == Mark::Arrow;
}

bool Pag::is_possible_collider(int x, int middle, int y) const {
    if (x == y || !adjacent(x, middle) || !adjacent(middle, y)) return false;
    return adjacent(x, y) || is_collider(x, middle, y);
}

bool Pag::is_possible_parent(int u, int v) const {
    if (!adjacent(u, v)) return false;
    return mark_at(v, u) != Mark::Arrow && mark_at(u, v) != Mark::Tail;
}

bool Pag::is_parent(int u, int v) const {
    return adjacent(u, v) && mark_at(v, u) == Mark::Tail && mark_at(u, v) == Mark::Arrow;
}

bool Pag::is_possible_ancestor(int ancestor, int descendant, const std::vector<char>& allowed) const {
    check_node(ancestor, "ancestor");
    check_node(descendant, "descendant");
    if (!allowed.empty() && allowed.size() != static_cast<std::size_t>(n_))
        fail("Pag::is_possible_ancestor: the allowed mask has ", allowed.size(), " entries for ", n_,
             " nodes");
    auto ok = [&](int v) { return allowed.empty() || allowed[static_cast<std::size_t>(v)] != 0; };
    if (!ok(ancestor) || !ok(descendant)) return false;
    std::vector<char> seen(static_cast<std::size_t>(n_), 0);
    std::deque<int> queue{ancestor};
    seen[static_cast<std::size_t>(ancestor)] = 1;
    while (!queue.empty()) {
        const int u = queue.front();
        queue.pop_front();
        for (int v = 0; v < n_; ++v) {
            if (!is_possible_parent(u, v) || !ok(v)) continue;
            if (v == descendant) return true;
            if (!seen[static_cast<std::size_t>(v)]) {
                seen[static_cast<std::size_t>(v)] = 1;
                queue.push_back(v);
            }
        }
    }
    return false;
}

std::string Pag::edge_text(int a, int b) const {
    if (!adjacent(a, b)) return std::to_string(a) + " . " + std::to_string(b);
    auto left = [](Mark m) { return m == Mark::Arrow ? "<" : m == Mark::Circle ? "o" : "-"; };
    auto right = [](Mark m) { return m == Mark::Arrow ? ">" : m == Mark::Circle ? "o" : "-"; };
    return std::to_string(a) + " " + left(mark_at(b, a)) + "-" + right(mark_at(a, b)) + " " +
           std::to_string(b);
}

void Pag::add_edge(int a, int b, Mark mark_at_a, Mark mark_at_b) {
    check_node(a, "edge");
    check_node(b, "edge");
    if (a == b) fail("Pag::add_edge: no self-loops (node ", a, ")");
    if (adjacent(a, b)) fail("Pag::add_edge: nodes ", a, " and ", b, " are already adjacent");
    if (mark_at_a == Mark::None || mark_at_b == Mark::None) fail("Pag::add_edge: both edge marks are needed");
    marks_[index(b, a)] = mark_at_a;
    marks_[index(a, b)] = mark_at_b;
}

void Pag::remove_edge(int a, int b) {
    check_node(a, "edge");
    check_node(b, "edge");
    marks_[index(a, b)] = Mark::None;
    marks_[index(b, a)] = Mark::None;
}

void Pag::set_mark(int from, int at, Mark m) {
    check_node(from, "edge");
    check_node(at, "edge");
    if (m == Mark::None) fail("Pag::set_mark: use remove_edge to delete an edge");
    if (!adjacent(from, at)) fail("Pag::set_mark: nodes ", from, " and ", at, " are not adjacent");
    marks_[index(from, at)] = m;
}

void Pag::reset_marks(Mark m) {
    if (m == Mark::None) fail("Pag::reset_marks: an edge mark is needed");
    for (auto& mark : marks_)
        if (mark != Mark::None) mark = m;
}

void SeparatingSets::set(int a, int b, std::vector<int> sepset) {
    std::sort(sepset.begin(), sepset.end());
    sets_[key(a, b)] = std::move(sepset);
}

bool SeparatingSets::has(int a, int b) const {
    return sets_.count(key(a, b)) != 0;
}

const std::vector<int>& SeparatingSets::get(int a, int b) const {
    static const std::vector<int> kEmpty;
    auto it = sets_.find(key(a, b));
    return it == sets_.end() ? kEmpty : it->second;
}

bool SeparatingSets::contains(int a, int b, int node) const {
    const auto& s = get(a, b);
    return std::binary_search(s.begin(), s.end(), node);
}

}  // namespace sightline::causal
