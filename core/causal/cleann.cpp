#include "core/causal/cleann.h"

#include "core/causal/pds_tree.h"
#include "core/util/error.h"

#include <algorithm>
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
// `truncated` is set when candidate generation hit the cap.
template <typename Visit>
void for_each_candidate(const PdsTree& tree, int max_size, std::size_t cap, bool& truncated, Visit visit) {
    std::vector<std::vector<int>> level{{}};
    for (int k = 1; k <= max_size && !level.empty(); ++k) {
        bool cut = false;
        level = tree.grow(level, cap, &cut);
        truncated = truncated || cut;
        for (const auto& candidate : tree.rank(level))
            if (!visit(candidate)) return;
    }
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
    const PdsTree tree = PdsTree::build(pag, target, options.search_radius);

    ExplanationResult res;
    res.target = target;
    res.possible_dsep = tree.nodes();
    res.pds_tree_depth = tree.depth();
    res.max_set_size = effective_size(tree, options);
    res.stop = ExplanationStop::Exhausted;

    for_each_candidate(
        tree, res.max_set_size, options.max_candidates_per_size, res.candidates_truncated,
        [&](const std::vector<int>& candidate) {
            if (options.max_tester_calls > 0 && res.candidates_tried >= options.max_tester_calls) {
                res.stop = ExplanationStop::TesterCallCap;
                return false;
            }
            if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed))
                throw CancelledError();
            ++res.candidates_tried;
            if (res.tried.size() < options.max_recorded)
                res.tried.push_back(candidate);
            else
                res.tried_truncated = true;
            res.nodes = candidate;
            if (tester(candidate)) {
                res.validated = true;
                res.stop = ExplanationStop::Validated;
                return false;
            }
            return true;
        });

    std::ostringstream msg;
    if (res.validated) {
        msg << "validated: masking " << set_text(res.nodes) << " changes the output (candidate "
            << res.candidates_tried << ", size " << res.nodes.size() << ")";
    } else if (res.possible_dsep.empty()) {
        msg << "not validated: node " << target
            << " has no neighbours in the graph, so there is no candidate";
    } else {
        msg << "not validated: ";
        if (res.stop == ExplanationStop::TesterCallCap)
            msg << "stopped at the cap of " << options.max_tester_calls << " tester calls";
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
