#include "core/model/checkpoint_writer.h"

#include <sys/stat.h>

#include <ATen/ATen.h>

#include <cstdio>
#include <fstream>

#include "core/io/safetensors_writer.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/strings.h"

namespace sightline {

void save_model(Model& model, const std::string& dir, const CheckpointWriteOptions& o) {
    ::mkdir(dir.c_str(), 0755);
    if (!file_exists(dir)) fail("cannot create folder ", dir);
    const bool mm = model.multimodal();
    NamedTensors all;
    for (auto& [name, t] : model.named_parameters())
        all.emplace_back(layout_key(name, mm, o.layout), t.detach().to(at::kFloat).contiguous());
    if (o.write_config) {
        write_file_atomic(path_join(dir, "config.json"), model_config_to_json(model.config()).dump(2) + "\n",
                          "model config");
    }
    if (o.shards <= 1) {
        write_safetensors(path_join(dir, "model.safetensors"), all, o.metadata);
        return;
    }
    const std::size_t per =
        (all.size() + static_cast<std::size_t>(o.shards) - 1) / static_cast<std::size_t>(o.shards);
    nlohmann::json weight_map = nlohmann::json::object();
    std::uint64_t total = 0;
    for (int s = 0; s < o.shards; ++s) {
        char file_buf[64];
        std::snprintf(file_buf, sizeof file_buf, "model-%05d-of-%05d.safetensors", s + 1, o.shards);
        const std::string file = file_buf;
        NamedTensors part;
        for (std::size_t i = static_cast<std::size_t>(s) * per;
             i < all.size() && i < static_cast<std::size_t>(s + 1) * per; ++i) {
            part.push_back(all[i]);
            weight_map[all[i].first] = file;
            total += static_cast<std::uint64_t>(all[i].second.numel()) * 4;
        }
        write_safetensors(path_join(dir, file), part, o.metadata);
    }
    write_file_atomic(
        path_join(dir, "model.safetensors.index.json"),
        nlohmann::json{{"metadata", {{"total_size", total}}}, {"weight_map", weight_map}}.dump(2) + "\n",
        "safetensors index");
}

}  // namespace sightline
