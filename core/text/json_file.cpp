#include "core/text/json_file.h"

#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {

std::string json_text(const nlohmann::json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json read_json_file(const std::string& path) {
    if (!file_exists(path)) fail("file not found: ", path);
    const std::string text = read_text_file(path);
    check_json_depth(text, kMaxJsonDepth, path);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        fail(path, " is not valid JSON: ", e.what());
    }
}

bool json_bool(const nlohmann::json& j, const char* field, bool fallback, const std::string& where) {
    const auto it = j.find(field);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_boolean())
        fail(where, ": field \"", field, "\" must be true or false, not ", brief(it->dump()));
    return it->get<bool>();
}

std::string json_string(const nlohmann::json& j, const char* field, const std::string& fallback,
                        const std::string& where) {
    const auto it = j.find(field);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_string()) fail(where, ": field \"", field, "\" must be a string, not ", brief(it->dump()));
    return it->get<std::string>();
}

const nlohmann::json& json_required(const nlohmann::json& j, const char* field, bool array,
                                    const std::string& where) {
    const auto it = j.find(field);
    if (it == j.end()) fail(where, ": missing field \"", field, "\"");
    if (array ? !it->is_array() : !it->is_object())
        fail(where, ": field \"", field, "\" must be a JSON ", array ? "array" : "object");
    return *it;
}

}  // namespace sightline
