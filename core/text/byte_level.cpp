#include "core/text/byte_level.h"

#include <unordered_map>

#include "core/text/utf8.h"

namespace sightline {
namespace {

// bytes_to_unicode(): printable Latin-1 bytes stand for themselves, the other 68 bytes take the code
// points 256, 257, ... in byte order.
std::array<char32_t, 256> make_code_points() {
    std::array<char32_t, 256> cps{};
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable =
            (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        cps[static_cast<std::size_t>(b)] = printable ? static_cast<char32_t>(b) : next++;
    }
    return cps;
}

const std::unordered_map<char32_t, unsigned char>& code_point_to_byte() {
    static const std::unordered_map<char32_t, unsigned char> map = [] {
        std::unordered_map<char32_t, unsigned char> m;
        const auto cps = make_code_points();
        for (std::size_t b = 0; b < cps.size(); ++b) m[cps[b]] = static_cast<unsigned char>(b);
        return m;
    }();
    return map;
}

}  // namespace

const std::array<std::string, 256>& byte_level_alphabet() {
    static const std::array<std::string, 256> alphabet = [] {
        std::array<std::string, 256> a;
        const auto cps = make_code_points();
        for (std::size_t b = 0; b < cps.size(); ++b) append_utf8(a[b], cps[b]);
        return a;
    }();
    return alphabet;
}

std::string to_byte_level(std::string_view bytes) {
    const auto& alphabet = byte_level_alphabet();
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) out += alphabet[static_cast<unsigned char>(c)];
    return out;
}

std::optional<std::string> from_byte_level(std::string_view text) {
    const auto& map = code_point_to_byte();
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (utf8_sequence_length(text, pos) == 0) return std::nullopt;
        const auto it = map.find(next_code_point(text, pos));
        if (it == map.end()) return std::nullopt;
        out += static_cast<char>(it->second);
    }
    return out;
}

}  // namespace sightline
