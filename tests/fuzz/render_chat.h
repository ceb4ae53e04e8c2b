#pragma once
// Renders a chat template the way the app does (a system prompt, earlier turns, an image in the first
// user turn), for the chat-template and tokenizer_config harnesses.
#include <string>

#include "core/text/chat_template.h"
#include "core/util/error.h"

namespace sightline::fuzz {

inline std::size_t render_conversations(const ChatTemplate& t) {
    if (!t.usable()) return 0;
    // Two renders (each bounded by jinja::Limits): a multi-turn conversation in the template's own
    // content format, and a single turn in the other one.
    ChatRenderRequest r;
    r.messages = {{"system", "You are a careful reviewer."},
                  {"user", "what color is the cross?"},
                  {"assistant", "gray"},
                  {"user", "are you sure?"}};
    r.image_turn = 1;
    r.content_list = t.takes_content_list();
    std::size_t total = render_chat_template(t, r).size();
    r.messages = {{"user", "describe the image"}};
    r.image_turn = 0;
    r.content_list = !r.content_list;
    r.add_generation_prompt = false;
    try {
        total += render_chat_template(t, r).size();
    } catch (const Error&) {
        // a template written for one content format may refuse the other
    }
    return total;
}

}  // namespace sightline::fuzz
