#include "test_causal_graphs.h"

#include "core/causal/orientation.h"
#include "core/causal/pag_json.h"
#include "core/causal/pds_tree.h"
#include "core/util/error.h"

#include <QtTest>

using namespace sightline::causal;

namespace causal_test {

std::string edge_text(const Pag& g, int a, int b) {
    return edge_type(g, a, b);
}

bool respects_order(const Pag& g, const std::vector<int>& order) {
    std::vector<int> pos(order.size());
    for (std::size_t k = 0; k < order.size(); ++k)
        pos[static_cast<std::size_t>(order[k])] = static_cast<int>(k);
    for (auto [a, b] : g.edges()) {
        const int later = pos[static_cast<std::size_t>(a)] > pos[static_cast<std::size_t>(b)] ? a : b;
        const int earlier = later == a ? b : a;
        if (g.mark_at(earlier, later) != Mark::Arrow || g.is_parent(later, earlier)) return false;
    }
    return true;
}

Pag explanation_graph() {
    Pag g(6);
    g.add_edge(0, 2, Mark::Circle, Mark::Arrow);
    g.add_edge(1, 2, Mark::Circle, Mark::Arrow);
    g.add_edge(0, 3, Mark::Circle, Mark::Circle);
    g.add_edge(2, 4, Mark::Circle, Mark::Circle);
    g.add_edge(3, 5, Mark::Circle, Mark::Circle);
    return g;
}

std::vector<std::vector<int>> expected_candidates() {
    return {{2}, {3}, {2, 3}, {1, 2}, {1, 2, 3}};
}

void check_orientation_rules() {
    SeparatingSets none;
    {  // R0 + R1: 0 *-> 1 <-* 2 is a collider when 1 is outside sepset(0, 2); then 1 -> 3 by R1.
        Pag g(4);
        g.add_edge(0, 1, Mark::Circle, Mark::Circle);
        g.add_edge(2, 1, Mark::Circle, Mark::Circle);
        g.add_edge(1, 3, Mark::Circle, Mark::Circle);
        SeparatingSets s;
        s.set(0, 2, {});
        s.set(0, 3, {1});
        s.set(2, 3, {1});
        QCOMPARE(orient_v_structures(g, s), 2);
        QCOMPARE(edge_text(g, 0, 1), std::string("o->"));
        QCOMPARE(edge_text(g, 2, 1), std::string("o->"));
        QCOMPARE(edge_text(g, 1, 3), std::string("o-o"));
        orient_maximally(g, s, kArrowheadRules);
        QCOMPARE(edge_text(g, 1, 3), std::string("-->"));
    }
    {  // R2: 0 -> 1 o-> 2 ... and 0 o-o 2  =>  0 o-> 2.
        Pag g(3);
        g.add_edge(0, 1, Mark::Tail, Mark::Arrow);
        g.add_edge(1, 2, Mark::Circle, Mark::Arrow);
        g.add_edge(0, 2, Mark::Circle, Mark::Circle);
        QCOMPARE(apply_orientation_rule(g, none, 2), 1);
        QCOMPARE(edge_text(g, 0, 2), std::string("o->"));
    }
    {  // R4 on the discriminating path <0, 1, 2, 3>: 0 o-> 1 <-o 2, 1 -> 3, 2 o-o 3, 0 and 3 not adjacent.
        auto make = [] {
            Pag g(4);
            g.add_edge(0, 1, Mark::Circle, Mark::Arrow);
            g.add_edge(2, 1, Mark::Circle, Mark::Arrow);
            g.add_edge(1, 3, Mark::Tail, Mark::Arrow);
            g.add_edge(2, 3, Mark::Circle, Mark::Circle);
            return g;
        };
        Pag g = make();
        QCOMPARE(find_discriminating_source(g, 1, 2, 3), 0);
        SeparatingSets with_b;
        with_b.set(0, 3, {1, 2});
        apply_orientation_rule(g, with_b, 4);
        QCOMPARE(edge_text(g, 2, 3), std::string("-->"));
        g = make();
        SeparatingSets without_b;
        without_b.set(0, 3, {1});
        apply_orientation_rule(g, without_b, 4);
        QCOMPARE(edge_text(g, 1, 2), std::string("<->"));
        QCOMPARE(edge_text(g, 2, 3), std::string("<->"));
    }
    {  // R9: 0 o-> 3 with the uncovered possibly directed path <0, 1, 2, 3> (1, 3 not adjacent)  =>  0 -> 3.
        Pag g(4);
        g.add_edge(0, 3, Mark::Circle, Mark::Arrow);
        g.add_edge(0, 1, Mark::Circle, Mark::Circle);
        g.add_edge(1, 2, Mark::Circle, Mark::Arrow);
        g.add_edge(2, 3, Mark::Tail, Mark::Arrow);
        const auto path =
            find_uncovered_path(g, 0, 1, 3, [&g](int u, int v) { return g.is_possible_parent(u, v); });
        QVERIFY(path.has_value());
        QCOMPARE(*path, (std::vector<int>{0, 1, 2, 3}));
        QCOMPARE(apply_orientation_rule(g, none, 9), 1);
        QCOMPARE(edge_text(g, 0, 3), std::string("-->"));
    }
    QVERIFY_THROWS_EXCEPTION(sightline::Error, [] {
        Pag g(2);
        apply_orientation_rule(g, SeparatingSets{}, 11);
    }());
}

void check_pds_tree() {
    const Pag g = explanation_graph();
    const PdsTree t = PdsTree::build(g, 0, 3);
    QCOMPARE(t.nodes(), (std::vector<int>{1, 2, 3}));
    QCOMPARE(t.min_depth(2), 1);
    QCOMPARE(t.min_depth(1), 2);
    QCOMPARE(t.min_depth(4), -1);
    QCOMPARE(t.depth(), 2);
    QVERIFY(!t.is_legal({1}));  // reachable only through 2
    QVERIFY(t.is_legal({1, 2}));
    QCOMPARE(t.legal_subsets(2, 0), (std::vector<std::vector<int>>{{2, 3}, {1, 2}}));
    // Radius 1: neighbours only.
    QCOMPARE(PdsTree::build(g, 0, 1).nodes(), (std::vector<int>{2, 3}));
    // Restricted to a sub-graph without node 2.
    QCOMPARE(PdsTree::build(g, 0, 3, {1, 1, 0, 1, 1, 1}).nodes(), (std::vector<int>{3}));
    QVERIFY_THROWS_EXCEPTION(sightline::Error, PdsTree::build(g, 0, 0));
}

}  // namespace causal_test
