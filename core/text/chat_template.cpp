#include "core/text/chat_template.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/text/json_file.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

constexpr const char* kImageToken = "<image>";

// tokenizer_config.json's "chat_template": a string, or a list of {"name", "template"} (the one named
// "default" first).
std::optional<std::string> template_from_value(const nlohmann::json& v, const std::string& where) {
    if (v.is_null()) return std::nullopt;
    if (v.is_string()) return v.get<std::string>();
    if (!v.is_array()) fail(where, ": \"chat_template\" must be a string or a list of named templates");
    std::optional<std::string> first;
    for (const auto& item : v) {
        const std::string text = json_string(item, "template", "", where);
        if (json_string(item, "name", "", where) == "default") return text;
        if (!first) first = text;
    }
    return first;
}

std::optional<std::string> find_template(const std::string& dir) {
    const std::string json_path = path_join(dir, "chat_template.json");
    if (file_exists(json_path)) {
        const auto j = read_json_file(json_path);
        if (!j.is_object()) fail(json_path, ": expected a JSON object with \"chat_template\"");
        if (const auto t = template_from_value(j.value("chat_template", nlohmann::json()), json_path))
            return t;
    }
    const std::string jinja_path = path_join(dir, "chat_template.jinja");
    if (file_exists(jinja_path)) return read_text_file(jinja_path);
    const std::string config_path = path_join(dir, "tokenizer_config.json");
    if (file_exists(config_path)) {
        const auto j = read_json_file(config_path);
        if (!j.is_object()) fail(config_path, ": expected a JSON object");
        return template_from_value(j.value("chat_template", nlohmann::json()), config_path);
    }
    return std::nullopt;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

ChatTemplateKind classify_chat_template(const std::string& t) {
    if (t.find("<|im_start|>") != std::string::npos) return ChatTemplateKind::ChatML;
    // llava-1.5-hf writes "USER: " as message['role'].upper() + ': ' and the prompt as 'ASSISTANT:'.
    if (t.find("ASSISTANT:") != std::string::npos || t.find("USER:") != std::string::npos)
        return ChatTemplateKind::Llava15;
    return ChatTemplateKind::Plain;
}

ChatTemplateKind detect_chat_template(const std::string& model_dir) {
    const auto t = find_template(model_dir);
    return t ? classify_chat_template(*t) : ChatTemplateKind::Plain;
}

std::string apply_chat_template(ChatTemplateKind kind, const std::string& question, bool with_image) {
    const std::string image = with_image ? cat(kImageToken, "\n") : std::string();
    switch (kind) {
        case ChatTemplateKind::Llava15:
            return cat("USER: ", image, question, " ASSISTANT:");
        case ChatTemplateKind::ChatML:
            return cat("<|im_start|>user\n", image, question, "<|im_end|>\n<|im_start|>assistant\n");
        case ChatTemplateKind::Plain:
            break;
    }
    return image + question;
}

std::string to_string(ChatTemplateKind kind) {
    switch (kind) {
        case ChatTemplateKind::Llava15:
            return "llava-1.5";
        case ChatTemplateKind::ChatML:
            return "chatml";
        case ChatTemplateKind::Plain:
            break;
    }
    return "plain";
}

std::optional<ChatTemplateKind> chat_template_from_string(const std::string& name) {
    const std::string n = lower(trim(name));
    if (n == "plain" || n == "none") return ChatTemplateKind::Plain;
    if (n == "llava-1.5" || n == "llava15" || n == "llava") return ChatTemplateKind::Llava15;
    if (n == "chatml" || n == "qwen") return ChatTemplateKind::ChatML;
    return std::nullopt;
}

}  // namespace sightline
