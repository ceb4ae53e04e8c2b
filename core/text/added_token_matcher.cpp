#include "core/text/added_token_matcher.h"

#include <unicode/uchar.h>

#include <algorithm>

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
    for (const auto& t : tokens) {
        if (t.content.empty()) continue;
        by_first_byte_[static_cast<unsigned char>(t.content[0])].push_back(
            {t.content, t.id, t.lstrip, t.rstrip, t.single_word});
        ++count_;
    }
    for (auto& list : by_first_byte_)
        std::stable_sort(list.begin(), list.end(),
                         [](const Entry& a, const Entry& b) { return a.content.size() > b.content.size(); });
}

bool AddedTokenMatcher::matches_at(std::string_view text, std::size_t pos, const Entry& e) const {
    if (text.compare(pos, e.content.size(), e.content) != 0) return false;
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
    while (pos < text.size()) {
        const Entry* hit = nullptr;
        for (const auto& e : by_first_byte_[static_cast<unsigned char>(text[pos])]) {
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
