// Fuzzes tokenizer.json loading (core/text/tokenizer_json*.cpp and the normalizer, pre-tokenizer, BPE
// and decoder components it builds): the input is the file's content, alone in its folder. A tokenizer
// that loads is then used as the app uses it (exercise_tokenizer.h).
#include <cstdint>
#include <string>

#include "core/text/tokenizer.h"
#include "tests/fuzz/exercise_tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

using namespace sightline;

namespace {

const fuzz::RegisterGenerated nested("100k_nested_brackets", [] {
    return "{\"model\":{\"type\":\"BPE\",\"vocab\":" + fuzz::nested_brackets(100000, true) + "}}";
});
const fuzz::RegisterGenerated unclosed("100k_unclosed_brackets",
                                       [] { return fuzz::nested_brackets(100000, false); });

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::write_scratch("tokenizer_json/tokenizer.json", data, size);
    fuzz::expect_only_errors([&] {
        const auto tok = load_tokenizer_file(path);
        if (!tok) fuzz::finding("load_tokenizer_file returned no tokenizer");
        fuzz::exercise_tokenizer(*tok);
    });
    return 0;
}
