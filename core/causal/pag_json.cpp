#include "core/causal/pag_json.h"

#include "core/util/error.h"

#include <algorithm>

namespace sightline::causal {

std::string edge_type(const Pag& pag, int a, int b) {
    if (!pag.adjacent(a, b)) fail("PAG: nodes ", a, " and ", b, " are not adjacent");
    auto left = [](Mark m) { return m == Mark::Arrow ? '<' : m == Mark::Circle ? 'o' : '-'; };
    auto right = [](Mark m) { return m == Mark::Arrow ? '>' : m == Mark::Circle ? 'o' : '-'; };
    return std::string{left(pag.mark_at(b, a)), '-', right(pag.mark_at(a, b))};
}

nlohmann::json pag_to_json(const Pag& pag, const std::vector<std::string>& labels, int target,
                           const std::vector<int>& highlighted) {
    const int n = pag.num_nodes();
    if (!labels.empty() && labels.size() != static_cast<std::size_t>(n))
        fail("PAG JSON: ", labels.size(), " labels for ", n, " nodes");
    if (target < -1 || target >= n) fail("PAG JSON: target node ", target, " outside 0..", n - 1);
    for (int h : highlighted)
        if (h < 0 || h >= n) fail("PAG JSON: highlighted node ", h, " outside 0..", n - 1);

    nlohmann::json nodes = nlohmann::json::array();
    for (int i = 0; i < n; ++i) {
        nodes.push_back(
            {{"id", i},
             {"label", labels.empty() ? std::to_string(i) : labels[static_cast<std::size_t>(i)]},
             {"is_target", i == target},
             {"highlighted", std::find(highlighted.begin(), highlighted.end(), i) != highlighted.end()}});
    }
    nlohmann::json edges = nlohmann::json::array();
    for (auto [a, b] : pag.edges()) {
        edges.push_back({{"from", a},
                         {"to", b},
                         {"mark_from", mark_name(pag.mark_at(b, a))},
                         {"mark_to", mark_name(pag.mark_at(a, b))},
                         {"type", edge_type(pag, a, b)}});
    }
    return {{"num_nodes", n}, {"nodes", std::move(nodes)}, {"edges", std::move(edges)}};
}

}  // namespace sightline::causal
