#pragma once
// The "decoder" of a Hugging Face tokenizer.json: turns the tokens of a list of ids back into text.
// Supported: Replace, ByteFallback, Fuse, Strip, ByteLevel, Metaspace, and Sequence of those; without
// a decoder the tokens are joined with spaces (as the tokenizers library does). Any other type is
// rejected at load time with an error that names it.
#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/text/unicode_regex.h"

namespace sightline {

class HfDecoder {
  public:
    HfDecoder() = default;
    // `j` is the "decoder" value (null for none); `where` names the file in messages.
    static HfDecoder from_json(const nlohmann::json& j, const std::string& where);

    // Text of the tokens (vocabulary pieces and added-token contents), valid UTF-8: bytes that do
    // not form UTF-8 become U+FFFD as the tokenizers library writes them.
    std::string decode(const std::vector<std::string>& tokens) const;
    // The raw bytes one token stands for when it is not the first of a text: ByteLevel and
    // ByteFallback bytes are kept as they are (possibly a fragment of a character), Strip is not
    // applied and Metaspace's first-token rule does not apply.
    std::string token_bytes(const std::string& token) const;

    bool byte_level() const;

  private:
    enum class Kind { Replace, ByteFallback, Fuse, Strip, ByteLevel, Metaspace };
    struct Step {
        Kind kind = Kind::Fuse;
        std::shared_ptr<const UnicodeRegex> regex;  // Replace with a "Regex" pattern
        std::string pattern;                        // Replace with a "String" pattern
        std::string content;                        // Replace: the replacement; Strip: the character
        std::size_t start = 0, stop = 0;            // Strip
        std::string replacement;                    // Metaspace
        bool strip_first = true;                    // Metaspace: prepend_scheme is not "never"
    };
    static void add(const nlohmann::json& j, const std::string& where, std::vector<Step>& steps);
    std::vector<std::string> run(std::vector<std::string> tokens, bool display) const;

    std::vector<Step> steps_;
    bool present_ = false;
};

}  // namespace sightline
