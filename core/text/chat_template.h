#pragma once
// Chat templates. A checkpoint's own template (chat_template.json, chat_template.jinja or
// tokenizer_config.json) is rendered by the Jinja-subset engine (core/text/jinja.h) as transformers does;
// the built-in formats, llava-1.5 ("USER: ... ASSISTANT:"), Qwen/ChatML ("<|im_start|>...") and plain
// text, serve folders without a template and the fallback when a template cannot be rendered.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sightline {
namespace jinja {
class Template;
}

enum class ChatTemplateKind { Plain, Llava15, ChatML };

// Reads chat_template.json ("chat_template"), chat_template.jinja, or tokenizer_config.json's
// "chat_template" (a string or a list of {name, template}), first found wins. ChatML when the
// template has "<|im_start|>", Llava15 when it has "ASSISTANT:" or "USER:", Plain otherwise or when
// there is no template. Throws sightline::Error naming the file when a JSON file is malformed.
ChatTemplateKind detect_chat_template(const std::string& model_dir);
// Classifies a template text the same way.
ChatTemplateKind classify_chat_template(const std::string& template_text);

// Llava15: "USER: <image>\n{q} ASSISTANT:"        (without image: "USER: {q} ASSISTANT:")
// ChatML:  "<|im_start|>user\n<image>\n{q}<|im_end|>\n<|im_start|>assistant\n" (without image: no
// "<image>\n") Plain:   "<image>\n{q}" / "{q}"
std::string apply_chat_template(ChatTemplateKind kind, const std::string& question, bool with_image);

// One earlier turn of a conversation, or the system prompt: role "system", "user" or "assistant".
struct ChatTurn {
    std::string role;
    std::string text;
};

// The built-in formats with a system prompt and earlier turns before the question (the fallback when a
// checkpoint's own template cannot be rendered); the image goes with the first user turn. With no system
// and no turns this is the 3-argument form.
std::string apply_chat_template(ChatTemplateKind kind, const std::string& system,
                                const std::vector<ChatTurn>& turns, const std::string& question,
                                bool with_image);

// Index of the first user message (the one a single image goes with, as in Hugging Face's multi-turn
// examples), -1 when there is none.
int first_user_turn(const std::vector<ChatTurn>& messages);

// The template text of a model folder (the same search as detect_chat_template), nullopt when none.
std::optional<std::string> read_chat_template(const std::string& model_dir);
// The special-token strings of tokenizer_config.json ("bos_token", "eos_token", "image_token"... every
// key ending in "_token" whose value is a string or an AddedToken {"content": ...}) as the template sees
// them. Empty when the file is absent.
std::map<std::string, std::string> read_special_tokens(const std::string& model_dir);

// A checkpoint's chat template, parsed once (template text, its special tokens, and the parse error if
// the engine cannot read it).
struct ChatTemplate {
    std::string text;
    std::map<std::string, std::string> special_tokens;
    std::string
        parse_error;  // non-empty when the template uses an unsupported construct (names it and the line)
    std::shared_ptr<const jinja::Template> parsed;

    static std::optional<ChatTemplate> load(const std::string& model_dir);
    static ChatTemplate from_text(const std::string& text,
                                  std::map<std::string, std::string> special_tokens = {});
    bool usable() const { return parse_error.empty() && parsed != nullptr; }
    // Whether the template reads message content as a list of {"type": ...} items (Hugging Face's
    // multimodal format) rather than as one string.
    bool takes_content_list() const;
};

// A conversation rendered the way transformers' apply_chat_template does it (add_generation_prompt, the
// special tokens as variables). With `content_list`, each message's content is [{"type": "image"},
// {"type": "text", "text": ...}] (the image item only in the turn with `image_turn` index); otherwise the
// content is the text itself, and `image_placeholder` + "\n" starts the image turn's text. Throws
// jinja::TemplateError (a sightline::Error) naming the construct and line when it cannot be rendered.
struct ChatRenderRequest {
    std::vector<ChatTurn> messages;  // system first when there is one; the last is the user's question
    int image_turn = -1;             // index into messages of the turn holding the image; -1 = none
    bool content_list = true;
    std::string image_placeholder = "<image>";
    bool add_generation_prompt = true;
};
std::string render_chat_template(const ChatTemplate& t, const ChatRenderRequest& request);

// "plain", "llava-1.5", "chatml".
std::string to_string(ChatTemplateKind kind);
// Accepts the to_string names (case-insensitive) and the aliases "llava15", "llava", "qwen", "none".
std::optional<ChatTemplateKind> chat_template_from_string(const std::string& name);

}  // namespace sightline
