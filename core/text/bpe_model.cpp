#include "core/text/bpe_model.h"

#include <queue>

#include "core/text/byte_level.h"
#include "core/util/error.h"

namespace sightline {
namespace {

constexpr std::size_t kCacheCapacity = 10000;  // words, as the tokenizers library
constexpr std::size_t kCacheMaxWordBytes = 256;

}  // namespace

BpeModel::BpeModel(std::unordered_map<std::string, int64_t> vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges,
                   std::optional<int64_t> unk_id, bool ignore_merges, const std::string& where)
    : vocab_(std::move(vocab)), unk_id_(unk_id), ignore_merges_(ignore_merges) {
    int64_t max_id = -1;
    for (const auto& [p, id] : vocab_) {
        if (id < 0 || id > INT32_MAX) fail(where, ": vocabulary id ", id, " of \"", p, "\" is out of range");
        max_id = std::max(max_id, id);
    }
    pieces_.resize(static_cast<std::size_t>(max_id + 1));
    for (const auto& [p, id] : vocab_) pieces_[static_cast<std::size_t>(id)] = p;

    const auto& alphabet = byte_level_alphabet();
    for (std::size_t b = 0; b < 256; ++b) {
        const auto it = vocab_.find(alphabet[b]);
        byte_ids_[b] = it == vocab_.end() ? -1 : it->second;
    }

    merges_.reserve(merges.size() * 2);
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& [a, b] = merges[rank];
        const auto ia = vocab_.find(a);
        const auto ib = vocab_.find(b);
        if (ia == vocab_.end() || ib == vocab_.end())
            fail(where, ": merge ", rank, " (\"", a, "\" \"", b,
                 "\") uses a piece that is not in the vocabulary");
        const auto ir = vocab_.find(a + b);
        if (ir == vocab_.end())
            fail(where, ": merge ", rank, " (\"", a, "\" \"", b, "\") makes \"", a + b,
                 "\" which is not in the vocabulary");
        // The first occurrence of a pair keeps its rank.
        merges_.emplace(pair_key(ia->second, ib->second), Merge{static_cast<uint32_t>(rank), ir->second});
    }
}

std::optional<int64_t> BpeModel::id(const std::string& p) const {
    const auto it = vocab_.find(p);
    if (it == vocab_.end()) return std::nullopt;
    return it->second;
}

bool BpeModel::has_id(int64_t id) const {
    return id >= 0 && id < size() && !pieces_[static_cast<std::size_t>(id)].empty();
}

const BpeModel::Merge* BpeModel::find_merge(int64_t a, int64_t b) const {
    const auto it = merges_.find(pair_key(a, b));
    return it == merges_.end() ? nullptr : &it->second;
}

std::vector<int64_t> BpeModel::merge_word(std::string_view bytes) const {
    if (ignore_merges_) {
        if (const auto whole = id(to_byte_level(bytes))) return {*whole};
    }
    // Symbols in a doubly linked list; candidates in a min-heap on (rank, position).
    struct Symbol {
        int64_t id;
        int prev, next;
    };
    std::vector<Symbol> symbols;
    symbols.reserve(bytes.size());
    for (const char c : bytes) {
        int64_t id = byte_ids_[static_cast<unsigned char>(c)];
        if (id < 0) {
            if (!unk_id_) continue;  // the tokenizers library drops unknown characters without unk
            id = *unk_id_;
        }
        const int index = static_cast<int>(symbols.size());
        symbols.push_back({id, index - 1, index + 1});
    }
    if (symbols.empty()) return {};
    symbols.back().next = -1;

    using Candidate = std::pair<uint32_t, int>;  // (rank, position of the left symbol)
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i)
        if (const Merge* m = find_merge(symbols[i].id, symbols[i + 1].id))
            heap.push({m->rank, static_cast<int>(i)});

    while (!heap.empty()) {
        const auto [rank, pos] = heap.top();
        heap.pop();
        Symbol& left = symbols[static_cast<std::size_t>(pos)];
        if (left.id < 0 || left.next < 0) continue;  // merged away
        const Merge* m = find_merge(left.id, symbols[static_cast<std::size_t>(left.next)].id);
        if (m == nullptr || m->rank != rank) continue;  // stale candidate
        Symbol& right = symbols[static_cast<std::size_t>(left.next)];
        left.id = m->result;
        left.next = right.next;
        right.id = -1;
        if (left.next >= 0) symbols[static_cast<std::size_t>(left.next)].prev = pos;
        if (left.prev >= 0) {
            const Symbol& before = symbols[static_cast<std::size_t>(left.prev)];
            if (const Merge* mp = find_merge(before.id, left.id)) heap.push({mp->rank, left.prev});
        }
        if (left.next >= 0) {
            if (const Merge* mn = find_merge(left.id, symbols[static_cast<std::size_t>(left.next)].id))
                heap.push({mn->rank, pos});
        }
    }
    std::vector<int64_t> ids;
    for (int i = 0; i >= 0; i = symbols[static_cast<std::size_t>(i)].next)
        ids.push_back(symbols[static_cast<std::size_t>(i)].id);
    return ids;
}

void BpeModel::encode_word(std::string_view bytes, std::vector<int64_t>& out) const {
    const bool cacheable = bytes.size() <= kCacheMaxWordBytes;
    if (cacheable) {
        std::lock_guard<std::mutex> lock(cache_mutex_);
        const auto it = cache_.find(std::string(bytes));
        if (it != cache_.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    std::vector<int64_t> ids = merge_word(bytes);
    out.insert(out.end(), ids.begin(), ids.end());
    if (cacheable) {
        std::lock_guard<std::mutex> lock(cache_mutex_);
        if (cache_.size() < kCacheCapacity) cache_.emplace(std::string(bytes), std::move(ids));
    }
}

}  // namespace sightline
