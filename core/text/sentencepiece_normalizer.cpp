#include "core/text/sentencepiece_normalizer.h"

#include "core/text/utf8.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";  // U+2581 "▁"
constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

}  // namespace

SentencePieceNormalizer::SentencePieceNormalizer(const SentencePieceNormalizerSpec& spec,
                                                 bool treat_whitespace_as_suffix, const std::string& where)
    : add_dummy_prefix_(spec.add_dummy_prefix),
      remove_extra_whitespaces_(spec.remove_extra_whitespaces),
      escape_whitespaces_(spec.escape_whitespaces),
      treat_whitespace_as_suffix_(treat_whitespace_as_suffix) {
    if (!spec.precompiled_charsmap.empty()) charsmap_ = PrecompiledCharsMap(spec.precompiled_charsmap, where);
}

std::pair<std::string_view, std::size_t> SentencePieceNormalizer::normalize_prefix(
    std::string_view text, const ByteTrie& user_defined) const {
    if (const std::size_t n = user_defined.longest_prefix(text); n > 0) return {text.substr(0, n), n};
    if (!charsmap_.empty()) {
        const auto [replacement, length] = charsmap_.longest_match(text);
        if (length > 0) return {replacement, length};
    }
    const std::size_t n = utf8_sequence_length(text, 0);
    if (n == 0) return {kReplacementChar, 1};  // a malformed byte: U+FFFD for one byte
    return {text.substr(0, n), n};
}

std::string SentencePieceNormalizer::normalize(std::string_view text, const ByteTrie& user_defined) const {
    std::string out;
    if (remove_extra_whitespaces_) {  // leading whitespace
        while (!text.empty()) {
            const auto [norm, consumed] = normalize_prefix(text, user_defined);
            if (norm != " ") break;
            text.remove_prefix(consumed);
        }
    }
    if (text.empty()) return out;
    out.reserve(text.size() * 3);
    const std::string_view space = escape_whitespaces_ ? kSpaceSymbol : std::string_view(" ");
    if (!treat_whitespace_as_suffix_ && add_dummy_prefix_) out.append(space);

    bool prev_space = remove_extra_whitespaces_;
    while (!text.empty()) {
        auto [norm, consumed] = normalize_prefix(text, user_defined);
        while (prev_space && !norm.empty() && norm.front() == ' ') norm.remove_prefix(1);
        if (!norm.empty()) {
            for (const char c : norm) {
                if (escape_whitespaces_ && c == ' ')
                    out.append(kSpaceSymbol);
                else
                    out += c;
            }
            prev_space = norm.back() == ' ';
        }
        text.remove_prefix(consumed);
        if (!remove_extra_whitespaces_) prev_space = false;
    }
    if (remove_extra_whitespaces_) {  // trailing whitespace
        while (ends_with(out, space)) out.resize(out.size() - space.size());
    }
    if (treat_whitespace_as_suffix_ && add_dummy_prefix_) out.append(space);
    return out;
}

}  // namespace sightline
