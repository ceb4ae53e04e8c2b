#include "core/text/byte_trie.h"

#include <algorithm>

namespace sightline {

ByteTrie::ByteTrie(const std::vector<std::pair<std::string_view, int>>& keys) : ByteTrie() {
    // Build with per-node edge lists, then flatten them into sorted runs.
    std::vector<std::vector<std::pair<unsigned char, int32_t>>> edges(1);
    std::vector<int32_t> values(1, -1);
    for (const auto& [key, value] : keys) {
        int node = 0;
        for (const char c : key) {
            const auto byte = static_cast<unsigned char>(c);
            auto& out = edges[node];
            const auto hit =
                std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == byte; });
            if (hit != out.end()) {
                node = hit->second;
                continue;
            }
            const auto next = static_cast<int32_t>(edges.size());
            out.emplace_back(byte, next);
            edges.emplace_back();
            values.push_back(-1);
            node = next;
        }
        values[node] = value;
    }
    nodes_.resize(edges.size());
    for (std::size_t n = 0; n < edges.size(); ++n) {
        auto& out = edges[n];
        std::sort(out.begin(), out.end());
        nodes_[n].value = values[n];
        nodes_[n].first_edge = static_cast<uint32_t>(labels_.size());
        nodes_[n].edge_count = static_cast<uint32_t>(out.size());
        for (const auto& [label, target] : out) {
            labels_.push_back(label);
            targets_.push_back(target);
        }
    }
    for (const auto& [label, target] : edges[0]) root_[label] = target;
}

int ByteTrie::child(int node, unsigned char byte) const {
    if (node == 0) return root_[byte];
    const Node& n = nodes_[node];
    const auto first = labels_.begin() + n.first_edge;
    const auto last = first + n.edge_count;
    const auto hit = std::lower_bound(first, last, byte);
    if (hit == last || *hit != byte) return -1;
    return targets_[static_cast<std::size_t>(hit - labels_.begin())];
}

std::size_t ByteTrie::longest_prefix(std::string_view text) const {
    std::size_t longest = 0;
    for_each_prefix(text, [&](std::size_t length, int) { longest = length; });
    return longest;
}

}  // namespace sightline
