#pragma once
// Base64 (RFC 4648, with padding) for embedding binary data such as PNG images in JSON.
#include <cstdint>
#include <string>
#include <vector>

namespace sightline {

std::string base64_encode(const std::vector<std::uint8_t>& data);
// Throws sightline::Error on characters outside the alphabet or bad padding.
std::vector<std::uint8_t> base64_decode(const std::string& text);

}  // namespace sightline
