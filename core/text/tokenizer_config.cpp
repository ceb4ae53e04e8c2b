#include "core/text/tokenizer_config.h"

#include <algorithm>
#include <map>

#include "core/text/json_file.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

std::optional<bool> optional_bool(const nlohmann::json& j, const char* field, const std::string& where) {
    const auto it = j.find(field);
    if (it == j.end() || it->is_null()) return std::nullopt;
    return json_bool(j, field, false, where);
}

// "bos_token": "<s>" | {"content": "<s>", ...} | null
void read_special(const nlohmann::json& j, const char* field, SpecialTokenSetting& out,
                  const std::string& where) {
    const auto it = j.find(field);
    if (it == j.end()) return;
    if (it->is_null()) {
        out = {SpecialTokenSetting::State::Null, {}};
    } else if (it->is_string()) {
        out = {SpecialTokenSetting::State::Set, it->get<std::string>()};
    } else if (it->is_object()) {
        out = {SpecialTokenSetting::State::Set, json_string(*it, "content", "", where)};
        if (out.content.empty()) fail(where, ": field \"", field, "\" has no \"content\"");
    } else {
        fail(where, ": field \"", field, "\" must be a string, an object or null");
    }
}

void read_specials(const nlohmann::json& j, TokenizerConfig& config, const std::string& where) {
    read_special(j, "bos_token", config.bos, where);
    read_special(j, "eos_token", config.eos, where);
    read_special(j, "pad_token", config.pad, where);
    read_special(j, "unk_token", config.unk, where);
    const auto extra = j.find("additional_special_tokens");
    if (extra == j.end() || extra->is_null()) return;
    if (!extra->is_array()) fail(where, ": field \"additional_special_tokens\" must be an array");
    config.additional_special_tokens.clear();
    for (const auto& item : *extra) {
        if (item.is_string())
            config.additional_special_tokens.push_back(item.get<std::string>());
        else if (item.is_object())
            config.additional_special_tokens.push_back(json_string(item, "content", "", where));
        else
            fail(where, ": \"additional_special_tokens\" entries must be strings or objects");
    }
}

int64_t parse_id(const std::string& key, const std::string& where) {
    try {
        std::size_t used = 0;
        const long long id = std::stoll(key, &used);
        if (used == key.size() && id >= 0) return id;
    } catch (const std::exception&) {
    }
    fail(where, ": added_tokens_decoder key \"", key, "\" is not a token id");
}

void read_tokenizer_config_json(const std::string& path, TokenizerConfig& config) {
    const nlohmann::json j = read_json_file(path);
    const std::string where = path;
    if (!j.is_object()) fail(where, ": expected a JSON object");
    config.files_read.push_back(path);
    const auto decoder = j.find("added_tokens_decoder");
    if (decoder != j.end() && !decoder->is_null()) {
        if (!decoder->is_object()) fail(where, ": field \"added_tokens_decoder\" must be an object");
        std::vector<AddedToken> tokens;
        for (const auto& [key, value] : decoder->items())
            tokens.push_back(parse_added_token(value, parse_id(key, where), where));
        merge_added_tokens(config.added_tokens, tokens);
    }
    read_specials(j, config, where);
    config.add_bos_token = optional_bool(j, "add_bos_token", where);
    config.add_eos_token = optional_bool(j, "add_eos_token", where);
    config.legacy = optional_bool(j, "legacy", where);
    config.add_prefix_space = optional_bool(j, "add_prefix_space", where);
    config.tokenizer_class = json_string(j, "tokenizer_class", "", where);
}

// special_tokens_map.json overrides the tokenizer_config.json entries, as transformers does.
void read_special_tokens_map(const std::string& path, TokenizerConfig& config) {
    const nlohmann::json j = read_json_file(path);
    if (!j.is_object()) fail(path, ": expected a JSON object");
    config.files_read.push_back(path);
    read_specials(j, config, path);
}

// added_tokens.json: {"<image>": 32000, ...}
void read_added_tokens_json(const std::string& path, TokenizerConfig& config) {
    const nlohmann::json j = read_json_file(path);
    if (!j.is_object()) fail(path, ": expected a JSON object of token -> id");
    config.files_read.push_back(path);
    std::vector<AddedToken> tokens;
    for (const auto& [content, id] : j.items()) {
        if (!id.is_number_integer() || id.get<int64_t>() < 0)
            fail(path, ": the id of \"", content, "\" must be a non-negative integer");
        AddedToken token;
        token.id = id.get<int64_t>();
        token.content = content;
        tokens.push_back(token);
    }
    merge_added_tokens(config.added_tokens, tokens);
}

}  // namespace

std::string TokenizerConfig::source() const {
    return files_read.empty() ? std::string("tokenizer_config.json") : join(files_read, ", ");
}

bool TokenizerConfig::is_additional_special(const std::string& content) const {
    return std::find(additional_special_tokens.begin(), additional_special_tokens.end(), content) !=
           additional_special_tokens.end();
}

AddedToken parse_added_token(const nlohmann::json& j, int64_t id, const std::string& where) {
    if (!j.is_object()) fail(where, ": added token ", id, " must be an object");
    AddedToken token;
    token.id = id;
    token.content = json_string(j, "content", "", where);
    if (token.content.empty()) fail(where, ": added token ", id, " has no \"content\"");
    token.special = json_bool(j, "special", false, where);
    token.lstrip = json_bool(j, "lstrip", false, where);
    token.rstrip = json_bool(j, "rstrip", false, where);
    token.single_word = json_bool(j, "single_word", false, where);
    token.normalized = json_bool(j, "normalized", !token.special, where);
    return token;
}

void merge_added_tokens(std::vector<AddedToken>& tokens, const std::vector<AddedToken>& extra) {
    std::map<int64_t, AddedToken> by_id;
    for (const auto& t : extra) by_id[t.id] = t;
    for (const auto& t : tokens) by_id[t.id] = t;  // existing entries win
    tokens.clear();
    for (auto& [id, t] : by_id) tokens.push_back(std::move(t));
}

TokenizerConfig read_tokenizer_config(const std::string& dir) {
    TokenizerConfig config;
    const std::string main = path_join(dir, "tokenizer_config.json");
    const std::string map = path_join(dir, "special_tokens_map.json");
    const std::string added = path_join(dir, "added_tokens.json");
    if (file_exists(main)) read_tokenizer_config_json(main, config);
    if (file_exists(map)) read_special_tokens_map(map, config);
    if (file_exists(added)) read_added_tokens_json(added, config);
    for (auto& token : config.added_tokens)
        if (config.is_additional_special(token.content)) token.special = true;
    return config;
}

int64_t resolve_special_token(const SpecialTokenSetting& setting, int64_t fallback, const TokenLookup& lookup,
                              const char* name, const std::string& where) {
    switch (setting.state) {
        case SpecialTokenSetting::State::Absent:
            return fallback;
        case SpecialTokenSetting::State::Null:
            return -1;
        case SpecialTokenSetting::State::Set:
            break;
    }
    const auto id = lookup(setting.content);
    if (!id) fail(where, ": ", name, " \"", setting.content, "\" is not in the tokenizer's vocabulary");
    return *id;
}

}  // namespace sightline
