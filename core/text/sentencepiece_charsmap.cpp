#include "core/text/sentencepiece_charsmap.h"

#include "core/util/error.h"

namespace sightline {
namespace {

uint32_t read_u32_le(std::string_view s, std::size_t pos) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(s[pos + i])) << (8 * i);
    return v;
}

// The fields of one darts-clone double-array unit.
bool unit_has_leaf(uint32_t unit) {
    return ((unit >> 8) & 1) == 1;
}
uint32_t unit_value(uint32_t unit) {
    return unit & ((1U << 31) - 1);
}
uint32_t unit_label(uint32_t unit) {
    return unit & ((1U << 31) | 0xFF);
}
uint32_t unit_offset(uint32_t unit) {
    return (unit >> 10) << ((unit & (1U << 9)) >> 6);
}

}  // namespace

PrecompiledCharsMap::PrecompiledCharsMap(std::string_view blob, const std::string& where) {
    if (blob.size() <= 4) fail(where, ": the normalizer's precompiled_charsmap is broken (too short)");
    const uint32_t trie_size = read_u32_le(blob, 0);
    if (trie_size > blob.size() - 4 || trie_size % 4 != 0 || trie_size == 0)
        fail(where, ": the normalizer's precompiled_charsmap is broken (trie size ", trie_size, ")");
    units_.resize(trie_size / 4);
    for (std::size_t i = 0; i < units_.size(); ++i) units_[i] = read_u32_le(blob, 4 + 4 * i);
    replacements_ = std::string(blob.substr(4 + trie_size));
}

std::pair<std::string_view, std::size_t> PrecompiledCharsMap::longest_match(std::string_view input) const {
    // darts-clone's commonPrefixSearch, keeping the longest hit.
    std::size_t length = 0;
    uint32_t value = 0;
    if (units_.empty()) return {{}, 0};
    std::size_t node = unit_offset(units_[0]);
    for (std::size_t i = 0; i < input.size(); ++i) {
        const auto byte = static_cast<unsigned char>(input[i]);
        node ^= byte;
        if (node >= units_.size()) break;
        const uint32_t unit = units_[node];
        if (unit_label(unit) != byte) break;
        node ^= unit_offset(unit);
        if (node >= units_.size()) break;
        if (unit_has_leaf(unit)) {
            length = i + 1;
            value = unit_value(units_[node]);
        }
    }
    if (length == 0 || value >= replacements_.size()) return {{}, 0};
    const std::size_t end = replacements_.find('\0', value);
    const std::string_view all(replacements_);
    return {all.substr(value, (end == std::string::npos ? all.size() : end) - value), length};
}

}  // namespace sightline
