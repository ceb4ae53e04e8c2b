#pragma once
// Renders a chat template the way the app does (a system prompt, earlier turns, an image in the first
// user turn), for the chat-template and tokenizer_config harnesses.
#include <memory>
#include <string>

#include "core/text/chat_template.h"
#include "core/text/jinja.h"
#include "core/util/error.h"

namespace sightline::fuzz {

// Under libFuzzer (SIGHTLINE_LIBFUZZER) the template is rendered with tighter bounds than the app's
// (jinja::Limits: 1M loop iterations, 4 MB of output): a template at the app's bounds takes 1-2 s in
// Release but 15-20 s under ASan+UBSan, which libFuzzer would report as a timeout although the work is
// bounded. The replay tests render with the app's bounds, so its regression inputs check those.
inline std::size_t render_conversations(const ChatTemplate& app_template) {
    if (!app_template.usable()) return 0;
    ChatTemplate t = app_template;
#ifdef SIGHTLINE_LIBFUZZER
    jinja::Options tight;
    tight.limits.max_loop_iterations = 1u << 14;
    tight.limits.max_output_bytes = 1u << 16;
    t.parsed = std::make_shared<const jinja::Template>(t.text, tight);
#endif
    // Two renders: a multi-turn conversation in the template's own content format, and a single turn in
    // the other one.
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
