#pragma once
// Reading the JSON files of a Hugging Face tokenizer folder with errors that name the file and field.
#include <nlohmann/json.hpp>

#include <string>

namespace sightline {

// JSON as text on one line (indent < 0) or indented, invalid UTF-8 replaced by U+FFFD (a token that is half
// of a multi-byte character must not make a write throw).
std::string json_text(const nlohmann::json& j, int indent = -1);

// Parses a whole JSON file; throws sightline::Error naming the file when it is missing or malformed.
nlohmann::json read_json_file(const std::string& path);

// Field accessors for an object `j` read from `where` (a file name, for messages). A missing field or
// a JSON null yields the fallback; a field of the wrong type throws naming the file and the field.
bool json_bool(const nlohmann::json& j, const char* field, bool fallback, const std::string& where);
std::string json_string(const nlohmann::json& j, const char* field, const std::string& fallback,
                        const std::string& where);
// The field must exist and be an object (or array when `array` is true); returns it.
const nlohmann::json& json_required(const nlohmann::json& j, const char* field, bool array,
                                    const std::string& where);

}  // namespace sightline
