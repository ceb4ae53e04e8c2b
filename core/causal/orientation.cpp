#include "core/causal/orientation.h"

#include "core/util/error.h"

#include <deque>

namespace sightline::causal {

namespace {

// Sets a mark and reports whether it changed.
bool put(Pag& pag, int from, int at, Mark m) {
    if (pag.mark_at(from, at) == m) return false;
    pag.set_mark(from, at, m);
    return true;
}

// R1: a *-> b o-* c, a and c not adjacent  =>  b -> c.
int rule_1(Pag& g) {
    int changed = 0;
    const int n = g.num_nodes();
    for (int b = 0; b < n; ++b) {
        for (int c = 0; c < n; ++c) {
            if (g.mark_at(c, b) != Mark::Circle) continue;
            for (int a = 0; a < n; ++a) {
                if (a == c || g.mark_at(a, b) != Mark::Arrow || g.adjacent(a, c)) continue;
                changed += put(g, c, b, Mark::Tail);
                changed += put(g, b, c, Mark::Arrow);
                break;
            }
        }
    }
    return changed;
}

// R2: (a -> b *-> c or a *-> b -> c) and a *-o c  =>  a *-> c.
int rule_2(Pag& g) {
    int changed = 0;
    const int n = g.num_nodes();
    for (int a = 0; a < n; ++a) {
        for (int c = 0; c < n; ++c) {
            if (a == c || g.mark_at(a, c) != Mark::Circle) continue;
            for (int b = 0; b < n; ++b) {
                if (b == a || b == c || !g.adjacent(a, b) || !g.adjacent(b, c)) continue;
                const bool first = g.is_parent(a, b) && g.mark_at(b, c) == Mark::Arrow;
                const bool second = g.mark_at(a, b) == Mark::Arrow && g.is_parent(b, c);
                if (first || second) {
                    changed += put(g, a, c, Mark::Arrow);
                    break;
                }
            }
        }
    }
    return changed;
}

// R3: a *-> b <-* c, a *-o d o-* c, a and c not adjacent, d *-o b  =>  d *-> b.
int rule_3(Pag& g) {
    int changed = 0;
    const int n = g.num_nodes();
    for (int b = 0; b < n; ++b) {
        for (int d = 0; d < n; ++d) {
            if (d == b || g.mark_at(d, b) != Mark::Circle) continue;
            bool fire = false;
            for (int a = 0; a < n && !fire; ++a) {
                if (a == d || a == b || g.mark_at(a, b) != Mark::Arrow || g.mark_at(a, d) != Mark::Circle)
                    continue;
                for (int c = a + 1; c < n; ++c) {
                    if (c == d || c == b || g.mark_at(c, b) != Mark::Arrow || g.mark_at(c, d) != Mark::Circle)
                        continue;
                    if (!g.adjacent(a, c)) {
                        fire = true;
                        break;
                    }
                }
            }
            if (fire) changed += put(g, d, b, Mark::Arrow);
        }
    }
    return changed;
}

// R4: a discriminating path <d, ..., a, b, c> for b with b o-* c  =>  b -> c when b is in sepset(d, c),
// otherwise a <-> b <-> c.
int rule_4(Pag& g, const SeparatingSets& sepsets) {
    int changed = 0;
    const int n = g.num_nodes();
    for (int b = 0; b < n; ++b) {
        for (int c = 0; c < n; ++c) {
            if (c == b || g.mark_at(c, b) != Mark::Circle) continue;
            for (int a = 0; a < n; ++a) {
                if (a == b || a == c || !g.is_parent(a, c) || g.mark_at(b, a) != Mark::Arrow) continue;
                const int d = find_discriminating_source(g, a, b, c);
                if (d < 0) continue;
                if (sepsets.contains(d, c, b)) {
                    changed += put(g, b, c, Mark::Arrow);
                    changed += put(g, c, b, Mark::Tail);
                } else {
                    changed += put(g, b, a, Mark::Arrow);
                    changed += put(g, a, b, Mark::Arrow);
                    changed += put(g, b, c, Mark::Arrow);
                    changed += put(g, c, b, Mark::Arrow);
                }
                break;  // the b-c edge is no longer o-*
            }
        }
    }
    return changed;
}

}  // namespace

// Defined in completeness_rules.cpp.
int apply_completeness_rule(Pag& pag, int rule);

int orient_v_structures(Pag& pag, const SeparatingSets& sepsets) {
    int changed = 0;
    const int n = pag.num_nodes();
    for (int z = 0; z < n; ++z) {
        const std::vector<int> nb = pag.neighbours(z);
        for (std::size_t i = 0; i < nb.size(); ++i) {
            for (std::size_t j = i + 1; j < nb.size(); ++j) {
                const int x = nb[i], y = nb[j];
                if (pag.adjacent(x, y) || sepsets.contains(x, y, z)) continue;
                changed += put(pag, x, z, Mark::Arrow);
                changed += put(pag, y, z, Mark::Arrow);
            }
        }
    }
    return changed;
}

int apply_orientation_rule(Pag& pag, const SeparatingSets& sepsets, int rule) {
    switch (rule) {
        case 1:
            return rule_1(pag);
        case 2:
            return rule_2(pag);
        case 3:
            return rule_3(pag);
        case 4:
            return rule_4(pag, sepsets);
        default:
            break;
    }
    if (rule >= 5 && rule <= 10) return apply_completeness_rule(pag, rule);
    fail("orientation: no rule R", rule, " (rules are 1..10)");
}

int orient_maximally(Pag& pag, const SeparatingSets& sepsets, const std::vector<int>& rules) {
    int total = 0;
    for (bool modified = true; modified;) {
        modified = false;
        for (int rule : rules) {
            const int changed = apply_orientation_rule(pag, sepsets, rule);
            total += changed;
            modified = modified || changed > 0;
        }
    }
    return total;
}

int find_discriminating_source(const Pag& pag, int a, int b, int c) {
    const int n = pag.num_nodes();
    std::vector<char> visited(static_cast<std::size_t>(n), 0);
    visited[static_cast<std::size_t>(a)] = visited[static_cast<std::size_t>(b)] =
        visited[static_cast<std::size_t>(c)] = 1;
    std::deque<int> frontier{a};  // nodes that are colliders on the path and parents of c
    while (!frontier.empty()) {
        const int v = frontier.front();
        frontier.pop_front();
        for (int d = 0; d < n; ++d) {
            if (visited[static_cast<std::size_t>(d)] || pag.mark_at(d, v) != Mark::Arrow)
                continue;  // d *-> v
            if (!pag.adjacent(d, c)) return d;
            if (pag.is_parent(d, c) && pag.mark_at(v, d) == Mark::Arrow) {  // d <-> v, d -> c: extend
                visited[static_cast<std::size_t>(d)] = 1;
                frontier.push_back(d);
            }
        }
    }
    return -1;
}

}  // namespace sightline::causal
