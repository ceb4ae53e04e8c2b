// Fuzzes SentencePiece tokenizer.model loading (our protobuf wire reader and the ModelProto parts in
// core/text/sentencepiece_*.cpp): the input is the file's bytes, alone in its folder. A model that
// loads is then used as the app uses it (exercise_tokenizer.h).
#include <cstdint>
#include <string>

#include "core/text/tokenizer.h"
#include "tests/fuzz/exercise_tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

using namespace sightline;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::write_scratch("tokenizer_model/tokenizer.model", data, size);
    fuzz::expect_only_errors([&] {
        const auto tok = load_tokenizer_file(path);
        if (!tok) fuzz::finding("load_tokenizer_file returned no tokenizer");
        fuzz::exercise_tokenizer(*tok);
    });
    return 0;
}
