#pragma once
// The vocabulary of a SentencePiece model as its encoders see it (model_interface.cc semantics):
// pieces with scores and types, id lookup (control / unknown / byte pieces first, then the others,
// else unk), user-defined symbols and the scores the Unigram lattice uses.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/text/byte_trie.h"
#include "core/text/sentencepiece_proto.h"

namespace sightline {

class SentencePieceVocab {
  public:
    SentencePieceVocab() = default;
    // Checks the pieces as SentencePiece does when it loads a model; throws naming `where`.
    // `build_piece_trie`: also index the pieces for prefix search (the Unigram encoder needs it).
    SentencePieceVocab(std::vector<SentencePieceEntry> pieces, bool byte_fallback, bool build_piece_trie,
                       const std::string& where);
    SentencePieceVocab(const SentencePieceVocab&) = delete;
    SentencePieceVocab& operator=(const SentencePieceVocab&) = delete;

    int size() const { return static_cast<int>(entries_.size()); }
    const std::string& piece(int id) const { return entries_[static_cast<std::size_t>(id)].piece; }
    float score(int id) const { return entries_[static_cast<std::size_t>(id)].score; }
    PieceType type(int id) const { return entries_[static_cast<std::size_t>(id)].type; }
    bool is(int id, PieceType t) const { return id >= 0 && id < size() && type(id) == t; }

    // SentencePiece's PieceToId: reserved (control, unknown, byte) pieces, then the others; unk_id()
    // when the piece is not in the vocabulary.
    int piece_to_id(std::string_view piece) const;
    // Id of a NORMAL / USER_DEFINED / UNUSED piece, -1 when none (what BPE merges look up).
    int find_mergeable(std::string_view piece) const;
    // Id of the "<0xNN>" piece of a byte (-1 when the model has none).
    int byte_id(unsigned char byte) const { return byte_ids_[byte]; }

    int unk_id() const { return unk_id_; }
    bool byte_fallback() const { return byte_fallback_; }
    const ByteTrie& user_defined() const { return user_defined_; }
    // NORMAL, USER_DEFINED and UNUSED pieces (empty unless built for the Unigram encoder).
    const ByteTrie& piece_trie() const { return piece_trie_; }
    // Lowest and highest score of the NORMAL pieces (FLT_MAX / FLT_MIN when there are none).
    float min_score() const { return min_score_; }
    float max_score() const { return max_score_; }

  private:
    std::vector<SentencePieceEntry> entries_;
    std::unordered_map<std::string_view, int> mergeable_;  // keys point into entries_
    std::unordered_map<std::string_view, int> reserved_;
    int byte_ids_[256];
    int unk_id_ = -1;
    bool byte_fallback_ = false;
    ByteTrie user_defined_;
    ByteTrie piece_trie_;
    float min_score_ = 0, max_score_ = 0;
};

}  // namespace sightline
