#include <algorithm>

#include "core/text/sentencepiece_segmenters.h"

namespace sightline {
namespace {

constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";  // U+2581 "▁"

}  // namespace

std::size_t sp_char_length(std::string_view s, std::size_t pos) {
    static constexpr unsigned char kLength[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    const std::size_t n = kLength[static_cast<unsigned char>(s[pos]) >> 4];
    return std::min(n, s.size() - pos);
}

// SplitIntoWords as the word model calls it (whitespace as a prefix): a new word starts at the
// beginning and at every "▁".
std::vector<PieceSpan> segment_words(const SentencePieceVocab& vocab, std::string_view normalized) {
    std::vector<std::string_view> words;
    std::size_t pos = 0;
    while (pos < normalized.size()) {
        const std::size_t n = sp_char_length(normalized, pos);
        if (pos == 0 || normalized.substr(pos, n) == kSpaceSymbol) words.push_back(normalized.substr(pos, 0));
        words.back() = std::string_view(words.back().data(), words.back().size() + n);
        pos += n;
    }
    std::vector<PieceSpan> out;
    out.reserve(words.size());
    for (const auto w : words) out.emplace_back(w, vocab.piece_to_id(w));
    return out;
}

std::vector<PieceSpan> segment_chars(const SentencePieceVocab& vocab, std::string_view normalized) {
    std::vector<PieceSpan> out;
    while (!normalized.empty()) {
        std::size_t n = vocab.user_defined().longest_prefix(normalized);
        if (n == 0) n = sp_char_length(normalized, 0);
        out.emplace_back(normalized.substr(0, n), vocab.piece_to_id(normalized.substr(0, n)));
        normalized.remove_prefix(n);
    }
    return out;
}

}  // namespace sightline
