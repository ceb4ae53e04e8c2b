#pragma once
// A read-only byte-wise trie over a fixed set of non-empty keys, each with a non-negative value:
// the prefix queries SentencePiece encoding needs (user-defined symbols, the Unigram lattice).
#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace sightline {

class ByteTrie {
  public:
    ByteTrie() { root_.fill(-1); }
    // Keys must be distinct and non-empty; values >= 0.
    explicit ByteTrie(const std::vector<std::pair<std::string_view, int>>& keys);

    bool empty() const { return nodes_.size() <= 1; }

    // Calls f(length, value) for every key that is a prefix of `text`, shortest first.
    template <typename F>
    void for_each_prefix(std::string_view text, F&& f) const {
        int node = 0;
        for (std::size_t i = 0; i < text.size(); ++i) {
            node = child(node, static_cast<unsigned char>(text[i]));
            if (node < 0) return;
            if (nodes_[node].value >= 0) f(i + 1, nodes_[node].value);
        }
    }

    // Length of the longest key that is a prefix of `text`; 0 when none is.
    std::size_t longest_prefix(std::string_view text) const;

  private:
    struct Node {
        int32_t value = -1;
        uint32_t first_edge = 0;
        uint32_t edge_count = 0;
    };
    int child(int node, unsigned char byte) const;

    std::vector<Node> nodes_;            // node 0 is the root
    std::vector<unsigned char> labels_;  // edges of a node: a run sorted by label
    std::vector<int32_t> targets_;
    std::array<int32_t, 256> root_{};  // the root's children, by byte
};

}  // namespace sightline
