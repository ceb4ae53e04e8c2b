#pragma once
// GPT-2's reversible map from bytes to printable Unicode characters ("bytes_to_unicode"): the
// alphabet of byte-level BPE vocabularies (a space is "Ġ", a newline "Ċ").
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace sightline {

// The UTF-8 text of the character that stands for each byte.
const std::array<std::string, 256>& byte_level_alphabet();
// Byte-level form of raw bytes: "hi there" -> "hiĠthere".
std::string to_byte_level(std::string_view bytes);
// Raw bytes of a byte-level string; nullopt when it has a character outside the alphabet.
std::optional<std::string> from_byte_level(std::string_view text);

}  // namespace sightline
