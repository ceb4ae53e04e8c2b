#include "core/text/added_token_matcher.h"

#include <unicode/uchar.h>

#include <string>
#include <unordered_set>

#include "core/text/utf8.h"

namespace sightline {
namespace {

bool is_space_byte(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Whether the character that ends at `end` (exclusive) is a word character (letter, digit, '_').
bool word_char_before(std::string_view text, std::size_t end) {
    if (end == 0) return false;
    std::size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    if (utf8_sequence_length(text, start) != end - start) return false;
    std::size_t pos = start;
    const char32_t cp = next_code_point(text, pos);
    return cp == U'_' || u_isalnum(static_cast<UChar32>(cp));
}

bool word_char_at(std::string_view text, std::size_t pos) {
    if (pos >= text.size() || utf8_sequence_length(text, pos) == 0) return false;
    const char32_t cp = next_code_point(text, pos);
    return cp == U'_' || u_isalnum(static_cast<UChar32>(cp));
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(const std::vector<AddedToken>& tokens) {
    std::unordered_set<std::string_view> seen;
    entries_.reserve(tokens.size());
    for (const auto& t : tokens) {
        if (t.content.empty() || !seen.insert(t.content).second) continue;
        entries_.push_back({t.content, t.id, t.lstrip, t.rstrip, t.single_word});
    }
    std::vector<std::pair<std::string_view, int>> keys;
    keys.reserve(entries_.size());
    for (std::size_t i = 0; i < entries_.size(); ++i)
        keys.emplace_back(entries_[i].content, static_cast<int>(i));
    trie_ = ByteTrie(keys);
    count_ = entries_.size();
}

bool AddedTokenMatcher::matches_at(std::string_view text, std::size_t pos, const Entry& e) const {
    if (!e.single_word) return true;
    return !word_char_before(text, pos) && !word_char_at(text, pos + e.content.size());
}

std::vector<TextSegment> AddedTokenMatcher::split(std::string_view text) const {
    std::vector<TextSegment> out;
    if (count_ == 0) {
        if (!text.empty()) out.push_back({text, -1});
        return out;
    }
    std::size_t segment_start = 0;
    std::size_t pos = 0;
    std::vector<int> candidates;
    while (pos < text.size()) {
        // Tokens that start here, longest first: the first that may match here wins.
        candidates.clear();
        trie_.for_each_prefix(text.substr(pos), [&](std::size_t, int index) { candidates.push_back(index); });
        const Entry* hit = nullptr;
        for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
            const Entry& e = entries_[static_cast<std::size_t>(*it)];
            if (matches_at(text, pos, e)) {
                hit = &e;
                break;
            }
        }
        if (hit == nullptr) {
            ++pos;
            continue;
        }
        std::size_t start = pos;
        std::size_t end = pos + hit->content.size();
        if (hit->lstrip)
            while (start > segment_start && is_space_byte(text[start - 1])) --start;
        if (hit->rstrip)
            while (end < text.size() && is_space_byte(text[end])) ++end;
        if (start > segment_start) out.push_back({text.substr(segment_start, start - segment_start), -1});
        out.push_back({text.substr(start, end - start), hit->id});
        segment_start = end;
        pos = end;
    }
    if (segment_start < text.size()) out.push_back({text.substr(segment_start), -1});
    return out;
}

}  // namespace sightline
