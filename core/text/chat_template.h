#pragma once
// The prompt formats Sightline knows: llava-1.5 ("USER: ... ASSISTANT:"), Qwen/ChatML
// ("<|im_start|>...") and plain text. Detected from a model folder's chat template.
#include <optional>
#include <string>

namespace sightline {

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

// "plain", "llava-1.5", "chatml".
std::string to_string(ChatTemplateKind kind);
// Accepts the to_string names (case-insensitive) and the aliases "llava15", "llava", "qwen", "none".
std::optional<ChatTemplateKind> chat_template_from_string(const std::string& name);

}  // namespace sightline
