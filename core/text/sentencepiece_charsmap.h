#pragma once
// NormalizerSpec.precompiled_charsmap: the character mapping rules a SentencePiece normalizer
// (nmt_nfkc, nfkc_cf, ...) was compiled into. Layout: a little-endian uint32 with the byte size of a
// darts-clone double-array trie, the trie's 32-bit units, then the replacement strings, each ending
// in '\0'. A trie key is an input byte sequence; its value is the offset of its replacement.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sightline {

class PrecompiledCharsMap {
  public:
    PrecompiledCharsMap() = default;
    // Throws sightline::Error naming `where` when the blob is malformed.
    PrecompiledCharsMap(std::string_view blob, const std::string& where);

    bool empty() const { return units_.empty(); }

    // The longest rule whose key is a prefix of `input`: {replacement, key length}; the length is 0
    // when no rule matches.
    std::pair<std::string_view, std::size_t> longest_match(std::string_view input) const;

  private:
    std::vector<uint32_t> units_;
    std::string replacements_;
};

}  // namespace sightline
