#pragma once
// Renders a chat template the way the app does (a system prompt, earlier turns, an image in the first
// user turn), for the chat-template and tokenizer_config harnesses.
#include <string>

#include "core/text/chat_template.h"

namespace sightline::fuzz {

inline std::size_t render_conversations(const ChatTemplate& t) {
    std::size_t total = 0;
    if (!t.usable()) return total;
    for (const bool content_list : {t.takes_content_list(), !t.takes_content_list()}) {
        ChatRenderRequest r;
        r.messages = {{"system", "You are a careful reviewer."},
                      {"user", "what color is the cross?"},
                      {"assistant", "gray"},
                      {"user", "are you sure?"}};
        r.image_turn = 1;
        r.content_list = content_list;
        total += render_chat_template(t, r).size();
        r.messages = {{"user", "describe the image"}};
        r.image_turn = 0;
        r.add_generation_prompt = false;
        total += render_chat_template(t, r).size();
    }
    return total;
}

}  // namespace sightline::fuzz
