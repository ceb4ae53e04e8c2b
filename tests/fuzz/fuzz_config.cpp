// Fuzzes config.json reading (core/model/config.cpp, qwen_config.cpp) through load_model_config, the
// path the loader takes: the input is the file's content. An accepted config must give its derived sizes
// without faults and serialise back to JSON.
#include <cstdint>
#include <string>

#include "core/model/config.h"
#include "core/util/error.h"
#include "tests/fuzz/fuzz_support.h"

using namespace sightline;

namespace {

// Issue 21: 100k nested '[' overflowed the stack when an error message dumped the value.
const fuzz::RegisterGenerated nested("100k_nested_brackets", [] {
    return "{\"model_type\":\"llava\",\"text_config\":" + fuzz::nested_brackets(100000, true) + "}";
});
const fuzz::RegisterGenerated unclosed("100k_unclosed_brackets",
                                       [] { return fuzz::nested_brackets(100000, false); });

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string dir = fuzz::scratch_dir() + "/model";
    fuzz::write_scratch("model/config.json", data, size);
    fuzz::expect_only_errors([&] {
        const ModelConfig c = load_model_config(dir);
        std::int64_t sum = c.image_grid() + c.image_token_count() + (c.image_tokens_include_cls() ? 1 : 0);
        sum += c.vision.grid() + c.vision.num_patches();
        for (std::int64_t layer = 0; layer < c.text.num_hidden_layers && layer < 64; ++layer)
            sum += c.text.is_sliding(layer) ? 1 : 0;
        const nlohmann::json back = model_config_to_json(c);
        sum += static_cast<std::int64_t>(back.dump().size());
        (void)sum;
    });
    return 0;
}
