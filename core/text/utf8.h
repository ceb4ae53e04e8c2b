#pragma once
// UTF-8 helpers for the tokenizers: validation, lossy decoding of byte strings (as Python's
// errors="replace" and Rust's from_utf8_lossy do) and a display form for token bytes.
#include <cstddef>
#include <string>
#include <string_view>

namespace sightline {

// Length of the well-formed UTF-8 sequence starting at s[pos], or 0 when none starts there.
std::size_t utf8_sequence_length(std::string_view s, std::size_t pos);
// Offset of the first byte that is not part of a well-formed sequence, or npos when s is valid UTF-8.
std::size_t find_invalid_utf8(std::string_view s);
inline bool is_valid_utf8(std::string_view s) {
    return find_invalid_utf8(s) == std::string_view::npos;
}

// Decodes the code point of the well-formed sequence at s[pos] and advances pos past it.
// Precondition: utf8_sequence_length(s, pos) > 0.
char32_t next_code_point(std::string_view s, std::size_t& pos);
void append_utf8(std::string& out, char32_t cp);

// Replaces every maximal ill-formed subsequence with U+FFFD; valid text is returned unchanged.
std::string utf8_lossy(std::string_view bytes);
// Keeps well-formed sequences and writes every other byte as "<0xNN>": the display text of a token
// whose bytes may be a fragment of a multi-byte character.
std::string utf8_or_hex_bytes(std::string_view bytes);
// "<0xNN>" for one byte (upper-case hex, the SentencePiece spelling).
std::string hex_byte_piece(unsigned char byte);

}  // namespace sightline
