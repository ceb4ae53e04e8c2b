#include "core/text/sentencepiece_vocab.h"

#include <algorithm>
#include <cfloat>

#include "core/util/error.h"

namespace sightline {
namespace {

bool is_mergeable_type(PieceType t) {
    return t == PieceType::Normal || t == PieceType::UserDefined || t == PieceType::Unused;
}

// The byte of a "<0xNN>" piece (upper-case hex, as SentencePiece writes them), -1 for anything else.
int byte_of_piece(std::string_view p) {
    if (p.size() != 6 || p.substr(0, 3) != "<0x" || p[5] != '>') return -1;
    int value = 0;
    for (const char c : p.substr(3, 2)) {
        const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

}  // namespace

SentencePieceVocab::SentencePieceVocab(std::vector<SentencePieceEntry> pieces, bool byte_fallback,
                                       bool build_piece_trie, const std::string& where)
    : entries_(std::move(pieces)), byte_fallback_(byte_fallback) {
    const auto bad = [&](const auto&... why) {
        fail(where, " is not a valid SentencePiece model: ", why...);
    };
    if (entries_.empty()) bad("empty vocabulary");
    std::fill(std::begin(byte_ids_), std::end(byte_ids_), -1);
    std::vector<std::pair<std::string_view, int>> user_defined;
    std::vector<std::pair<std::string_view, int>> trie_keys;
    mergeable_.reserve(entries_.size());
    min_score_ = FLT_MAX;
    max_score_ = FLT_MIN;
    for (int id = 0; id < size(); ++id) {
        const SentencePieceEntry& e = entries_[static_cast<std::size_t>(id)];
        const std::string_view p = e.piece;
        if (p.empty()) bad("piece ", id, " is empty");
        if (p.find('\0') != std::string_view::npos) bad("piece ", id, " contains a null character");
        auto& map = is_mergeable_type(e.type) ? mergeable_ : reserved_;
        if (!map.emplace(p, id).second) bad("piece \"", p, "\" is defined twice");
        if (is_mergeable_type(e.type)) trie_keys.emplace_back(p, id);
        if (e.type == PieceType::UserDefined) user_defined.emplace_back(p, id);
        if (e.type == PieceType::Normal) {
            min_score_ = std::min(min_score_, e.score);
            max_score_ = std::max(max_score_, e.score);
        }
        if (e.type == PieceType::Unknown) {
            if (unk_id_ >= 0) bad("more than one unknown piece");
            unk_id_ = id;
        }
        if (e.type == PieceType::Byte) {
            if (!byte_fallback_) bad("byte piece ", p, " although byte_fallback is false");
            const int byte = byte_of_piece(p);
            if (byte < 0) bad("invalid byte piece ", p);
            byte_ids_[byte] = id;
        }
    }
    if (unk_id_ < 0) bad("no unknown piece");
    if (byte_fallback_ && std::find(std::begin(byte_ids_), std::end(byte_ids_), -1) != std::end(byte_ids_))
        bad("byte_fallback is true but the 256 byte pieces are not all there");
    user_defined_ = ByteTrie(user_defined);
    if (build_piece_trie) piece_trie_ = ByteTrie(trie_keys);
}

int SentencePieceVocab::piece_to_id(std::string_view piece) const {
    if (const auto it = reserved_.find(piece); it != reserved_.end()) return it->second;
    if (const auto it = mergeable_.find(piece); it != mergeable_.end()) return it->second;
    return unk_id_;
}

int SentencePieceVocab::find_mergeable(std::string_view piece) const {
    const auto it = mergeable_.find(piece);
    return it == mergeable_.end() ? -1 : it->second;
}

}  // namespace sightline
