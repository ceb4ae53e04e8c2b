#pragma once
// The "normalizer" of a Hugging Face tokenizer.json, run on each stretch of text between added tokens:
// NFC, NFD, NFKC, NFKD, Lowercase, Replace (a string or a regex), Prepend, Strip, and Sequence of those.
// Any other type is rejected at load time with an error that names it.
#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/text_normalizer.h"
#include "core/text/unicode_regex.h"

namespace sightline {

class HfNormalizer {
  public:
    HfNormalizer() = default;
    // `j` is the "normalizer" value (null for none); `where` names the file in messages.
    static HfNormalizer from_json(const nlohmann::json& j, const std::string& where);

    // Text must be valid UTF-8; so is the result.
    std::string apply(std::string_view text) const;
    bool empty() const { return steps_.empty(); }

  private:
    enum class Kind { Unicode, Replace, Prepend, Strip };
    struct Step {
        Kind kind = Kind::Unicode;
        TextNormalizer unicode;                     // Unicode: one normal form or Lowercase
        std::shared_ptr<const UnicodeRegex> regex;  // Replace with a "Regex" pattern
        std::string pattern;                        // Replace with a "String" pattern
        std::string content;                        // Replace / Prepend
        bool left = false, right = false;           // Strip
    };
    static void add(const nlohmann::json& j, const std::string& where, std::vector<Step>& steps);
    static std::string apply_step(const Step& step, std::string text);

    std::vector<Step> steps_;
};

}  // namespace sightline
