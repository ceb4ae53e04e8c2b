#include <algorithm>

#include "core/text/sentencepiece_segmenters.h"

namespace sightline {
namespace {

constexpr float kUnknownPenalty = 10.0f;

// The best segmentation of the text up to a byte position: its last piece and total score.
struct BestPath {
    int id = -1;
    float score = 0.0f;
    int starts_at = -1;  // -1: no path ends here yet
};

}  // namespace

// SentencePiece's optimized Viterbi (EncodeOptimized). The arithmetic is kept as the library has it
// so that exact ties break the same way: a piece's candidate score is computed in double (the
// user-defined bonus is a double expression) and stored as float; the unknown candidate is float.
std::vector<PieceSpan> segment_unigram(const SentencePieceVocab& vocab, std::string_view normalized) {
    if (normalized.empty()) return {};
    const std::size_t size = normalized.size();
    const float unk_score = vocab.min_score() - kUnknownPenalty;
    const float max_score = vocab.max_score();
    std::vector<BestPath> best(size + 1);
    std::size_t start = 0;
    while (start < size) {
        const float till_here = best[start].score;
        const std::size_t char_length = sp_char_length(normalized, start);
        bool has_single_char_piece = false;
        vocab.piece_trie().for_each_prefix(normalized.substr(start), [&](std::size_t length, int id) {
            const PieceType type = vocab.type(id);
            if (type == PieceType::Unused) return;
            const double score = type == PieceType::UserDefined
                                     ? static_cast<double>(static_cast<float>(length) * max_score) - 0.1
                                     : static_cast<double>(vocab.score(id));
            const double candidate = score + static_cast<double>(till_here);
            BestPath& target = best[start + length];
            if (target.starts_at == -1 || candidate > static_cast<double>(target.score)) {
                target.score = static_cast<float>(candidate);
                target.starts_at = static_cast<int>(start);
                target.id = id;
            }
            if (length == char_length) has_single_char_piece = true;
        });
        if (!has_single_char_piece) {
            BestPath& target = best[start + char_length];
            const float candidate = unk_score + till_here;
            if (target.starts_at == -1 || candidate > target.score) {
                target.score = candidate;
                target.starts_at = static_cast<int>(start);
                target.id = vocab.unk_id();
            }
        }
        start += char_length;
    }
    std::vector<PieceSpan> out;
    for (std::size_t end = size; end > 0;) {
        const BestPath& node = best[end];
        const auto begin = static_cast<std::size_t>(node.starts_at);
        out.emplace_back(normalized.substr(begin, end - begin), node.id);
        end = begin;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace sightline
