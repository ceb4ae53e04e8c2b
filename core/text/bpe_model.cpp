#include "core/text/bpe_model.h"

#include <queue>

#include "core/text/utf8.h"
#include "core/util/error.h"

namespace sightline {
namespace {

constexpr std::size_t kCacheCapacity = 10000;  // words, as the tokenizers library
constexpr std::size_t kCacheMaxWordBytes = 256;

}  // namespace

BpeModel::BpeModel(std::vector<std::pair<std::string, int64_t>> vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options,
                   const std::string& where)
    : options_(std::move(options)) {
    vocab_.reserve(vocab.size());
    int64_t max_id = -1;
    for (auto& [p, id] : vocab) {
        if (id < 0 || id > INT32_MAX) fail(where, ": vocabulary id ", id, " of \"", p, "\" is out of range");
        max_id = std::max(max_id, id);
        vocab_.insert_or_assign(std::move(p), id);
    }
    vocab = {};
    pieces_.assign(static_cast<std::size_t>(max_id + 1), nullptr);
    for (const auto& [p, id] : vocab_) pieces_[static_cast<std::size_t>(id)] = &p;

    for (int b = 0; b < 256; ++b) {
        const auto it = vocab_.find(hex_byte_piece(static_cast<unsigned char>(b)));
        byte_fallback_ids_[b] = it == vocab_.end() ? -1 : it->second;
    }

    const std::size_t prefix_len = options_.continuing_subword_prefix.size();
    merges_.reserve(merges.size());
    std::string joined;
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& [a, b] = merges[rank];
        const auto ia = vocab_.find(a);
        const auto ib = vocab_.find(b);
        if (ia == vocab_.end() || ib == vocab_.end())
            fail(where, ": merge ", rank, " (\"", a, "\" \"", b,
                 "\") uses a piece that is not in the vocabulary");
        if (b.size() < prefix_len)
            fail(where, ": merge ", rank, " (\"", a, "\" \"", b,
                 "\") is shorter than continuing_subword_prefix");
        joined.assign(a);
        joined.append(b, prefix_len, std::string::npos);
        const auto ir = vocab_.find(joined);
        if (ir == vocab_.end())
            fail(where, ": merge ", rank, " (\"", a, "\" \"", b, "\") makes \"", joined,
                 "\" which is not in the vocabulary");
        merges_[pair_key(ia->second, ib->second)] = Merge{static_cast<uint32_t>(rank), ir->second};
    }
}

std::optional<int64_t> BpeModel::id(const std::string& p) const {
    const auto it = vocab_.find(p);
    if (it == vocab_.end()) return std::nullopt;
    return it->second;
}

bool BpeModel::has_id(int64_t id) const {
    return id >= 0 && id < size() && pieces_[static_cast<std::size_t>(id)] != nullptr;
}

const BpeModel::Merge* BpeModel::find_merge(int64_t a, int64_t b) const {
    const auto it = merges_.find(pair_key(a, b));
    return it == merges_.end() ? nullptr : &it->second;
}

std::vector<int64_t> BpeModel::initial_symbols(std::string_view word) const {
    std::vector<int64_t> ids;
    ids.reserve(word.size());
    bool unk_pending = false;  // an unknown token not yet written (fuse_unk joins a run of them)
    std::string s;
    std::size_t pos = 0;
    while (pos < word.size()) {
        std::size_t len = utf8_sequence_length(word, pos);
        if (len == 0) len = 1;
        const bool first = pos == 0;
        const bool last = pos + len >= word.size();
        s.clear();
        if (!first) s += options_.continuing_subword_prefix;
        s.append(word.substr(pos, len));
        if (last) s += options_.end_of_word_suffix;
        pos += len;

        const auto it = vocab_.find(s);
        if (it != vocab_.end()) {
            if (unk_pending) ids.push_back(*options_.unk_id);
            unk_pending = false;
            ids.push_back(it->second);
            continue;
        }
        if (options_.byte_fallback) {
            bool all = true;
            for (const char c : s) all = all && byte_fallback_ids_[static_cast<unsigned char>(c)] >= 0;
            if (all) {
                // As the tokenizers library: a pending unknown token is written after these bytes.
                for (const char c : s) ids.push_back(byte_fallback_ids_[static_cast<unsigned char>(c)]);
                continue;
            }
        }
        if (!options_.unk_id) continue;  // dropped, as the tokenizers library does without unk_token
        if (unk_pending && !options_.fuse_unk) ids.push_back(*options_.unk_id);
        unk_pending = true;
    }
    if (unk_pending) ids.push_back(*options_.unk_id);
    return ids;
}

std::vector<int64_t> BpeModel::merge_word(std::string_view word) const {
    if (options_.ignore_merges) {
        if (const auto whole = id(std::string(word))) return {*whole};
    }
    // Symbols in a doubly linked list; candidates in a min-heap on (rank, position).
    struct Symbol {
        int64_t id;
        int prev, next;
    };
    const std::vector<int64_t> initial = initial_symbols(word);
    if (initial.empty()) return {};
    std::vector<Symbol> symbols;
    symbols.reserve(initial.size());
    for (std::size_t i = 0; i < initial.size(); ++i)
        symbols.push_back({initial[i], static_cast<int>(i) - 1, static_cast<int>(i) + 1});
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

void BpeModel::encode_word(std::string_view word, std::vector<int64_t>& out) const {
    if (word.empty()) return;
    const bool cacheable = word.size() <= kCacheMaxWordBytes;
    if (cacheable) {
        std::lock_guard<std::mutex> lock(cache_mutex_);
        const auto it = cache_.find(std::string(word));
        if (it != cache_.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    std::vector<int64_t> ids = merge_word(word);
    out.insert(out.end(), ids.begin(), ids.end());
    if (cacheable) {
        std::lock_guard<std::mutex> lock(cache_mutex_);
        if (cache_.size() < kCacheCapacity) cache_.emplace(std::string(word), std::move(ids));
    }
}

}  // namespace sightline
