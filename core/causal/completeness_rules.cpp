// Orientation rules R5-R10 of Zhang (2008) and the uncovered-path search they need.
#include "core/causal/orientation.h"

#include <vector>

namespace sightline::causal {

namespace {

bool put(Pag& pag, int from, int at, Mark m) {
    if (pag.mark_at(from, at) == m) return false;
    pag.set_mark(from, at, m);
    return true;
}

bool is_circle_edge(const Pag& g, int u, int v) {
    return g.mark_at(u, v) == Mark::Circle && g.mark_at(v, u) == Mark::Circle;
}

// R5: a o-o b and an uncovered circle path <a, c, ..., d, b> with a, d not adjacent and c, b not
// adjacent  =>  a - b and every edge of the path becomes undirected (tails).
int rule_5(Pag& g) {
    int changed = 0;
    const int n = g.num_nodes();
    const StepPredicate circle = [&g](int u, int v) { return is_circle_edge(g, u, v); };
    for (int a = 0; a < n; ++a) {
        for (int b = 0; b < n; ++b) {
            if (a == b || !is_circle_edge(g, a, b)) continue;
            for (int c = 0; c < n; ++c) {
                if (c == a || c == b || !is_circle_edge(g, a, c) || g.adjacent(c, b)) continue;
                const auto path =
                    find_uncovered_path(g, a, c, b, circle, [&g, a](int d) { return !g.adjacent(a, d); });
                if (!path) continue;
                changed += put(g, a, b, Mark::Tail);
                changed += put(g, b, a, Mark::Tail);
                for (std::size_t i = 0; i + 1 < path->size(); ++i) {
                    changed += put(g, (*path)[i], (*path)[i + 1], Mark::Tail);
                    changed += put(g, (*path)[i + 1], (*path)[i], Mark::Tail);
                }
                break;
            }
        }
    }
    return changed;
}

// R6: a - b o-* c  =>  b -* c.
int rule_6(Pag& g) {
    int changed = 0;
    const int n = g.num_nodes();
    for (int b = 0; b < n; ++b) {
        bool undirected_into_b = false;
        for (int a = 0; a < n && !undirected_into_b; ++a)
            undirected_into_b = a != b && g.mark_at(a, b) == Mark::Tail && g.mark_at(b, a) == Mark::Tail;
        if (!undirected_into_b) continue;
        for (int c = 0; c < n; ++c)
            if (c != b && g.mark_at(c, b) == Mark::Circle) changed += put(g, c, b, Mark::Tail);
    }
    return changed;
}

// R7: a -o b o-* c, a and c not adjacent  =>  b -* c.
int rule_7(Pag& g) {
    int changed = 0;
    const int n = g.num_nodes();
    for (int b = 0; b < n; ++b) {
        for (int c = 0; c < n; ++c) {
            if (c == b || g.mark_at(c, b) != Mark::Circle) continue;
            for (int a = 0; a < n; ++a) {
                if (a == b || a == c || g.adjacent(a, c)) continue;
                if (g.mark_at(b, a) == Mark::Tail && g.mark_at(a, b) == Mark::Circle) {
                    changed += put(g, c, b, Mark::Tail);
                    break;
                }
            }
        }
    }
    return changed;
}

// R8: (a -> b -> c or a -o b -> c) and a o-> c  =>  a -> c.
int rule_8(Pag& g) {
    int changed = 0;
    const int n = g.num_nodes();
    for (int a = 0; a < n; ++a) {
        for (int c = 0; c < n; ++c) {
            if (a == c || g.mark_at(c, a) != Mark::Circle || g.mark_at(a, c) != Mark::Arrow) continue;
            for (int b = 0; b < n; ++b) {
                if (b == a || b == c || !g.adjacent(a, b) || !g.is_parent(b, c)) continue;
                const Mark at_b = g.mark_at(a, b);
                if (g.mark_at(b, a) == Mark::Tail && (at_b == Mark::Arrow || at_b == Mark::Circle)) {
                    changed += put(g, c, a, Mark::Tail);
                    break;
                }
            }
        }
    }
    return changed;
}

// R9: a o-> c and an uncovered possibly directed path <a, b, ..., c> with b and c not adjacent  =>  a -> c.
int rule_9(Pag& g) {
    int changed = 0;
    const int n = g.num_nodes();
    const StepPredicate pd = [&g](int u, int v) { return g.is_possible_parent(u, v); };
    for (int a = 0; a < n; ++a) {
        for (int c = 0; c < n; ++c) {
            if (a == c || g.mark_at(c, a) != Mark::Circle || g.mark_at(a, c) != Mark::Arrow) continue;
            for (int b = 0; b < n; ++b) {
                if (b == a || b == c || g.adjacent(b, c) || !g.is_possible_parent(a, b)) continue;
                if (find_uncovered_path(g, a, b, c, pd)) {
                    changed += put(g, c, a, Mark::Tail);
                    break;
                }
            }
        }
    }
    return changed;
}

// R10: a o-> c, b -> c <- d, uncovered possibly directed paths p1 from a to b and p2 from a to d whose
// second nodes mu, omega are distinct and not adjacent (mu may be b, omega may be d)  =>  a -> c.
int rule_10(Pag& g) {
    int changed = 0;
    const int n = g.num_nodes();
    for (int c = 0; c < n; ++c) {
        const StepPredicate pd = [&g, c](int u, int v) { return v != c && g.is_possible_parent(u, v); };
        std::vector<int> parents;
        for (int v = 0; v < n; ++v)
            if (g.is_parent(v, c)) parents.push_back(v);
        if (parents.size() < 2) continue;
        for (int a = 0; a < n; ++a) {
            if (a == c || g.mark_at(c, a) != Mark::Circle || g.mark_at(a, c) != Mark::Arrow) continue;
            std::vector<int> children;  // possible children of a other than c
            for (int v = 0; v < n; ++v)
                if (v != c && g.is_possible_parent(a, v)) children.push_back(v);
            if (children.size() < 2) continue;
            auto reaches = [&](int mu, int end) {
                if (mu == end) return true;
                return find_uncovered_path(g, a, mu, end, pd).has_value();
            };
            bool fire = false;
            for (std::size_t i = 0; i < parents.size() && !fire; ++i) {
                for (std::size_t j = 0; j < parents.size() && !fire; ++j) {
                    if (i == j || parents[i] == a || parents[j] == a) continue;
                    for (int mu : children) {
                        if (fire) break;
                        if (!reaches(mu, parents[i])) continue;
                        for (int omega : children) {
                            if (omega == mu || g.adjacent(mu, omega)) continue;
                            if (reaches(omega, parents[j])) {
                                fire = true;
                                break;
                            }
                        }
                    }
                }
            }
            if (fire) changed += put(g, c, a, Mark::Tail);
        }
    }
    return changed;
}

}  // namespace

int apply_completeness_rule(Pag& pag, int rule) {
    switch (rule) {
        case 5:
            return rule_5(pag);
        case 6:
            return rule_6(pag);
        case 7:
            return rule_7(pag);
        case 8:
            return rule_8(pag);
        case 9:
            return rule_9(pag);
        case 10:
            return rule_10(pag);
        default:
            return 0;
    }
}

std::optional<std::vector<int>> find_uncovered_path(const Pag& pag, int start, int first, int target,
                                                    const StepPredicate& step,
                                                    const std::function<bool(int)>& last_ok, long budget) {
    if (!pag.adjacent(start, first)) return std::nullopt;
    if (first == target) return std::vector<int>{start, target};
    const int n = pag.num_nodes();
    std::vector<int> path{start, first};
    std::vector<char> on_path(static_cast<std::size_t>(n), 0);
    on_path[static_cast<std::size_t>(start)] = on_path[static_cast<std::size_t>(first)] = 1;
    // next_candidate[k]: the next neighbour index to try from path[k] (k >= 1).
    std::vector<int> next_candidate{0, 0};
    while (path.size() >= 2) {
        if (--budget < 0) return std::nullopt;
        const std::size_t k = path.size() - 1;
        const int u = path[k], prev = path[k - 1];
        bool advanced = false;
        for (int v = next_candidate[k]; v < n; ++v) {
            next_candidate[k] = v + 1;
            if (on_path[static_cast<std::size_t>(v)] || !pag.adjacent(u, v) || pag.adjacent(prev, v) ||
                !step(u, v))
                continue;
            if (v == target) {
                if (last_ok && !last_ok(u)) continue;
                path.push_back(v);
                return path;
            }
            path.push_back(v);
            next_candidate.push_back(0);
            on_path[static_cast<std::size_t>(v)] = 1;
            advanced = true;
            break;
        }
        if (!advanced) {
            on_path[static_cast<std::size_t>(u)] = 0;
            path.pop_back();
            next_candidate.pop_back();
        }
    }
    return std::nullopt;
}

}  // namespace sightline::causal
