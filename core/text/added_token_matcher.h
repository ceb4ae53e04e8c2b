#pragma once
// Splits text on added tokens ("<image>", "<|im_start|>") before the model sees it, as Hugging Face
// does: leftmost match, longest token first at a position, honouring lstrip / rstrip / single_word.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/byte_trie.h"
#include "core/text/tokenizer_config.h"

namespace sightline {

// A piece of the input: plain text (token < 0) or one added token (token = its id, text = the match).
struct TextSegment {
    std::string_view text;
    int64_t token = -1;
    bool is_token() const { return token >= 0; }
};

class AddedTokenMatcher {
  public:
    AddedTokenMatcher() = default;
    explicit AddedTokenMatcher(const std::vector<AddedToken>& tokens);

    // Segments in order; empty text segments are left out.
    std::vector<TextSegment> split(std::string_view text) const;
    bool empty() const { return count_ == 0; }

  private:
    struct Entry {
        std::string content;
        int64_t id;
        bool lstrip, rstrip, single_word;
    };
    bool matches_at(std::string_view text, std::size_t pos, const Entry& e) const;
    std::vector<Entry> entries_;  // distinct contents (the first token with a content wins)
    ByteTrie trie_;               // content -> index in entries_
    std::size_t count_ = 0;
};

}  // namespace sightline
