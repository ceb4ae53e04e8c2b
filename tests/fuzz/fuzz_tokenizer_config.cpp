// Fuzzes tokenizer_config.json (core/text/tokenizer_config.cpp, chat_template.cpp): the input is the
// file's content, in a folder beside a fixed byte-level tokenizer.json. Exercises what reads it: the
// tokenizer loader (added tokens, special tokens, add_bos_token...), the special-token map and the chat
// template search (a "chat_template" string or list), then renders the template when it is usable.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/text/chat_template.h"
#include "core/text/tokenizer.h"
#include "core/text/tokenizer_config.h"
#include "tests/fuzz/exercise_tokenizer.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/render_chat.h"

using namespace sightline;

namespace {

const fuzz::RegisterGenerated nested("100k_nested_brackets", [] {
    return "{\"added_tokens_decoder\":" + fuzz::nested_brackets(100000, true) + "}";
});
const fuzz::RegisterGenerated unclosed("100k_unclosed_brackets",
                                       [] { return fuzz::nested_brackets(100000, false); });

// GPT-2's byte-to-symbol map: printable bytes stand for themselves, the others for U+0100 onwards.
std::string byte_symbol(int b) {
    int cp = b;
    if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174)) {
        static int next[256] = {};
        static bool ready = false;
        if (!ready) {
            int n = 0;
            for (int x = 0; x < 256; ++x)
                if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || x >= 174)) next[x] = 256 + n++;
            ready = true;
        }
        cp = next[b];
    }
    std::string out;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
    return out;
}

std::string fixed_tokenizer_json() {
    nlohmann::json vocab = nlohmann::json::object();
    for (int b = 0; b < 256; ++b) vocab[byte_symbol(b)] = b;
    nlohmann::json added = nlohmann::json::array();
    int id = 256;
    for (const char* content : {"<s>", "</s>", "<image>", "<|im_start|>", "<|im_end|>"})
        added.push_back({{"id", id++}, {"content", content}, {"special", true}, {"normalized", false}});
    const nlohmann::json j = {
        {"version", "1.0"},
        {"added_tokens", added},
        {"normalizer", nullptr},
        {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}}},
        {"post_processor", nullptr},
        {"decoder", {{"type", "ByteLevel"}}},
        {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array()}}}};
    return j.dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string tokenizer_json = fixed_tokenizer_json();
    const std::string dir = fuzz::scratch_dir() + "/tokenizer_config";
    fuzz::write_scratch("tokenizer_config/tokenizer.json", tokenizer_json);
    fuzz::write_scratch("tokenizer_config/tokenizer_config.json", data, size);
    fuzz::expect_only_errors([&] {
        const TokenizerConfig c = read_tokenizer_config(dir);
        (void)c.source();
    });
    fuzz::expect_only_errors([&] {
        const auto tok = load_tokenizer(dir);
        if (!tok) fuzz::finding("load_tokenizer found no tokenizer beside tokenizer.json");
        fuzz::exercise_tokenizer(*tok);
    });
    fuzz::expect_only_errors([&] {
        std::size_t sum = read_special_tokens(dir).size();
        sum += to_string(detect_chat_template(dir)).size();
        if (const auto t = ChatTemplate::load(dir)) sum += fuzz::render_conversations(*t);
        (void)sum;
    });
    return 0;
}
