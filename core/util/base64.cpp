#include "core/util/base64.h"

#include "core/util/error.h"

namespace sightline {
namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
int value_of(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}
}  // namespace

std::string base64_encode(const std::vector<std::uint8_t>& data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < data.size(); i += 3) {
        const std::uint32_t b0 = data[i], b1 = i + 1 < data.size() ? data[i + 1] : 0,
                            b2 = i + 2 < data.size() ? data[i + 2] : 0;
        const std::uint32_t v = (b0 << 16) | (b1 << 8) | b2;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += i + 2 < data.size() ? kAlphabet[v & 63] : '=';
    }
    return out;
}

std::vector<std::uint8_t> base64_decode(const std::string& text) {
    std::vector<std::uint8_t> out;
    std::string s;
    for (char c : text)
        if (c != '\n' && c != '\r' && c != ' ') s += c;
    if (s.size() % 4 != 0) fail("base64 text has a length that is not a multiple of 4");
    for (std::size_t i = 0; i < s.size(); i += 4) {
        int v[4];
        for (int k = 0; k < 4; ++k) {
            const char c = s[i + static_cast<std::size_t>(k)];
            if (c == '=' && i + 4 == s.size() && k >= 2)
                v[k] = -2;
            else if ((v[k] = value_of(c)) < 0)
                fail("invalid base64 character '", c, "'");
        }
        if (v[2] == -2 && v[3] != -2) fail("invalid base64 padding");
        const std::uint32_t x = (static_cast<std::uint32_t>(v[0]) << 18) |
                                (static_cast<std::uint32_t>(v[1]) << 12) |
                                (static_cast<std::uint32_t>(v[2] < 0 ? 0 : v[2]) << 6) |
                                static_cast<std::uint32_t>(v[3] < 0 ? 0 : v[3]);
        out.push_back(static_cast<std::uint8_t>(x >> 16));
        if (v[2] >= 0) out.push_back(static_cast<std::uint8_t>((x >> 8) & 0xff));
        if (v[3] >= 0) out.push_back(static_cast<std::uint8_t>(x & 0xff));
    }
    return out;
}

}  // namespace sightline
