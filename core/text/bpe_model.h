#pragma once
// Byte-level BPE: a word's bytes start as the vocabulary ids of their byte-level characters and are
// merged pair by pair, lowest merge rank first (leftmost on ties), as the Hugging Face tokenizers
// library does. Results for short words are cached (bounded, thread-safe).
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sightline {

class BpeModel {
  public:
    // vocab: piece (byte-level text) -> id; merges: pairs of pieces in rank order. Throws naming
    // `where` when a merge names a piece that is not in the vocabulary, or its result is not in it.
    BpeModel(std::unordered_map<std::string, int64_t> vocab,
             const std::vector<std::pair<std::string, std::string>>& merges, std::optional<int64_t> unk_id,
             bool ignore_merges, const std::string& where);

    // Appends the ids of one pre-tokenized word given as raw bytes.
    void encode_word(std::string_view bytes, std::vector<int64_t>& out) const;

    std::optional<int64_t> id(const std::string& piece) const;
    const std::string& piece(int64_t id) const { return pieces_[static_cast<std::size_t>(id)]; }
    bool has_id(int64_t id) const;
    // One past the largest id.
    int64_t size() const { return static_cast<int64_t>(pieces_.size()); }

  private:
    struct Merge {
        uint32_t rank;
        int64_t result;
    };
    static uint64_t pair_key(int64_t a, int64_t b) {
        return (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(static_cast<uint32_t>(b));
    }
    const Merge* find_merge(int64_t a, int64_t b) const;
    std::vector<int64_t> merge_word(std::string_view bytes) const;

    std::unordered_map<std::string, int64_t> vocab_;
    std::vector<std::string> pieces_;  // id -> piece ("" for holes)
    std::unordered_map<uint64_t, Merge> merges_;
    int64_t byte_ids_[256];  // id of each byte's character, -1 when the vocabulary lacks it
    std::optional<int64_t> unk_id_;
    bool ignore_merges_ = false;

    mutable std::mutex cache_mutex_;
    mutable std::unordered_map<std::string, std::vector<int64_t>> cache_;
};

}  // namespace sightline
