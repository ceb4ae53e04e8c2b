// Fuzzes the Jinja-subset engine (core/text/jinja*.cpp) through ChatTemplate: the input is a chat
// template's text, parsed and, when the engine supports it, rendered on a small conversation. Parse and
// render errors are jinja::TemplateError (a sightline::Error); rendering is bounded by jinja::Limits.
#include <cstdint>
#include <string>

#include "core/text/chat_template.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/render_chat.h"

using namespace sightline;

namespace {

const fuzz::RegisterGenerated nested_parens("10k_nested_parentheses", [] {
    return "{{ " + std::string(10000, '(') + "1" + std::string(10000, ')') + " }}";
});
const fuzz::RegisterGenerated nested_ifs("50k_nested_ifs", [] {
    // Lexing used to be quadratic in the number of tags: this took minutes (the replay's slow-input limit).
    std::string t;
    for (int i = 0; i < 50000; ++i) t += "{% if true %}\n";
    for (int i = 0; i < 50000; ++i) t += "{% endif %}";
    return t;
});
const fuzz::RegisterGenerated nested_lists("10k_nested_lists", [] {
    return "{{ " + std::string(10000, '[') + std::string(10000, ']') + " }}";
});

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    fuzz::expect_only_errors([&] {
        const ChatTemplate t = ChatTemplate::from_text(text, {{"bos_token", "<s>"}, {"eos_token", "</s>"}});
        (void)classify_chat_template(t.text);
        (void)fuzz::render_conversations(t);
    });
    return 0;
}
