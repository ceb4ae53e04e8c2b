#include "core/text/utf8.h"

#include <cstdio>

namespace sightline {
namespace {

// Bounds of the second byte of a sequence led by `lead` (Unicode table 3-7); false for a bad lead.
bool second_byte_range(unsigned char lead, unsigned char& lo, unsigned char& hi, std::size_t& length) {
    lo = 0x80;
    hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) lo = 0xA0;
        if (lead == 0xED) hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) lo = 0x90;
        if (lead == 0xF4) hi = 0x8F;
    } else {
        return false;
    }
    return true;
}

// Number of bytes at s[pos] that form a prefix of a well-formed sequence (at least 1), and whether
// that prefix is a complete sequence.
std::size_t maximal_subpart(std::string_view s, std::size_t pos, bool& complete) {
    const auto lead = static_cast<unsigned char>(s[pos]);
    complete = false;
    if (lead < 0x80) {
        complete = true;
        return 1;
    }
    unsigned char lo = 0, hi = 0;
    std::size_t length = 0;
    if (!second_byte_range(lead, lo, hi, length)) return 1;
    std::size_t n = 1;
    while (n < length && pos + n < s.size()) {
        const auto c = static_cast<unsigned char>(s[pos + n]);
        const unsigned char min = n == 1 ? lo : 0x80;
        const unsigned char max = n == 1 ? hi : 0xBF;
        if (c < min || c > max) break;
        ++n;
    }
    complete = n == length;
    return n;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) {
    if (pos >= s.size()) return 0;
    bool complete = false;
    const std::size_t n = maximal_subpart(s, pos, complete);
    return complete ? n : 0;
}

std::size_t find_invalid_utf8(std::string_view s) {
    std::size_t pos = 0;
    while (pos < s.size()) {
        if (static_cast<unsigned char>(s[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const std::size_t n = utf8_sequence_length(s, pos);
        if (n == 0) return pos;
        pos += n;
    }
    return std::string_view::npos;
}

char32_t next_code_point(std::string_view s, std::size_t& pos) {
    const auto lead = static_cast<unsigned char>(s[pos]);
    const std::size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? lead : n == 2 ? (lead & 0x1F) : n == 3 ? (lead & 0x0F) : (lead & 0x07);
    for (std::size_t i = 1; i < n; ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[pos + i]) & 0x3F);
    pos += n;
    return cp;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string utf8_lossy(std::string_view bytes) {
    if (is_valid_utf8(bytes)) return std::string(bytes);
    std::string out;
    out.reserve(bytes.size() + 8);
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        bool complete = false;
        const std::size_t n = maximal_subpart(bytes, pos, complete);
        if (complete)
            out.append(bytes.substr(pos, n));
        else
            out += "\xEF\xBF\xBD";
        pos += n;
    }
    return out;
}

std::string hex_byte_piece(unsigned char byte) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", static_cast<unsigned>(byte));
    return buf;
}

std::string utf8_or_hex_bytes(std::string_view bytes) {
    std::string out;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t n = utf8_sequence_length(bytes, pos);
        if (n > 0) {
            out.append(bytes.substr(pos, n));
            pos += n;
        } else {
            out += hex_byte_piece(static_cast<unsigned char>(bytes[pos]));
            ++pos;
        }
    }
    return out;
}

}  // namespace sightline
