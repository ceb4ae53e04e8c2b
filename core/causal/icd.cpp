// ICD without a causal order (causality-lab's LearnStructICD).
#include "core/causal/icd.h"

#include "core/causal/icd_support.h"
#include "core/causal/pds_tree.h"
#include "core/util/error.h"

#include <algorithm>
#include <deque>
#include <map>

namespace sightline::causal {

namespace detail {

int effective_max_cond_size(const CITest& test, const IcdOptions& options) {
    if (options.max_cond_size < -1)
        fail("ICD: max_cond_size must be >= 0 or -1 (no limit), got ", options.max_cond_size);
    int limit = std::max(0, test.num_nodes() - 2);
    limit = std::min(limit, max_fisher_cond_size(test.sample_size()));
    if (options.max_cond_size >= 0) limit = std::min(limit, options.max_cond_size);
    return std::max(0, limit);
}

bool PossibleAncestors::test(int z, int x) {
    const int n = pag_.num_nodes();
    if (!valid_) {
        reach_.assign(static_cast<std::size_t>(n) * static_cast<std::size_t>(n), 0);
        for (int s = 0; s < n; ++s) {
            std::deque<int> queue{s};
            std::vector<char> seen(static_cast<std::size_t>(n), 0);
            while (!queue.empty()) {
                const int u = queue.front();
                queue.pop_front();
                for (int v = 0; v < n; ++v) {
                    if (seen[static_cast<std::size_t>(v)] || !pag_.is_possible_parent(u, v)) continue;
                    seen[static_cast<std::size_t>(v)] = 1;
                    reach_[static_cast<std::size_t>(s) * static_cast<std::size_t>(n) +
                           static_cast<std::size_t>(v)] = 1;
                    queue.push_back(v);
                }
            }
        }
        valid_ = true;
    }
    return reach_[static_cast<std::size_t>(z) * static_cast<std::size_t>(n) + static_cast<std::size_t>(x)] !=
           0;
}

void orient_arrowheads(Pag& pag, const SeparatingSets& sepsets) {
    orient_v_structures(pag, sepsets);
    orient_maximally(pag, sepsets, kArrowheadRules);
}

void orient_completion(Pag& pag, const SeparatingSets& sepsets, const IcdOptions& options) {
    if (options.selection_bias) orient_maximally(pag, sepsets, kSelectionBiasRules);
    if (options.tail_completeness) orient_maximally(pag, sepsets, kTailRules);
}

}  // namespace detail

namespace {

using detail::check_cancel;

// Legal subsets of size r of each node's PDS tree (radius r), ranked nearest first, with distances.
// Rebuilt for a root only after an edge was removed since it was computed (the graph is live, as in
// the reference: removals during an iteration affect later candidates).
class PdsCache {
  public:
    PdsCache(const Pag& pag, int r, const IcdOptions& options) : pag_(pag), r_(r), options_(options) {
        entries_.resize(static_cast<std::size_t>(pag.num_nodes()));
    }
    void invalidate() { ++generation_; }
    struct Entry {
        long generation = -1;
        std::vector<std::pair<int, std::vector<int>>> ranked;  // (distance, subset)
    };
    const Entry& get(int root, bool& truncated) {
        Entry& e = entries_[static_cast<std::size_t>(root)];
        if (e.generation != generation_) {
            const PdsTree tree = PdsTree::build(pag_, root, r_);
            bool cut = false;
            e.ranked.clear();
            for (auto& s : tree.legal_subsets(r_, options_.max_cond_sets, &cut)) {
                const int d = tree.distance(s);
                e.ranked.emplace_back(d, std::move(s));
            }
            truncated = truncated || cut;
            e.generation = generation_;
        }
        return e;
    }

  private:
    const Pag& pag_;
    int r_;
    const IcdOptions& options_;
    long generation_ = 0;
    std::vector<Entry> entries_;
};

// ICD-Sep candidates for the edge i-j at size r: legal subsets of the PDS trees of i and of j (radius
// r), without i or j, every node a possible ancestor of i or j; nearest first (a set found from both
// trees keeps its smaller distance; ties in lexicographic order).
std::vector<std::vector<int>> icd_sep_sets(int i, int j, PdsCache& trees, detail::PossibleAncestors& anc,
                                           bool& truncated) {
    std::map<std::vector<int>, int> best;
    for (int root : {i, j}) {
        for (const auto& [d, s] : trees.get(root, truncated).ranked) {
            if (std::binary_search(s.begin(), s.end(), i) || std::binary_search(s.begin(), s.end(), j))
                continue;
            const bool ancestral =
                std::all_of(s.begin(), s.end(), [&](int z) { return anc.test(z, i) || anc.test(z, j); });
            if (!ancestral) continue;
            auto [it, inserted] = best.emplace(s, d);
            if (!inserted) it->second = std::min(it->second, d);
        }
    }
    std::vector<std::pair<int, std::vector<int>>> ranked;
    ranked.reserve(best.size());
    for (auto& [s, d] : best) ranked.emplace_back(d, s);
    std::sort(ranked.begin(), ranked.end());
    std::vector<std::vector<int>> out;
    out.reserve(ranked.size());
    for (auto& p : ranked) out.push_back(std::move(p.second));
    return out;
}

}  // namespace

IcdResult learn_icd(CITest& test, const IcdOptions& options) {
    const int n = test.num_nodes();
    const std::int64_t tests_before = test.tests_run();
    IcdResult res;
    res.max_cond_size = detail::effective_max_cond_size(test, options);
    res.pag = Pag::complete(n, Mark::Circle);
    Pag& g = res.pag;
    detail::PossibleAncestors anc(g);

    auto finish = [&](int r, bool converged) {
        res.last_cond_size = r;
        res.converged = converged;
        res.tests_run = test.tests_run() - tests_before;
        return res;
    };

    // r = 0: marginal independence of every pair.
    for (int i = 0; i < n; ++i) {
        check_cancel(options.cancel);
        for (int j = i + 1; j < n; ++j) {
            if (test.independent(i, j, {})) {
                g.remove_edge(i, j);
                res.sepsets.set(i, j, {});
            }
        }
    }
    detail::orient_arrowheads(g, res.sepsets);
    if (n <= 2) {
        detail::orient_completion(g, res.sepsets, options);
        return finish(0, true);
    }
    if (res.max_cond_size == 0) {
        detail::orient_completion(g, res.sepsets, options);
        return finish(0, false);
    }

    // r = 1: condition on one neighbour of either end.
    bool done = true;
    for (int i = 0; i < n; ++i) {
        for (int j = i + 1; j < n; ++j) {
            if (!g.adjacent(i, j)) continue;
            check_cancel(options.cancel);
            std::vector<int> candidates;
            for (int v : g.neighbours(i))
                if (v != j) candidates.push_back(v);
            for (int v : g.neighbours(j))
                if (v != i && std::find(candidates.begin(), candidates.end(), v) == candidates.end())
                    candidates.push_back(v);
            for (int z : candidates) {
                done = false;
                if (test.independent(i, j, {z})) {
                    g.remove_edge(i, j);
                    res.sepsets.set(i, j, {z});
                    break;
                }
            }
        }
    }
    g.reset_marks(Mark::Circle);
    detail::orient_arrowheads(g, res.sepsets);
    detail::orient_completion(g, res.sepsets, options);
    if (done) return finish(1, true);
    if (res.max_cond_size == 1) return finish(1, n - 2 <= 1);

    // r >= 2: ICD-Sep conditioning sets from the PDS trees.
    for (int r = 2;; ++r) {
        done = true;
        anc.invalidate();
        PdsCache trees(g, r, options);
        for (int i = 0; i < n; ++i) {
            for (int j = i + 1; j < n; ++j) {
                if (!g.adjacent(i, j)) continue;
                check_cancel(options.cancel);
                const auto sets = icd_sep_sets(i, j, trees, anc, res.cond_sets_truncated);
                for (const auto& z : sets) {
                    done = false;
                    if (test.independent(i, j, z)) {
                        g.remove_edge(i, j);
                        anc.invalidate();
                        trees.invalidate();
                        res.sepsets.set(i, j, z);
                        break;
                    }
                }
            }
        }
        if (done) {  // nothing left to test: complete the orientation of the last graph
            detail::orient_completion(g, res.sepsets, options);
            return finish(r, true);
        }
        g.reset_marks(Mark::Circle);
        detail::orient_arrowheads(g, res.sepsets);
        if (r >= res.max_cond_size) {
            detail::orient_completion(g, res.sepsets, options);
            return finish(r, r >= n - 2);
        }
    }
}

}  // namespace sightline::causal
