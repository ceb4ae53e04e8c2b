#include "core/causal/cleann.h"

#include "core/causal/pds_tree.h"
#include "core/util/error.h"
#include "core/util/stopwatch.h"

#include <algorithm>
#include <optional>
#include <sstream>

namespace sightline::causal {

namespace {

std::string set_text(const std::vector<int>& s) {
    std::ostringstream out;
    out << '{';
    for (std::size_t i = 0; i < s.size(); ++i) out << (i ? ", " : "") << s[i];
    out << '}';
    return out.str();
}

void check_arguments(const Pag& pag, int target, const ExplanationOptions& options) {
    if (target < 0 || target >= pag.num_nodes())
        fail("CLEANN: target node ", target, " outside 0..", pag.num_nodes() - 1);
    if (options.search_radius < 1)
        fail("CLEANN: the search radius must be >= 1, got ", options.search_radius);
    if (options.max_set_size < 0)
        fail("CLEANN: max_set_size must be >= 0 (0 = no limit), got ", options.max_set_size);
    if (options.max_tester_calls < 0)
        fail("CLEANN: max_tester_calls must be >= 0 (0 = no cap), got ", options.max_tester_calls);
}

// Walks the candidates size by size, nearest first, calling visit(candidate) until it returns false;
// `truncated` is set when candidate generation hit the cap. Returns the largest size whose candidates
// were all visited.
template <typename Visit>
int for_each_candidate(const PdsTree& tree, int max_size, std::size_t cap, bool& truncated, Visit visit) {
    std::vector<std::vector<int>> level{{}};
    int completed = 0;
    for (int k = 1; k <= max_size && !level.empty(); ++k) {
        bool cut = false;
        level = tree.grow(level, cap, &cut);
        truncated = truncated || cut;
        for (const auto& candidate : tree.rank(level))
            if (!visit(candidate)) return completed;
        completed = k;
    }
    return completed;
}

int effective_size(const PdsTree& tree, const ExplanationOptions& options) {
    const int pool = static_cast<int>(tree.nodes().size());
    return options.max_set_size == 0 ? pool : std::min(pool, options.max_set_size);
}

}  // namespace

const char* stop_name(ExplanationStop s) {
    switch (s) {
        case ExplanationStop::Validated:
            return "validated";
        case ExplanationStop::Exhausted:
            return "exhausted";
        case ExplanationStop::TesterCallCap:
            return "tester_call_cap";
        case ExplanationStop::TimeBudget:
            return "time_budget";
    }
    return "unknown";
}

std::vector<std::vector<int>> explanation_candidates(const Pag& pag, int target,
                                                     const ExplanationOptions& options, std::size_t limit) {
    check_arguments(pag, target, options);
    const PdsTree tree = PdsTree::build(pag, target, options.search_radius);
    std::vector<std::vector<int>> out;
    bool truncated = false;
    for_each_candidate(tree, effective_size(tree, options), options.max_candidates_per_size, truncated,
                       [&](const std::vector<int>& c) {
                           out.push_back(c);
                           return limit == 0 || out.size() < limit;
                       });
    return out;
}

ExplanationResult find_explanation(const Pag& pag, int target, const ExplanationTester& tester,
                                   const ExplanationOptions& options) {
    check_arguments(pag, target, options);
    if (!tester)
        fail("CLEANN: no explanation tester given (it must mask a candidate set and re-run the model)");
    if (!options.node_priority.empty() && static_cast<int>(options.node_priority.size()) != pag.num_nodes())
        fail("CLEANN: node_priority has ", options.node_priority.size(), " entries for ", pag.num_nodes(),
             " nodes");
    const PdsTree tree = PdsTree::build(pag, target, options.search_radius);
    const Stopwatch clock;

    ExplanationResult res;
    res.target = target;
    res.possible_dsep = tree.nodes();
    res.pds_tree_depth = tree.depth();
    res.max_set_size = effective_size(tree, options);
    res.stop = ExplanationStop::Exhausted;

    // One tester call with the budgets, the cancel flag and the record of what was tried. Returns
    // nothing when a budget stops the search.
    auto call = [&](const std::vector<int>& candidate) -> std::optional<bool> {
        if (options.max_tester_calls > 0 && res.candidates_tried >= options.max_tester_calls) {
            res.stop = ExplanationStop::TesterCallCap;
            return std::nullopt;
        }
        if (options.time_budget_ms > 0 && clock.elapsed_ms() >= options.time_budget_ms) {
            res.stop = ExplanationStop::TimeBudget;
            return std::nullopt;
        }
        if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed))
            throw CancelledError();
        ++res.candidates_tried;
        if (res.tried.size() < options.max_recorded)
            res.tried.push_back(candidate);
        else
            res.tried_truncated = true;
        res.nodes = candidate;
        return tester(candidate);
    };

    bool phase_cut = false;  // the exhaustive phase spent its own call budget
    const int completed = for_each_candidate(
        tree, res.max_set_size, options.max_candidates_per_size, res.candidates_truncated,
        [&](const std::vector<int>& candidate) {
            if (options.exhaustive_calls > 0 && res.candidates_tried >= options.exhaustive_calls) {
                phase_cut = true;
                return false;
            }
            const auto changed = call(candidate);
            if (!changed) return false;
            if (*changed) {
                res.validated = true;
                res.minimality = "smallest";
                res.stop = ExplanationStop::Validated;
                return false;
            }
            return true;
        });
    res.exhaustive_tried = res.candidates_tried;

    bool whole_pool_fails = false;
    if (phase_cut && !res.validated) {
        // Nested search: prefixes of the pool by (depth, priority); every prefix is legal because all
        // nodes of smaller depth come first.
        std::vector<int> order = tree.nodes();
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
            const int da = tree.min_depth(a), db = tree.min_depth(b);
            if (da != db) return da < db;
            if (options.node_priority.empty()) return a < b;
            return options.node_priority[static_cast<std::size_t>(a)] >
                   options.node_priority[static_cast<std::size_t>(b)];
        });
        auto prefix = [&](int n) {
            std::vector<int> p(order.begin(), order.begin() + n);
            std::sort(p.begin(), p.end());
            return p;
        };
        int lo = completed;  // every legal set of at most this size was tried: a prefix this long fails
        int hi = res.max_set_size;
        const auto full = call(prefix(hi));
        if (full && !*full) whole_pool_fails = true;
        if (full && *full) {
            bool stopped = false;
            while (hi - lo > 1 && !stopped) {
                const int mid = lo + (hi - lo) / 2;
                const auto changed = call(prefix(mid));
                if (!changed)
                    stopped = true;
                else
                    (*changed ? hi : lo) = mid;
            }
            std::vector<int> best = prefix(hi);
            // Prune: drop nodes, farthest first, while the set stays legal and still changes the output.
            for (auto it = order.rbegin(); it != order.rend() && !stopped; ++it) {
                if (best.size() <= 1 || !std::binary_search(best.begin(), best.end(), *it)) continue;
                std::vector<int> smaller;
                for (int v : best)
                    if (v != *it) smaller.push_back(v);
                if (!tree.is_legal(smaller)) continue;
                const auto changed = call(smaller);
                if (!changed)
                    stopped = true;
                else if (*changed)
                    best = std::move(smaller);
            }
            res.validated = true;
            res.nodes = best;
            res.minimality = stopped ? "none" : "one_minimal";
            res.stop = ExplanationStop::Validated;
        }
    }

    std::ostringstream msg;
    if (res.validated) {
        msg << "validated: masking " << set_text(res.nodes) << " changes the output (size "
            << res.nodes.size() << ", " << res.candidates_tried << " model re-runs";
        if (res.minimality == "smallest")
            msg << "; no smaller candidate does)";
        else if (res.minimality == "one_minimal")
            msg << "; nested search: no single node can be dropped)";
        else
            msg << "; nested search stopped by a budget before pruning finished)";
    } else if (res.possible_dsep.empty()) {
        msg << "not validated: node " << target
            << " has no neighbours in the graph, so there is no candidate";
    } else {
        msg << "not validated: ";
        if (res.stop == ExplanationStop::TesterCallCap)
            msg << "stopped at the cap of " << options.max_tester_calls << " tester calls";
        else if (res.stop == ExplanationStop::TimeBudget)
            msg << "stopped by the time budget of " << options.time_budget_ms << " ms after "
                << res.candidates_tried << " candidates";
        else if (whole_pool_fails)
            msg << "masking the whole possible-d-sep set (" << res.max_set_size
                << " nodes) does not change the output";
        else
            msg << "none of the " << res.candidates_tried << " candidates (sizes 1.." << res.max_set_size
                << " within radius " << options.search_radius << ") changes the output";
        msg << "; the last candidate tried was " << set_text(res.nodes);
    }
    if (res.candidates_truncated) msg << " (candidate generation was capped)";
    res.message = msg.str();
    return res;
}

}  // namespace sightline::causal
