// core/causal: correlation, partial correlation and the Fisher z test, ICD on data from a known DAG,
// ordered ICD, the CLEANN explanation search and the PAG JSON export.
#include "core/causal/ci_test.h"
#include "core/causal/cleann.h"
#include "core/causal/icd.h"
#include "core/causal/matrix.h"
#include "core/causal/pag_json.h"
#include "core/causal/symmetric_inverse.h"
#include "core/util/error.h"
#include "linear_gaussian.h"
#include "test_causal_graphs.h"

#include <QtTest>

#include <chrono>
#include <thread>

#include <atomic>
#include <cmath>
#include <set>

using namespace sightline::causal;

namespace {

// Gauss-Jordan inverse with partial pivoting, written independently of the library's Cholesky/eigen code.
Matrix gauss_jordan_inverse(Matrix a) {
    const int n = a.rows();
    Matrix inv = Matrix::identity(n);
    for (int c = 0; c < n; ++c) {
        int pivot = c;
        for (int r = c + 1; r < n; ++r)
            if (std::abs(a(r, c)) > std::abs(a(pivot, c))) pivot = r;
        for (int k = 0; k < n; ++k) {
            std::swap(a(c, k), a(pivot, k));
            std::swap(inv(c, k), inv(pivot, k));
        }
        const double p = a(c, c);
        for (int k = 0; k < n; ++k) {
            a(c, k) /= p;
            inv(c, k) /= p;
        }
        for (int r = 0; r < n; ++r) {
            if (r == c) continue;
            const double f = a(r, c);
            for (int k = 0; k < n; ++k) {
                a(r, k) -= f * a(c, k);
                inv(r, k) -= f * inv(c, k);
            }
        }
    }
    return inv;
}

Matrix rho4() {
    return Matrix(4, 4,
                  {1.0, 0.5, 0.3, 0.2,   //
                   0.5, 1.0, 0.4, 0.1,   //
                   0.3, 0.4, 1.0, 0.35,  //
                   0.2, 0.1, 0.35, 1.0});
}

// The 7-node DAG of the ICD tests: collider 0 -> 2 <- 1, 2 -> 3 -> 5 <- 4 <- 2 (2 and 5 need {3, 4}
// to be separated), chain 5 -> 6.
const std::vector<causal_test::WeightedEdge> kDag{{0, 2, 0.8}, {1, 2, -0.7}, {2, 3, 0.6}, {2, 4, 0.7},
                                                  {3, 5, 0.6}, {4, 5, 0.5},  {5, 6, 0.8}};
const std::set<std::pair<int, int>> kSkeleton{{0, 2}, {1, 2}, {2, 3}, {2, 4}, {3, 5}, {4, 5}, {5, 6}};

Matrix dag_correlation() {
    return correlation_from_samples(causal_test::sample_linear_gaussian(7, kDag, 5000, 20240611));
}

std::set<std::pair<int, int>> skeleton(const Pag& g) {
    const auto e = g.edges();
    return {e.begin(), e.end()};
}

}  // namespace

class TestCausal : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void correlationFromAttention() {
        // Rows = nodes; C = A A^T = [[1, 0.6, 0], [0.6, 0.72, 0], [0, 0, 0]].
        const Matrix a(3, 2, {1.0, 0.0, 0.6, 0.6, 0.0, 0.0});
        const Matrix rho = correlation_from_attention(a);
        QCOMPARE(rho(0, 0), 1.0);
        QVERIFY(std::abs(rho(0, 1) - 0.6 / std::sqrt(0.72)) < 1e-12);
        QVERIFY(std::abs(rho(1, 0) - rho(0, 1)) < 1e-15);
        QCOMPARE(rho(2, 2), 1.0);  // zero row: guarded, uncorrelated with everything
        QCOMPARE(rho(0, 2), 0.0);
        QVERIFY_THROWS_EXCEPTION(sightline::Error, correlation_from_attention(Matrix(0, 3)));
    }

    void partialCorrelationClosedForms() {
        const Matrix rho(3, 3, {1.0, 0.5, 0.3, 0.5, 1.0, 0.4, 0.3, 0.4, 1.0});
        QCOMPARE(partial_correlation(rho, 0, 1, {}), 0.5);
        // (0.5 - 0.3 * 0.4) / sqrt((1 - 0.09)(1 - 0.16)) = 0.38 / sqrt(0.7644)
        QVERIFY(std::abs(partial_correlation(rho, 0, 1, {2}) - 0.38 / std::sqrt(0.7644)) < 1e-12);
        QVERIFY(std::abs(partial_correlation(rho, 1, 0, {2}) - 0.38 / std::sqrt(0.7644)) < 1e-12);
        QVERIFY_THROWS_EXCEPTION(sightline::Error, partial_correlation(rho, 0, 0, {}));
        QVERIFY_THROWS_EXCEPTION(sightline::Error, partial_correlation(rho, 0, 1, {1}));
        QVERIFY_THROWS_EXCEPTION(sightline::Error, partial_correlation(rho, 0, 3, {}));
    }

    void partialCorrelationFourVariables() {
        const Matrix rho = rho4();
        // Independently: the precision matrix by Gauss-Jordan, r = -P01 / sqrt(P00 P11) ...
        const Matrix p = gauss_jordan_inverse(rho);
        const double expected = -p(0, 1) / std::sqrt(p(0, 0) * p(1, 1));
        QVERIFY(std::abs(partial_correlation(rho, 0, 1, {2, 3}) - expected) < 1e-12);
        QVERIFY(std::abs(partial_correlation(rho, 0, 1, {3, 2}) - expected) < 1e-12);
        // ... and the recursion r01|23 = (r01|2 - r03|2 r13|2) / sqrt((1 - r03|2^2)(1 - r13|2^2)).
        const double r01 = partial_correlation(rho, 0, 1, {2});
        const double r03 = partial_correlation(rho, 0, 3, {2});
        const double r13 = partial_correlation(rho, 1, 3, {2});
        const double recursive = (r01 - r03 * r13) / std::sqrt((1 - r03 * r03) * (1 - r13 * r13));
        QVERIFY(std::abs(expected - recursive) < 1e-12);
        // The library's inverse agrees with Gauss-Jordan.
        const SymmetricInverse inv = invert_symmetric(rho);
        QVERIFY(!inv.pseudo);
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) QVERIFY(std::abs(inv.inverse(i, j) - p(i, j)) < 1e-10);
    }

    void partialCorrelationSingularUsesPseudoInverse() {
        // Node 3 duplicates node 2: the sub-matrix over {0, 1, 2, 3} is singular.
        Matrix rho = rho4();
        for (int i = 0; i < 4; ++i) rho(3, i) = rho(i, 3) = rho(2, i);
        rho(3, 3) = 1.0;
        rho(2, 3) = rho(3, 2) = 1.0;
        const SymmetricInverse inv = invert_symmetric(rho);
        QVERIFY(inv.pseudo);
        // Moore-Penrose: A A+ A = A.
        const Matrix back = rho.multiply(inv.inverse).multiply(rho);
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) QVERIFY(std::abs(back(i, j) - rho(i, j)) < 1e-9);
        const double r = partial_correlation(rho, 0, 1, {2, 3});
        QVERIFY(std::isfinite(r) && std::abs(r) <= 1.0);
    }

    void fisherZPValues() {
        // 2 (1 - Phi(sqrt(n - |Z| - 3) |atanh r|)), reference values from Python's statistics.NormalDist.
        QVERIFY(std::abs(fisher_z_p_value(0.1, 100, 0) - 0.32306030380717976) < 1e-12);
        QVERIFY(std::abs(fisher_z_p_value(0.3, 50, 2) - 0.037864306882807064) < 1e-12);
        QVERIFY(std::abs(fisher_z_p_value(-0.05, 1000, 3) - 0.11463364809387167) < 1e-12);
        QVERIFY(std::abs(fisher_z_p_value(0.6, 20, 1) - 0.005561235724619085) < 1e-12);
        QCOMPARE(fisher_z_p_value(0.0, 10, 0), 1.0);
        const double p1 = fisher_z_p_value(1.0, 10, 0);  // clipped, finite
        QVERIFY(p1 >= 0.0 && p1 < 1e-10);
        QVERIFY_THROWS_EXCEPTION(sightline::Error, fisher_z_p_value(0.1, 5, 2));
        QCOMPARE(max_fisher_cond_size(128), 124);
    }

    void ciTestCachesAndCounts() {
        CITest test(rho4(), 100, 0.05);
        const double p = test.p_value(0, 1, {2, 3});
        QCOMPARE(test.tests_run(), std::int64_t(1));
        QCOMPARE(test.p_value(1, 0, {3, 2}), p);
        QCOMPARE(test.tests_run(), std::int64_t(1));
        QCOMPARE(test.cache_hits(), std::int64_t(1));
        QCOMPARE(test.independent(0, 1, {}), fisher_z_p_value(0.5, 100, 0) > 0.05);
        QCOMPARE(test.tests_run(), std::int64_t(2));
        QCOMPARE(test.tests_by_size()[2], std::int64_t(1));
        QVERIFY_THROWS_EXCEPTION(sightline::Error, CITest(rho4(), 100, 0.0));
        QVERIFY_THROWS_EXCEPTION(sightline::Error, CITest(Matrix(2, 3), 100, 0.05));
    }

    void icdRecoversKnownDag() {
        CITest test(dag_correlation(), 5000, 1e-3);
        const IcdResult res = learn_icd(test);
        const Pag& g = res.pag;
        QCOMPARE(skeleton(g), kSkeleton);
        QVERIFY(res.converged);
        QVERIFY(res.tests_run > 0);
        // 2 and 5 are separated only by {3, 4}: found at r = 2 from the PDS trees.
        QCOMPARE(res.sepsets.get(2, 5), (std::vector<int>{3, 4}));
        QVERIFY(res.sepsets.get(0, 1).empty());
        // Unshielded colliders 0 *-> 2 <-* 1 and 3 *-> 5 <-* 4; the rest follows by R1.
        QCOMPARE(causal_test::edge_text(g, 0, 2), std::string("o->"));
        QCOMPARE(causal_test::edge_text(g, 1, 2), std::string("o->"));
        QCOMPARE(causal_test::edge_text(g, 2, 3), std::string("-->"));
        QCOMPARE(causal_test::edge_text(g, 2, 4), std::string("-->"));
        QCOMPARE(causal_test::edge_text(g, 3, 5), std::string("-->"));
        QCOMPARE(causal_test::edge_text(g, 4, 5), std::string("-->"));
        QCOMPARE(causal_test::edge_text(g, 5, 6), std::string("-->"));
    }

    void icdHonoursMaxCondSize() {
        CITest test(dag_correlation(), 5000, 1e-3);
        IcdOptions options;
        options.max_cond_size = 1;
        const IcdResult res = learn_icd(test, options);
        QVERIFY(!res.converged);
        QCOMPARE(res.last_cond_size, 1);
        QVERIFY(res.pag.adjacent(2, 5));  // needs a conditioning set of two
        QCOMPARE(test.tests_by_size().size(), std::size_t(2));
    }

    void orderedIcdRespectsOrder() {
        const Matrix rho = dag_correlation();
        {
            CITest test(rho, 5000, 1e-3);
            const IcdResult res = learn_ordered_icd(test, {0, 1, 2, 3, 4, 5, 6});
            QCOMPARE(skeleton(res.pag), kSkeleton);
            QCOMPARE(causal_test::edge_text(res.pag, 0, 2), std::string("o->"));
            QCOMPARE(causal_test::edge_text(res.pag, 3, 5), std::string("-->"));
            QCOMPARE(causal_test::edge_text(res.pag, 5, 6), std::string("-->"));
            QVERIFY(causal_test::respects_order(res.pag, {0, 1, 2, 3, 4, 5, 6}));
        }
        for (const std::vector<int>& order :
             {std::vector<int>{6, 5, 4, 3, 2, 1, 0}, std::vector<int>{3, 0, 6, 2, 5, 1, 4}}) {
            CITest test(rho, 5000, 1e-3);
            const IcdResult res = learn_ordered_icd(test, order);
            QVERIFY(causal_test::respects_order(res.pag, order));
        }
        CITest test(rho, 5000, 1e-3);
        QVERIFY_THROWS_EXCEPTION(sightline::Error, learn_ordered_icd(test, {0, 1, 2}));
        QVERIFY_THROWS_EXCEPTION(sightline::Error, learn_ordered_icd(test, {0, 1, 2, 3, 4, 5, 5}));
    }

    void icdCancels() {
        CITest test(dag_correlation(), 5000, 1e-3);
        std::atomic<bool> cancel{true};
        IcdOptions options;
        options.cancel = &cancel;
        QVERIFY_THROWS_EXCEPTION(sightline::CancelledError, learn_icd(test, options));
        QVERIFY_THROWS_EXCEPTION(sightline::CancelledError,
                                 learn_ordered_icd(test, {0, 1, 2, 3, 4, 5, 6}, options));
    }

    void orientationRules() { causal_test::check_orientation_rules(); }
    void pdsTreeAndCandidates() { causal_test::check_pds_tree(); }

    void explanationFindsFirstCandidateContainingNode() {
        const Pag g = causal_test::explanation_graph();
        const auto candidates = explanation_candidates(g, 0, {});
        QCOMPARE(candidates, causal_test::expected_candidates());
        int calls = 0;
        const ExplanationResult res = find_explanation(g, 0, [&](const std::vector<int>& s) {
            ++calls;
            return std::find(s.begin(), s.end(), 1) != s.end();
        });
        QVERIFY(res.validated);
        QCOMPARE(res.stop, ExplanationStop::Validated);
        QCOMPARE(res.nodes, (std::vector<int>{1, 2}));  // the first candidate holding node 1
        QCOMPARE(res.candidates_tried, std::int64_t(4));
        QCOMPARE(calls, 4);
        QCOMPARE(res.tried, std::vector<std::vector<int>>(candidates.begin(), candidates.begin() + 4));
        QCOMPARE(res.possible_dsep, (std::vector<int>{1, 2, 3}));
        QVERIFY(res.message.find("validated") == 0);
    }

    void explanationNeverValidatedIsReported() {
        const Pag g = causal_test::explanation_graph();
        int calls = 0;
        const ExplanationResult res = find_explanation(g, 0, [&](const std::vector<int>&) {
            ++calls;
            return false;
        });
        QVERIFY(!res.validated);
        QCOMPARE(res.stop, ExplanationStop::Exhausted);
        QCOMPARE(calls, 5);  // every candidate was tested
        QCOMPARE(res.candidates_tried, std::int64_t(5));
        QCOMPARE(res.tried, causal_test::expected_candidates());
        QCOMPARE(res.nodes, (std::vector<int>{1, 2, 3}));  // the last one tried, not a fake success
        QVERIFY(res.message.find("not validated") == 0);
        // An isolated target has no candidates.
        const ExplanationResult none =
            find_explanation(Pag(3), 1, [](const std::vector<int>&) { return true; });
        QVERIFY(!none.validated && none.nodes.empty() && none.candidates_tried == 0);
    }

    void explanationNestedSearchPrunesToOneMinimal() {
        Pag g(9);  // target 0 adjacent to 1..8: every subset is legal
        for (int v = 1; v <= 8; ++v) g.add_edge(0, v, Mark::Circle, Mark::Circle);
        ExplanationOptions options;
        options.exhaustive_calls = 8;                                     // the singletons only
        for (int v = 0; v <= 8; ++v) options.node_priority.push_back(v);  // 8 is masked first
        std::vector<std::vector<int>> calls;
        const auto needs_5_7_8 = [&](const std::vector<int>& s) {
            calls.push_back(s);
            auto has = [&](int v) { return std::find(s.begin(), s.end(), v) != s.end(); };
            return has(5) && has(7) && has(8);
        };
        const ExplanationResult res = find_explanation(g, 0, needs_5_7_8, options);
        QVERIFY(res.validated);
        QCOMPARE(res.minimality, std::string("one_minimal"));
        QCOMPARE(res.nodes, (std::vector<int>{5, 7, 8}));
        QCOMPARE(res.exhaustive_tried, std::int64_t(8));
        // 8 singletons, the whole pool, bisection {8,7,6,5} yes, {8,7} no, {8,7,6} no, then pruning of
        // {5,6,7,8}: without 5 no, without 6 yes, without 7 no, without 8 no.
        const std::vector<std::vector<int>> after_singletons(calls.begin() + 8, calls.end());
        QCOMPARE(after_singletons, (std::vector<std::vector<int>>{{1, 2, 3, 4, 5, 6, 7, 8},
                                                                  {5, 6, 7, 8},
                                                                  {7, 8},
                                                                  {6, 7, 8},
                                                                  {6, 7, 8},
                                                                  {5, 7, 8},
                                                                  {5, 8},
                                                                  {5, 7}}));
        QCOMPARE(res.candidates_tried, std::int64_t(16));
        QVERIFY(res.message.find("validated") == 0);

        // When masking the whole pool changes nothing, the search says so and stops.
        calls.clear();
        const ExplanationResult none = find_explanation(
            g, 0,
            [&](const std::vector<int>& s) {
                calls.push_back(s);
                return false;
            },
            options);
        QVERIFY(!none.validated);
        QCOMPARE(none.candidates_tried, std::int64_t(9));
        QVERIFY(none.message.find("whole possible-d-sep set") != std::string::npos);

        // The time budget stops the search before a tester call.
        ExplanationOptions timed;
        timed.time_budget_ms = 12;
        int n = 0;
        const ExplanationResult late = find_explanation(
            g, 0,
            [&](const std::vector<int>&) {
                ++n;
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                return false;
            },
            timed);
        QCOMPARE(late.stop, ExplanationStop::TimeBudget);
        QVERIFY(n >= 1 && n < 8);
        QVERIFY(!late.validated);
    }

    void explanationCapsAndCancel() {
        const Pag g = causal_test::explanation_graph();
        int calls = 0;
        ExplanationOptions options;
        options.max_tester_calls = 2;
        const auto never = [&](const std::vector<int>&) {
            ++calls;
            return false;
        };
        ExplanationResult res = find_explanation(g, 0, never, options);
        QCOMPARE(calls, 2);
        QCOMPARE(res.stop, ExplanationStop::TesterCallCap);
        QVERIFY(!res.validated);

        options = {};
        options.max_set_size = 1;
        QCOMPARE(explanation_candidates(g, 0, options), (std::vector<std::vector<int>>{{2}, {3}}));
        options.max_recorded = 1;
        res = find_explanation(
            g, 0, [](const std::vector<int>&) { return false; }, options);
        QCOMPARE(res.tried.size(), std::size_t(1));
        QVERIFY(res.tried_truncated);

        std::atomic<bool> cancel{false};
        options = {};
        options.cancel = &cancel;
        calls = 0;
        QVERIFY_THROWS_EXCEPTION(sightline::CancelledError, find_explanation(
                                                                g, 0,
                                                                [&](const std::vector<int>&) {
                                                                    ++calls;
                                                                    cancel = true;
                                                                    return false;
                                                                },
                                                                options));
        QCOMPARE(calls, 1);
        QVERIFY_THROWS_EXCEPTION(sightline::Error, find_explanation(g, 0, ExplanationTester{}));
        QVERIFY_THROWS_EXCEPTION(sightline::Error, find_explanation(g, 9, never));
    }

    void pagJson() {
        const Pag g = causal_test::explanation_graph();
        const auto j = pag_to_json(g, {"T", "a", "b", "c", "d", "e"}, 0, {1, 2});
        QCOMPARE(j["num_nodes"].get<int>(), 6);
        QCOMPARE(j["nodes"][0]["label"].get<std::string>(), std::string("T"));
        QVERIFY(j["nodes"][0]["is_target"].get<bool>());
        QVERIFY(j["nodes"][2]["highlighted"].get<bool>());
        QCOMPARE(j["edges"].size(), std::size_t(g.num_edges()));
        const auto& e = j["edges"][0];  // 0 o-> 2
        QCOMPARE(e["from"].get<int>(), 0);
        QCOMPARE(e["to"].get<int>(), 2);
        QCOMPARE(e["mark_from"].get<std::string>(), std::string("circle"));
        QCOMPARE(e["mark_to"].get<std::string>(), std::string("arrow"));
        QCOMPARE(e["type"].get<std::string>(), std::string("o->"));
        QVERIFY_THROWS_EXCEPTION(sightline::Error, pag_to_json(g, {"only one"}));
    }
};

QTEST_APPLESS_MAIN(TestCausal)
#include "test_causal.moc"
