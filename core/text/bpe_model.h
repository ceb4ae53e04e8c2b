#pragma once
// The BPE model of a Hugging Face tokenizer.json, as the tokenizers library runs it. A word (one
// pre-token, in the vocabulary's alphabet: byte-level characters for GPT-2-style files, plain text
// with "▁" for SentencePiece-style ones) starts as the ids of its characters and is merged pair by
// pair, lowest merge rank first (leftmost on ties). A character that is not in the vocabulary becomes
// its UTF-8 bytes as "<0xAB>" tokens with byte_fallback, else the unknown token (runs fused with
// fuse_unk), else it is dropped. With ignore_merges a word that is itself in the vocabulary is one
// token. Results for short words are cached (bounded, thread-safe).
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sightline {

struct BpeOptions {
    std::optional<int64_t> unk_id;
    bool fuse_unk = false;
    bool byte_fallback = false;
    bool ignore_merges = false;
    std::string continuing_subword_prefix;  // put before every character but the first of a word
    std::string end_of_word_suffix;         // put after the last character of a word
};

class BpeModel {
  public:
    // vocab: piece -> id (a later duplicate piece wins); merges: pairs of pieces in rank order (a later
    // duplicate pair wins, as in the tokenizers library). Throws naming `where` when a merge names a
    // piece that is not in the vocabulary, or its result is not in it.
    BpeModel(std::vector<std::pair<std::string, int64_t>> vocab,
             const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options,
             const std::string& where);

    // Appends the ids of one pre-tokenized word (valid UTF-8, in the vocabulary's alphabet).
    void encode_word(std::string_view word, std::vector<int64_t>& out) const;

    std::optional<int64_t> id(const std::string& piece) const;
    // Precondition: has_id(id).
    const std::string& piece(int64_t id) const { return *pieces_[static_cast<std::size_t>(id)]; }
    bool has_id(int64_t id) const;
    // One past the largest id.
    int64_t size() const { return static_cast<int64_t>(pieces_.size()); }
    const BpeOptions& options() const { return options_; }

  private:
    struct Merge {
        uint32_t rank;
        int64_t result;
    };
    static uint64_t pair_key(int64_t a, int64_t b) {
        return (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(static_cast<uint32_t>(b));
    }
    const Merge* find_merge(int64_t a, int64_t b) const;
    std::vector<int64_t> merge_word(std::string_view word) const;
    std::vector<int64_t> initial_symbols(std::string_view word) const;

    std::unordered_map<std::string, int64_t> vocab_;
    std::vector<const std::string*> pieces_;  // id -> its key in vocab_ (null for holes)
    std::unordered_map<uint64_t, Merge> merges_;
    int64_t byte_fallback_ids_[256];  // id of "<0xAB>" for each byte, -1 when the vocabulary lacks it
    BpeOptions options_;

    mutable std::mutex cache_mutex_;
    mutable std::unordered_map<std::string, std::vector<int64_t>> cache_;
};

}  // namespace sightline
