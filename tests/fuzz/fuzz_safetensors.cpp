// Fuzzes the safetensors container parser (core/io/safetensors_format.cpp): the input is a whole
// .safetensors file. Whatever it accepts must be safe to read: every tensor's bytes inside the mapping,
// byte lengths matching dtype x shape, names found by find().
#include <cstdint>
#include <string>

#include "core/io/safetensors_format.h"
#include "core/util/error.h"
#include "tests/fuzz/fuzz_support.h"

using namespace sightline;

namespace {

std::string with_length_prefix(const std::string& header) {
    std::string out(8, '\0');
    std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i, n >>= 8) out[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xff);
    return out + header;
}

// Issue 21: 200k zero-size entries (12 MB, under the header cap) took hours with a quadratic parser.
const fuzz::RegisterGenerated many_entries("200k_zero_size_entries", [] {
    std::string h = "{";
    for (int i = 0; i < 200000; ++i)
        h += std::string(i ? "," : "") + "\"t" + std::to_string(i) +
             "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}";
    return with_length_prefix(h + "}");
});
const fuzz::RegisterGenerated nested("100k_nested_brackets", [] {
    return with_length_prefix("{\"a\":" + fuzz::nested_brackets(100000, true) + "}");
});

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::write_scratch("model.safetensors", data, size);
    fuzz::expect_only_errors([&] {
        const auto f = SafetensorsFile::open(path);
        const std::uint64_t file_size = f->mapping()->size();
        unsigned sum = 0;
        for (const auto& t : f->tensors()) {
            if (f->find(t.name) != &t) fuzz::finding("find() does not return tensor '" + t.name + "'");
            if (t.end < t.begin || f->file_offset(t) > file_size ||
                t.end - t.begin > file_size - f->file_offset(t))
                fuzz::finding("tensor '" + t.name + "' lies outside the file");
            const std::uint64_t bytes = t.end - t.begin;
            if (static_cast<std::uint64_t>(t.numel()) * dtype_size(t.dtype) != bytes)
                fuzz::finding("tensor '" + t.name + "': byte length does not match dtype x shape");
            if (bytes) sum += f->data(t)[0] + f->data(t)[bytes - 1];
        }
        for (const auto& [key, value] : f->metadata())
            sum += static_cast<unsigned>(key.size() + value.size());
        (void)sum;
    });
    return 0;
}
