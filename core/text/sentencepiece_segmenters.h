#pragma once
// The four SentencePiece model types, each splitting normalized text into pieces with their ids
// exactly as the official library does (bpe_model.cc, unigram_model.cc, word_model.cc,
// char_model.cc). Unknown pieces come out with vocab.unk_id(); byte fallback happens later.
#include <string_view>
#include <utility>
#include <vector>

#include "core/text/sentencepiece_vocab.h"

namespace sightline {

using PieceSpan = std::pair<std::string_view, int>;  // a substring of the normalized text, its id

// Repeatedly merges the adjacent pair whose concatenation is a piece with the highest score
// (leftmost on ties); user-defined symbols are matched whole and never merged.
std::vector<PieceSpan> segment_bpe(const SentencePieceVocab& vocab, std::string_view normalized);
// Viterbi over all pieces that occur in the text; a character no piece covers is unk with
// min_score - 10. Needs a vocabulary built with the piece trie.
std::vector<PieceSpan> segment_unigram(const SentencePieceVocab& vocab, std::string_view normalized);
// Splits before every "▁"; each word is one piece (or unk).
std::vector<PieceSpan> segment_words(const SentencePieceVocab& vocab, std::string_view normalized);
// One piece per character (user-defined symbols whole).
std::vector<PieceSpan> segment_chars(const SentencePieceVocab& vocab, std::string_view normalized);

// SentencePiece's OneCharLen: the length a UTF-8 lead byte announces (1 for a stray byte), clipped
// to what is left of `s` from `pos`.
std::size_t sp_char_length(std::string_view s, std::size_t pos);

}  // namespace sightline
