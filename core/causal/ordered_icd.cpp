// ICD with a known causal order (causality-lab's LearnStructOrderedICD, global variant).
#include "core/causal/icd.h"

#include "core/causal/icd_support.h"
#include "core/causal/pds_tree.h"
#include "core/util/error.h"

#include <algorithm>

namespace sightline::causal {

namespace {

using detail::check_cancel;

class OrderedIcd {
  public:
    OrderedIcd(CITest& test, const std::vector<int>& order, const IcdOptions& options, IcdResult& res)
        : test_(test), order_(order), options_(options), res_(res), n_(test.num_nodes()), anc_(res.pag) {
        pos_.assign(static_cast<std::size_t>(n_), -1);
        if (order.size() != static_cast<std::size_t>(n_))
            fail("ordered ICD: the causal order lists ", order.size(), " nodes, the graph has ", n_);
        for (std::size_t k = 0; k < order.size(); ++k) {
            const int v = order[k];
            if (v < 0 || v >= n_)
                fail("ordered ICD: node ", v, " in the causal order is outside 0..", n_ - 1);
            if (pos_[static_cast<std::size_t>(v)] >= 0)
                fail("ordered ICD: node ", v, " appears twice in the causal order");
            pos_[static_cast<std::size_t>(v)] = static_cast<int>(k);
        }
        done_.assign(static_cast<std::size_t>(n_) * static_cast<std::size_t>(n_), 0);
    }

    void run() {
        Pag& g = res_.pag;
        g = Pag::complete(n_, Mark::Circle);
        orient(false);
        const int limit = res_.max_cond_size;
        // r = 0: marginal independence between every node and each of its predecessors.
        for (int b = 1; b < n_; ++b) {
            check_cancel(options_.cancel);
            for (int a = 0; a < b; ++a) {
                if (edge_done(a, b)) continue;
                if (test_.independent(order_[a], order_[b], {})) remove(a, b, {});
            }
        }
        orient(false);
        res_.last_cond_size = 0;
        bool converged = n_ <= 2;
        if (limit >= 1 && n_ > 2) {
            // r = 1: condition on one predecessor adjacent to the later node.
            for (int b = 2; b < n_; ++b) {
                check_cancel(options_.cancel);
                const int base = order_[b];
                for (int a = 0; a < b; ++a) {
                    const int anc = order_[a];
                    if (edge_done(a, b) || !g.adjacent(anc, base)) continue;
                    for (int c = 0; c < b; ++c) {
                        const int z = order_[c];
                        if (c == a || !g.adjacent(z, base)) continue;
                        if (test_.independent(anc, base, {z})) {
                            remove(a, b, {z});
                            break;
                        }
                    }
                }
            }
            orient(false);
            res_.last_cond_size = 1;
            converged = n_ - 2 <= 1;
            // r >= 2: ICD-Sep sets from the PDS tree of the later node within its predecessors.
            for (int r = 2; r <= limit; ++r) {
                res_.last_cond_size = r;
                bool done = true;
                for (int b = r + 1; b < n_; ++b) done = learn_node(r, b) && done;
                if (done) {
                    converged = true;
                    break;
                }
                orient(false);
                if (r >= n_ - 2) converged = true;
            }
        }
        orient(true);
        res_.converged = converged;
    }

  private:
    std::size_t key(int a, int b) const {
        return static_cast<std::size_t>(a) * static_cast<std::size_t>(n_) + static_cast<std::size_t>(b);
    }
    bool edge_done(int a, int b) const { return done_[key(a, b)] != 0; }
    void set_done(int a, int b, bool v) { done_[key(a, b)] = v ? 1 : 0; }

    // Positions a < b in the order.
    void remove(int a, int b, std::vector<int> sepset) {
        res_.pag.remove_edge(order_[a], order_[b]);
        res_.sepsets.set(order_[a], order_[b], std::move(sepset));
        set_done(a, b, true);
        anc_.invalidate();
    }

    // Marks: circle at the earlier end, arrowhead at the later end of every edge; then R0-R4 and, at
    // the end, the completing rules. Every rule only turns circles into tails or arrowheads, or adds
    // arrowheads, so the later end of an edge keeps its arrowhead: a later node is never an ancestor
    // of an earlier one, and possibly directed paths only run forward in the order.
    void orient(bool final_pass) {
        Pag& g = res_.pag;
        for (auto [u, v] : g.edges()) {
            const bool u_first = pos_[static_cast<std::size_t>(u)] < pos_[static_cast<std::size_t>(v)];
            const int early = u_first ? u : v, late = u_first ? v : u;
            g.set_mark(late, early, Mark::Circle);
            g.set_mark(early, late, Mark::Arrow);
        }
        detail::orient_arrowheads(g, res_.sepsets);
        if (final_pass) detail::orient_completion(g, res_.sepsets, options_);
        anc_.invalidate();
    }

    // Every node of z is a possible ancestor of the earlier node (within its predecessors) or of the
    // later node (within its predecessors). Possibly directed paths only run forward in the order (see
    // orient()), so the unrestricted relation gives the same answer.
    bool ancestral(const std::vector<int>& z, int anc, int base) {
        return std::all_of(z.begin(), z.end(),
                           [&](int v) { return anc_.test(v, anc) || anc_.test(v, base); });
    }

    // One iteration of size r for the node at position b; true when no edge into it had a legal set.
    bool learn_node(int r, int b) {
        check_cancel(options_.cancel);
        Pag& g = res_.pag;
        bool all_done = true;
        for (int a = 0; a < b; ++a) all_done = all_done && edge_done(a, b);
        if (all_done) return true;
        const int base = order_[b];
        std::vector<char> allowed(static_cast<std::size_t>(n_), 0);
        for (int k = 0; k <= b; ++k) allowed[static_cast<std::size_t>(order_[k])] = 1;
        const PdsTree tree = PdsTree::build(g, base, r, allowed);
        bool cut = false;
        const auto candidates = tree.legal_subsets(r, options_.max_cond_sets, &cut);
        res_.cond_sets_truncated = res_.cond_sets_truncated || cut;

        bool done = true;
        for (int a = 0; a < b; ++a) {
            if (edge_done(a, b)) continue;
            set_done(a, b, true);  // stays done when no legal conditioning set exists for it
            const int anc = order_[a];
            if (!g.adjacent(anc, base)) continue;
            for (const auto& z : candidates) {
                if (std::binary_search(z.begin(), z.end(), anc) || !ancestral(z, anc, base)) continue;
                if (test_.independent(anc, base, z)) {
                    remove(a, b, z);
                    break;
                }
                set_done(a, b, false);
                done = false;
            }
        }
        return done;
    }

    CITest& test_;
    const std::vector<int>& order_;
    const IcdOptions& options_;
    IcdResult& res_;
    int n_;
    detail::PossibleAncestors anc_;
    std::vector<int> pos_;
    std::vector<char> done_;  // done_[a * n + b] for order positions a < b
};

}  // namespace

IcdResult learn_ordered_icd(CITest& test, const std::vector<int>& order, const IcdOptions& options) {
    const std::int64_t tests_before = test.tests_run();
    IcdResult res;
    res.max_cond_size = detail::effective_max_cond_size(test, options);
    OrderedIcd(test, order, options, res).run();
    res.tests_run = test.tests_run() - tests_before;
    return res;
}

}  // namespace sightline::causal
