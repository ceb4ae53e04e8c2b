// Fuzzes image decoding (core/image/image_io.cpp: format sniffing, the declared-size check before
// decoding, OpenCV's decoders, the conversion to 8-bit RGB) through decode_image_rgb, the entry point for
// images from bytes (sessions, clipboard). Whatever decodes must be 8-bit RGB within kMaxImagePixels.
#include <cstdint>
#include <string>
#include <vector>

#include "core/image/image_io.h"
#include "tests/fuzz/fuzz_support.h"

using namespace sightline;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<std::uint8_t> bytes(data, data + size);
    fuzz::expect_only_errors([&] {
        const cv::Mat rgb = decode_image_rgb(bytes, "fuzz input");
        if (rgb.empty() || rgb.type() != CV_8UC3) fuzz::finding("decode_image_rgb gave no 8-bit RGB image");
        if (static_cast<std::uint64_t>(rgb.rows) * static_cast<std::uint64_t>(rgb.cols) > kMaxImagePixels)
            fuzz::finding("decode_image_rgb gave an image over kMaxImagePixels");
    });
    return 0;
}
