#pragma once
// SentencePiece's text normalizer (normalizer.cc semantics): the precompiled character map, leading /
// trailing / repeated whitespace removal, the dummy "▁" prefix (or suffix) and whitespace escaping.
// User-defined symbols are copied through unnormalized.
#include <string>
#include <string_view>

#include "core/text/byte_trie.h"
#include "core/text/sentencepiece_charsmap.h"
#include "core/text/sentencepiece_proto.h"

namespace sightline {

class SentencePieceNormalizer {
  public:
    SentencePieceNormalizer() = default;
    SentencePieceNormalizer(const SentencePieceNormalizerSpec& spec, bool treat_whitespace_as_suffix,
                            const std::string& where);

    void set_add_dummy_prefix(bool on) { add_dummy_prefix_ = on; }
    bool add_dummy_prefix() const { return add_dummy_prefix_; }
    bool remove_extra_whitespaces() const { return remove_extra_whitespaces_; }

    // `user_defined` holds the model's user-defined symbols. Text must be valid UTF-8.
    std::string normalize(std::string_view text, const ByteTrie& user_defined) const;

  private:
    // The normalized form of the first unit of `text` (a user-defined symbol, the longest charsmap
    // rule, else one character) and the number of input bytes it stands for.
    std::pair<std::string_view, std::size_t> normalize_prefix(std::string_view text,
                                                              const ByteTrie& user_defined) const;

    PrecompiledCharsMap charsmap_;
    bool add_dummy_prefix_ = true;
    bool remove_extra_whitespaces_ = true;
    bool escape_whitespaces_ = true;
    bool treat_whitespace_as_suffix_ = false;
};

}  // namespace sightline
