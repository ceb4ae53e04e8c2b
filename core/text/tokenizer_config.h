#pragma once
// What a Hugging Face tokenizer folder says beside the vocabulary itself: tokenizer_config.json
// (added_tokens_decoder, special tokens, add_bos_token, add_eos_token, legacy, add_prefix_space),
// special_tokens_map.json and added_tokens.json.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sightline {

// One added token ("<image>", "<|im_start|>"), as Hugging Face's AddedToken.
struct AddedToken {
    int64_t id = -1;
    std::string content;
    bool special = false;
    bool lstrip = false;       // swallow whitespace on its left when matched
    bool rstrip = false;       // swallow whitespace on its right when matched
    bool single_word = false;  // match only when not inside a word
    bool normalized = false;
};

// A "bos_token"-style entry: absent (class default applies), JSON null (no such token) or set.
struct SpecialTokenSetting {
    enum class State { Absent, Null, Set };
    State state = State::Absent;
    std::string content;
};

struct TokenizerConfig {
    std::vector<AddedToken> added_tokens;  // sorted by id
    SpecialTokenSetting bos, eos, pad, unk;
    std::vector<std::string> additional_special_tokens;
    std::optional<bool> add_bos_token, add_eos_token, legacy, add_prefix_space;
    std::string tokenizer_class;
    std::vector<std::string> files_read;  // for messages

    // The files that were read, joined ("tokenizer_config.json" when none was).
    std::string source() const;
    bool is_additional_special(const std::string& content) const;
};

// Reads the config files present in `dir`; a folder without any yields a default config.
// Throws sightline::Error naming the file for malformed JSON or fields of the wrong type.
TokenizerConfig read_tokenizer_config(const std::string& dir);

// Parses one AddedToken object ({"content": ..., "special": ...}) read from `where`.
AddedToken parse_added_token(const nlohmann::json& j, int64_t id, const std::string& where);

// Merges `extra` into `tokens` by id (entries already present win), keeping the result sorted by id.
void merge_added_tokens(std::vector<AddedToken>& tokens, const std::vector<AddedToken>& extra);

// Resolves a special-token setting to an id: `fallback` when absent, -1 when null, the id of its
// content otherwise (throws naming the token and `where` when the vocabulary does not have it).
using TokenLookup = std::function<std::optional<int64_t>(const std::string&)>;
int64_t resolve_special_token(const SpecialTokenSetting& setting, int64_t fallback, const TokenLookup& lookup,
                              const char* name, const std::string& where);

}  // namespace sightline
