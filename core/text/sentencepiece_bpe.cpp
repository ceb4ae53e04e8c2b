#include <queue>
#include <unordered_map>

#include "core/text/sentencepiece_segmenters.h"

namespace sightline {
namespace {

struct Symbol {
    int prev = -1;        // -1 at the start
    int next = -1;        // -1 at the end
    bool frozen = false;  // a user-defined symbol: never merged
    std::string_view piece;
};

struct Candidate {
    float score;
    int left, right;
    std::size_t size;  // bytes of the merged piece: stale when the symbols changed since
};

// Highest score first; on equal scores the leftmost pair.
struct CandidateOrder {
    bool operator()(const Candidate& a, const Candidate& b) const {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

class BpeMerger {
  public:
    BpeMerger(const SentencePieceVocab& vocab, std::string_view text) : vocab_(vocab) {
        symbols_.reserve(text.size());
        while (!text.empty()) {
            Symbol s;
            std::size_t n = vocab.user_defined().longest_prefix(text);
            s.frozen = n > 0;
            if (n == 0) n = sp_char_length(text, 0);
            s.piece = text.substr(0, n);
            const int index = static_cast<int>(symbols_.size());
            s.prev = index - 1;
            text.remove_prefix(n);
            s.next = text.empty() ? -1 : index + 1;
            symbols_.push_back(s);
        }
    }

    std::vector<PieceSpan> run() {
        if (symbols_.empty()) return {};
        for (std::size_t i = 1; i < symbols_.size(); ++i)
            consider(static_cast<int>(i) - 1, static_cast<int>(i));
        while (!agenda_.empty()) {
            const Candidate top = agenda_.top();
            agenda_.pop();
            Symbol& left = symbols_[static_cast<std::size_t>(top.left)];
            Symbol& right = symbols_[static_cast<std::size_t>(top.right)];
            if (left.piece.empty() || right.piece.empty() ||
                left.piece.size() + right.piece.size() != top.size)
                continue;
            left.piece = std::string_view(left.piece.data(), left.piece.size() + right.piece.size());
            left.next = right.next;
            if (right.next >= 0) symbols_[static_cast<std::size_t>(right.next)].prev = top.left;
            right.piece = {};
            consider(left.prev, top.left);
            consider(top.left, left.next);
        }
        std::vector<PieceSpan> out;
        for (int i = 0; i != -1; i = symbols_[static_cast<std::size_t>(i)].next)
            resegment(symbols_[static_cast<std::size_t>(i)].piece, out);
        return out;
    }

  private:
    void consider(int left, int right) {
        if (left < 0 || right < 0) return;
        const Symbol& l = symbols_[static_cast<std::size_t>(left)];
        const Symbol& r = symbols_[static_cast<std::size_t>(right)];
        if (l.frozen || r.frozen) return;
        const std::string_view merged(l.piece.data(), l.piece.size() + r.piece.size());
        const int id = vocab_.find_mergeable(merged);
        if (id < 0) return;
        agenda_.push({vocab_.score(id), left, right, merged.size()});
        // An UNUSED piece may be a merge step but not an output: remember how to split it again.
        if (vocab_.type(id) == PieceType::Unused) unmerge_[merged] = {l.piece, r.piece};
    }

    void resegment(std::string_view piece, std::vector<PieceSpan>& out) const {
        const int id = vocab_.piece_to_id(piece);
        const auto split = unmerge_.find(piece);
        if (vocab_.type(id) != PieceType::Unused || split == unmerge_.end()) {
            out.emplace_back(piece, id);
            return;
        }
        resegment(split->second.first, out);
        resegment(split->second.second, out);
    }

    const SentencePieceVocab& vocab_;
    std::vector<Symbol> symbols_;
    std::priority_queue<Candidate, std::vector<Candidate>, CandidateOrder> agenda_;
    std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>> unmerge_;
};

}  // namespace

std::vector<PieceSpan> segment_bpe(const SentencePieceVocab& vocab, std::string_view normalized) {
    return BpeMerger(vocab, normalized).run();
}

}  // namespace sightline
