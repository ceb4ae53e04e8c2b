#pragma once
// The "pre_tokenizer" of a byte-level BPE tokenizer.json: Split steps (a regex read from the file,
// PCRE2 Unicode mode, with Hugging Face's split behaviours) and ByteLevel (optional prefix space and
// the GPT-2 regex), alone or in a Sequence. Yields the words that BPE then encodes one by one.
#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/unicode_regex.h"

namespace sightline {

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

class PreTokenizer {
  public:
    // `j` is the "pre_tokenizer" value; `where` names the file for messages. Throws for types other
    // than Split, ByteLevel and Sequence, and when no ByteLevel step is present.
    static PreTokenizer from_json(const nlohmann::json& j, const std::string& where);

    // Words of `text` (valid UTF-8) as raw bytes, before the byte-level mapping.
    std::vector<std::string> split(std::string_view text) const;

  private:
    struct Step {
        std::shared_ptr<const UnicodeRegex> regex;  // null: no splitting (ByteLevel with use_regex false)
        SplitBehavior behavior = SplitBehavior::Isolated;
        bool invert = false;
        bool add_prefix_space = false;  // ByteLevel only
    };
    static void add_steps(const nlohmann::json& j, const std::string& where, std::vector<Step>& steps,
                          bool& byte_level);
    static void apply(const Step& step, const std::string& piece, std::vector<std::string>& out);

    std::vector<Step> steps_;
};

}  // namespace sightline
