#include "core/text/chat_template.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/text/jinja.h"
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

std::optional<std::string> read_chat_template(const std::string& model_dir) {
    return find_template(model_dir);
}

std::map<std::string, std::string> read_special_tokens(const std::string& model_dir) {
    std::map<std::string, std::string> out;
    const std::string path = path_join(model_dir, "tokenizer_config.json");
    if (!file_exists(path)) return out;
    const auto j = read_json_file(path);
    if (!j.is_object()) fail(path, ": expected a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        if (k.size() < 6 || k.compare(k.size() - 6, 6, "_token") != 0) continue;
        if (it->is_string()) {
            out[k] = it->get<std::string>();
        } else if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) {
            out[k] = (*it)["content"].get<std::string>();  // an AddedToken
        }
    }
    return out;
}

ChatTemplate ChatTemplate::from_text(const std::string& text,
                                     std::map<std::string, std::string> special_tokens) {
    ChatTemplate t;
    t.text = text;
    t.special_tokens = std::move(special_tokens);
    try {
        t.parsed = std::make_shared<const jinja::Template>(text);
    } catch (const jinja::TemplateError& e) {
        t.parse_error = e.what();
    }
    return t;
}

std::optional<ChatTemplate> ChatTemplate::load(const std::string& model_dir) {
    const auto text = find_template(model_dir);
    if (!text) return std::nullopt;
    return from_text(*text, read_special_tokens(model_dir));
}

bool ChatTemplate::takes_content_list() const {
    return text.find("'type'") != std::string::npos || text.find("\"type\"") != std::string::npos ||
           text.find(".type") != std::string::npos;
}

std::string render_chat_template(const ChatTemplate& t, const ChatRenderRequest& r) {
    if (!t.parsed) throw jinja::TemplateError(0, t.parse_error.empty() ? "no template" : t.parse_error);
    jinja::List messages;
    for (std::size_t i = 0; i < r.messages.size(); ++i) {
        const ChatTurn& m = r.messages[i];
        const bool image = static_cast<int>(i) == r.image_turn;
        jinja::Value content;
        if (r.content_list) {
            jinja::List items;
            if (image) items.emplace_back(jinja::Dict{{"type", jinja::Value("image")}});
            items.emplace_back(jinja::Dict{{"type", jinja::Value("text")}, {"text", jinja::Value(m.text)}});
            content = jinja::Value(std::move(items));
        } else {
            content = jinja::Value((image ? r.image_placeholder + "\n" : std::string()) + m.text);
        }
        messages.emplace_back(jinja::Dict{{"role", jinja::Value(m.role)}, {"content", content}});
    }
    jinja::Dict vars;
    for (const auto& [k, v] : t.special_tokens) vars.emplace_back(k, jinja::Value(v));
    vars.emplace_back("messages", jinja::Value(std::move(messages)));
    vars.emplace_back("add_generation_prompt", jinja::Value(r.add_generation_prompt));
    vars.emplace_back("tools", jinja::Value::none());
    vars.emplace_back("documents", jinja::Value::none());
    return t.parsed->render(jinja::Value(std::move(vars)));
}

std::string apply_chat_template(ChatTemplateKind kind, const std::string& system,
                                const std::vector<ChatTurn>& turns, const std::string& question,
                                bool with_image) {
    if (system.empty() && turns.empty()) return apply_chat_template(kind, question, with_image);
    std::vector<ChatTurn> all = turns;
    all.push_back({"user", question});
    const int image_turn = with_image ? first_user_turn(all) : -1;
    std::string out;
    if (!system.empty()) out += system + (kind == ChatTemplateKind::Llava15 ? " " : "\n");
    if (kind == ChatTemplateKind::ChatML && !system.empty())
        out = cat("<|im_start|>system\n", system, "<|im_end|>\n");
    for (std::size_t i = 0; i < all.size(); ++i) {
        const std::string text =
            (static_cast<int>(i) == image_turn ? cat(kImageToken, "\n") : "") + all[i].text;
        switch (kind) {
            case ChatTemplateKind::Llava15:
                // As llava-1.5-hf's template: "USER: " / "ASSISTANT: " turns, each followed by a space.
                out += cat(all[i].role == "assistant" ? "ASSISTANT: " : "USER: ", text, " ");
                break;
            case ChatTemplateKind::ChatML:
                out += cat("<|im_start|>", all[i].role, "\n", text, "<|im_end|>\n");
                break;
            case ChatTemplateKind::Plain:
                out += text + (i + 1 < all.size() ? "\n" : "");
                break;
        }
    }
    if (kind == ChatTemplateKind::Llava15) out += "ASSISTANT:";
    if (kind == ChatTemplateKind::ChatML) out += "<|im_start|>assistant\n";
    return out;
}

int first_user_turn(const std::vector<ChatTurn>& messages) {
    for (std::size_t i = 0; i < messages.size(); ++i)
        if (messages[i].role == "user") return static_cast<int>(i);
    return -1;
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
