#pragma once
// The "normalizer" of a tokenizer.json: Unicode normal forms (ICU) and lowercasing, possibly in a
// Sequence. Other normalizer types are rejected with a clear error at load time.
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sightline {

class TextNormalizer {
  public:
    enum class Step { NFC, NFD, NFKC, NFKD, Lowercase };

    TextNormalizer() = default;
    explicit TextNormalizer(std::vector<Step> steps) : steps_(std::move(steps)) {}
    // `j` is the "normalizer" value (null for none); `where` names the file for messages.
    static TextNormalizer from_json(const nlohmann::json& j, const std::string& where);

    // Text must be valid UTF-8.
    std::string apply(std::string_view text) const;
    bool empty() const { return steps_.empty(); }

  private:
    std::vector<Step> steps_;
};

}  // namespace sightline
