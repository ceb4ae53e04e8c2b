#pragma once
// The "pre_tokenizer" of a Hugging Face tokenizer.json: cuts each normalized stretch of text into the
// words the model encodes one by one. Supported: Split (a string or a PCRE2 regex, the five split
// behaviours, invert), Digits, ByteLevel (prefix space, GPT-2 regex, the byte-to-character map),
// Metaspace (replacement, prepend_scheme always / first / never, split), and Sequence of those. Any other
// type is rejected at load time with an error that names it.
#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/unicode_regex.h"

namespace sightline {

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

class HfPreTokenizer {
  public:
    HfPreTokenizer() = default;
    // `j` is the "pre_tokenizer" value (null: each stretch of text is one word).
    static HfPreTokenizer from_json(const nlohmann::json& j, const std::string& where);

    // Words of one stretch of text (valid UTF-8), in the model's alphabet (byte-level characters after
    // a ByteLevel step). `at_text_start`: the stretch starts the whole input (Metaspace "first").
    std::vector<std::string> split(std::string_view text, bool at_text_start) const;

    // Whether a ByteLevel step maps words to GPT-2's byte alphabet.
    bool byte_level() const { return byte_level_; }

  private:
    enum class Kind { Split, ByteLevel, Metaspace };
    struct Step {
        Kind kind = Kind::Split;
        std::shared_ptr<const UnicodeRegex> regex;  // Split; ByteLevel with use_regex (null: none)
        std::string literal;                        // Split with a "String" pattern
        SplitBehavior behavior = SplitBehavior::Isolated;
        bool invert = false;
        bool add_prefix_space = false;  // ByteLevel
        std::string replacement;        // Metaspace
        enum class Prepend { Always, First, Never } prepend = Prepend::Always;
        bool split = true;  // Metaspace
    };
    struct Piece {
        std::string text;
        bool at_start;  // begins at offset 0 of the input
    };
    static void add(const nlohmann::json& j, const std::string& where, std::vector<Step>& steps);
    static void apply(const Step& step, Piece piece, std::vector<Piece>& out);

    std::vector<Step> steps_;
    bool byte_level_ = false;
};

}  // namespace sightline
