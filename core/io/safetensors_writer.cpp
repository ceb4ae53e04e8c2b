#include "core/io/safetensors_writer.h"

#include <ATen/ATen.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/io/torch_dtype.h"
#include "core/util/error.h"
#include "core/util/files.h"

namespace sightline {

void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json header;
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::set<std::string> seen;
    std::vector<at::Tensor> contiguous;
    std::uint64_t offset = 0;
    for (const auto& [name, t] : tensors) {
        if (!seen.insert(name).second) fail("write_safetensors: duplicate tensor name '", name, "'");
        at::Tensor c = t.detach().to(at::kCPU).contiguous();
        const std::uint64_t bytes = static_cast<std::uint64_t>(c.numel()) * c.element_size();
        header[name] = {{"dtype", dtype_name(st_dtype_of(c.scalar_type(), name))},
                        {"shape", c.sizes().vec()},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        contiguous.push_back(std::move(c));
    }
    std::string text = header.dump();
    while ((8 + text.size()) % 8 != 0) text.push_back(' ');

    AtomicFile out(path, "safetensors checkpoint");
    const std::uint64_t n = text.size();
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>((n >> (8 * i)) & 0xff);
    out.write(len, 8);
    out.write(text);
    for (const auto& c : contiguous)
        out.write(c.data_ptr(),
                  static_cast<std::size_t>(c.numel()) * static_cast<std::size_t>(c.element_size()));
    out.commit();
}

}  // namespace sightline
