#pragma once
// Random text for cross-checking SentencePiece implementations: mixes of ASCII words, punctuation,
// digits, whitespace runs, newlines, accented letters, other scripts, CJK, emoji, compatibility
// characters (what NFKC rewrites) and SentencePiece's own markers ("▁", "<s>", "<0x41>").
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/text/utf8.h"

namespace sightline::test {

class SampleTextGenerator {
  public:
    explicit SampleTextGenerator(uint32_t seed) : rng_(seed) {}

    std::string next(int max_tokens = 30) {
        std::string out;
        if (pick(10) == 0) out += whitespace();
        const int tokens = 1 + pick(max_tokens);
        for (int i = 0; i < tokens; ++i) {
            const int kind = pick(100);
            if (kind < 45) {
                out += word();
            } else if (kind < 55) {
                out += digits();
            } else if (kind < 63) {
                append_utf8(out, random_code_point());
            } else if (kind < 70) {
                out += static_cast<char>(0x21 + pick(0x5E));  // printable ASCII
            } else if (kind < 88) {
                out += " ";
            } else {
                out += separator();
            }
        }
        if (pick(10) == 0) out += whitespace();
        return out;
    }

  private:
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

    std::string word() {
        static const std::vector<std::string> kWords = {"the",
                                                        "red",
                                                        "circle",
                                                        "square",
                                                        "What",
                                                        "is",
                                                        "USER",
                                                        "ASSISTANT",
                                                        "image",
                                                        "hello",
                                                        "world",
                                                        "Hello",
                                                        "tokenizer",
                                                        "don't",
                                                        "It's",
                                                        "naïve",
                                                        "café",
                                                        "Ångström",
                                                        "straße",
                                                        "über",
                                                        "niño",
                                                        "façade",
                                                        "Zürich",
                                                        "Ελλάδα",
                                                        "привет",
                                                        "мир",
                                                        "שלום",
                                                        "مرحبا",
                                                        "हिन्दी",
                                                        "ภาษาไทย",
                                                        "日本語",
                                                        "中文",
                                                        "東京",
                                                        "ひらがな",
                                                        "カタカナ",
                                                        "한국어",
                                                        "😀",
                                                        "👍🏽",
                                                        "👨‍👩‍👧",
                                                        "🇫🇷",
                                                        "🚀✨",
                                                        "ｆｕｌｌ",
                                                        "ﾊﾝｶｸ",
                                                        "①②",
                                                        "ﬁne",
                                                        "e\xCC\x81",
                                                        "A\xCC\x8A",
                                                        "™",
                                                        "½",
                                                        "x²",
                                                        "Ⅻ",
                                                        "\xE2\x96\x81",
                                                        "\xE2\x96\x81\xE2\x96\x81",
                                                        "<s>",
                                                        "</s>",
                                                        "<unk>",
                                                        "<0x41>",
                                                        "<image>",
                                                        "USER:",
                                                        "\xC2\xA0",
                                                        "\xE3\x80\x80",
                                                        "\xE2\x80\x8B",
                                                        "\xEF\xBB\xBF",
                                                        "\xEF\xBF\xBD",
                                                        "colour",
                                                        "Tokenization",
                                                        "internationalization",
                                                        "aaaaaaaa",
                                                        "ababab",
                                                        "\xF0\x90\x8D\x88",
                                                        "\x01",
                                                        "\x7F"};
        return kWords[static_cast<std::size_t>(pick(static_cast<int>(kWords.size())))];
    }

    std::string digits() {
        std::string out;
        const int n = 1 + pick(8);
        for (int i = 0; i < n; ++i) out += static_cast<char>('0' + pick(10));
        if (pick(4) == 0) out += (pick(2) ? "." : ",") + std::to_string(pick(1000));
        return out;
    }

    std::string whitespace() {
        static const std::vector<std::string> kSpaces = {" ",    "  ",   "    ", "\t",          "\n",
                                                         "\n\n", " \n ", "\r\n", "\xE3\x80\x80"};
        return kSpaces[static_cast<std::size_t>(pick(static_cast<int>(kSpaces.size())))];
    }

    std::string separator() {
        static const std::vector<std::string> kSeps = {"  ",
                                                       "   ",
                                                       "\n",
                                                       "\n\n",
                                                       "\t",
                                                       " \n ",
                                                       ",",
                                                       ".",
                                                       "!",
                                                       "?",
                                                       "\"",
                                                       "'",
                                                       "(",
                                                       ")",
                                                       ":",
                                                       ";",
                                                       "-",
                                                       "\xE2\x80\x94",
                                                       "\xE2\x80\xA6",
                                                       "...",
                                                       "\xE3\x80\x82",
                                                       "\xEF\xBC\x8C"};
        return kSeps[static_cast<std::size_t>(pick(static_cast<int>(kSeps.size())))];
    }

    char32_t random_code_point() {
        switch (pick(6)) {
            case 0:
                return static_cast<char32_t>(0xA0 + pick(0x250));  // Latin-1 .. Latin Extended
            case 1:
                return static_cast<char32_t>(0x4E00 + pick(0x5200));  // CJK ideographs
            case 2:
                return static_cast<char32_t>(0x1F300 + pick(0x300));  // emoji
            case 3:
                return static_cast<char32_t>(0xAC00 + pick(0x2BA4));  // Hangul syllables
            case 4:
                return static_cast<char32_t>(0xFF01 + pick(0x5E));  // fullwidth forms
            default: {
                const auto cp = static_cast<char32_t>(0x80 + pick(0x10FF80));
                return cp >= 0xD800 && cp <= 0xDFFF ? U'\u2581' : cp;
            }
        }
    }

    std::mt19937 rng_;
};

}  // namespace sightline::test
