#include "core/io/weight_store.h"

#include <ATen/ATen.h>
#include <dirent.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "core/io/safetensors_format.h"
#include "core/util/error.h"
#include "core/util/strings.h"
#include "core/util/system_info.h"

namespace sightline {
namespace {

std::vector<std::string> safetensors_in(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) fail("cannot open model folder ", dir);
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (ends_with(name, ".safetensors")) out.push_back(path_join(dir, name));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> files_from_index(const std::string& dir, const std::string& index_path) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(read_text_file(index_path));
    } catch (const nlohmann::json::exception& e) {
        fail(index_path, ": not valid JSON (", e.what(), ")");
    }
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
        fail(index_path, ": missing \"weight_map\" object");
    std::set<std::string> files;
    for (const auto& [name, file] : j["weight_map"].items()) {
        if (!file.is_string()) fail(index_path, ": weight_map entry for '", name, "' is not a file name");
        const std::string f = file.get<std::string>();
        if (f.find('/') != std::string::npos || f == ".." || f.empty())
            fail(index_path, ": weight_map entry for '", name, "' names an invalid file '", f, "'");
        files.insert(f);
    }
    std::vector<std::string> out;
    for (const auto& f : files) {
        const std::string p = path_join(dir, f);
        if (!file_exists(p)) fail(index_path, ": shard ", f, " is missing");
        out.push_back(p);
    }
    return out;
}

bool aligned_for(const void* p, std::size_t element_size) {
    return reinterpret_cast<std::uintptr_t>(p) % element_size == 0;
}

}  // namespace

std::vector<std::string> checkpoint_files(const std::string& dir) {
    const std::string single = path_join(dir, "model.safetensors");
    if (file_exists(single)) return {single};
    const std::string index = path_join(dir, "model.safetensors.index.json");
    if (file_exists(index)) return files_from_index(dir, index);
    auto any = safetensors_in(dir);
    if (any.size() == 1) return any;
    if (any.empty())
        fail(dir,
             ": no model.safetensors or model.safetensors.index.json (only safetensors checkpoints are "
             "supported)");
    fail(dir,
         ": several .safetensors files but no model.safetensors.index.json to say which belong together");
}

WeightStore WeightStore::load_dir(const std::string& dir, ComputeDType dtype) {
    WeightStore s = load_files(checkpoint_files(dir), dtype);
    s.origin_ = dir;
    const std::string index = path_join(dir, "model.safetensors.index.json");
    if (!file_exists(path_join(dir, "model.safetensors")) && file_exists(index)) {
        // Every tensor the index names must be in the shard it names.
        const auto j = nlohmann::json::parse(read_text_file(index));
        for (const auto& [name, file] : j["weight_map"].items()) {
            const auto it = s.sources_.find(name);
            if (it == s.sources_.end())
                fail(index, ": tensor '", name, "' is listed in the index but not present in ",
                     file.get<std::string>());
            if (!ends_with(it->second, "/" + file.get<std::string>()))
                fail(index, ": tensor '", name, "' is listed in ", file.get<std::string>(), " but stored in ",
                     it->second);
        }
    }
    return s;
}

WeightStore WeightStore::load_files(const std::vector<std::string>& files, ComputeDType dtype) {
    WeightStore s;
    s.origin_ = files.empty() ? std::string() : files.front();
    std::vector<std::shared_ptr<SafetensorsFile>> opened;
    const auto compute = to_scalar_type(dtype);
    std::uint64_t needed = 0;
    for (const auto& path : files) {
        opened.push_back(SafetensorsFile::open(path));
        for (const auto& t : opened.back()->tensors()) {
            const auto st = to_scalar_type(t.dtype);
            const bool floating = at::isFloatingType(st);
            needed += static_cast<std::uint64_t>(t.numel()) *
                      (floating ? c10::elementSize(compute) : dtype_size(t.dtype));
        }
    }
    ensure_memory_available(needed, "loading the weights");

    for (const auto& f : opened) {
        for (const auto& info : f->tensors()) {
            if (s.tensors_.count(info.name))
                fail(f->path(), ": tensor '", info.name, "' also appears in ", s.sources_[info.name]);
            const auto st = to_scalar_type(info.dtype);
            const auto target = at::isFloatingType(st) ? compute : st;
            void* ptr = const_cast<std::uint8_t*>(f->data(info));
            at::Tensor t;
            if (info.numel() == 0) {
                t = at::empty(info.shape, at::TensorOptions().dtype(target));
            } else if (aligned_for(ptr, dtype_size(info.dtype))) {
                auto keep = f->mapping();
                t = at::from_blob(
                    ptr, info.shape, [keep](void*) mutable { keep.reset(); }, at::TensorOptions().dtype(st));
                if (st != target) t = t.to(target);
            } else {
                // Unaligned data (legal in the format): copy bytes into an owned, aligned tensor first.
                at::Tensor owned = at::empty(info.shape, at::TensorOptions().dtype(st));
                std::memcpy(owned.data_ptr(), ptr, info.end - info.begin);
                t = st != target ? owned.to(target) : owned;
            }
            s.total_bytes_ += static_cast<std::uint64_t>(t.numel()) * t.element_size();
            s.tensors_.emplace(info.name, std::move(t));
            s.sources_.emplace(info.name, f->path());
        }
    }
    return s;
}

const at::Tensor& WeightStore::get(const std::string& name) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) fail(origin_, ": checkpoint has no tensor '", name, "'");
    return it->second;
}

const std::string& WeightStore::source_of(const std::string& name) const {
    static const std::string none;
    const auto it = sources_.find(name);
    return it == sources_.end() ? none : it->second;
}

}  // namespace sightline
