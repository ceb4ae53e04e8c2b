// Fuzzes preprocessor_config.json reading (core/image/image_processor_config.cpp, qwen_processor.cpp)
// through load_image_processor_config: the input is the file's content. An accepted config then plans
// the resize/tiling of a 640x480 image (arithmetic only; no pixels are processed, since sides up to
// 32768 are accepted on purpose and would need gigabytes).
#include <cstdint>
#include <string>

#include "core/image/anyres.h"
#include "core/image/image_processor_config.h"
#include "core/image/preprocess.h"
#include "core/image/qwen_processor.h"
#include "core/image/smolvlm_split.h"
#include "tests/fuzz/fuzz_support.h"

using namespace sightline;

namespace {

const fuzz::RegisterGenerated nested("100k_nested_brackets", [] {
    return "{\"image_processor_type\":\"CLIPImageProcessor\",\"image_mean\":" +
           fuzz::nested_brackets(100000, true) + "}";
});
const fuzz::RegisterGenerated unclosed("100k_unclosed_brackets",
                                       [] { return fuzz::nested_brackets(100000, false); });

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string dir = fuzz::scratch_dir() + "/processor";
    fuzz::write_scratch("processor/preprocessor_config.json", data, size);
    ImageProcessorConfig cfg;
    if (!fuzz::expect_only_errors([&] { cfg = load_image_processor_config(dir); })) return 0;
    std::size_t sum = describe(cfg).size();
    fuzz::expect_only_errors([&] {
        if (cfg.kind == ImageProcessorKind::Qwen) {
            const auto hw =
                qwen_smart_resize(480, 640, cfg.patch_size * cfg.merge_size, cfg.min_pixels, cfg.max_pixels);
            sum += static_cast<std::size_t>(hw.first) + static_cast<std::size_t>(hw.second);
        } else if (cfg.smolvlm) {
            sum += static_cast<std::size_t>(plan_smolvlm(640, 480, cfg).views());
        } else if (cfg.anyres) {
            const AnyresPlan p = plan_anyres(480, 640, cfg.grid_pinpoints, cfg.tile_size());
            sum += static_cast<std::size_t>(p.rows()) + static_cast<std::size_t>(p.cols());
        } else {
            const cv::Size s = resize_output_size(640, 480, cfg);
            sum += static_cast<std::size_t>(s.area());
        }
    });
    (void)sum;
    return 0;
}
