#include "core/io/weight_store.h"

#include <ATen/ATen.h>
#include <dirent.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/io/dtype_convert.h"
#include "core/io/int8_weights.h"
#include "core/io/safetensors_format.h"
#include "core/io/weight_buffer.h"
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
        const std::string text = read_text_file(index_path);
        check_json_depth(text, kMaxJsonDepth, index_path);
        j = nlohmann::json::parse(text);
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

std::optional<Conversion> fast_conversion(c10::ScalarType from, c10::ScalarType to) {
    if (from == c10::kHalf && to == c10::kBFloat16) return Conversion::F16ToBF16;
    if (from == c10::kHalf && to == c10::kFloat) return Conversion::F16ToF32;
    if (from == c10::kBFloat16 && to == c10::kFloat) return Conversion::BF16ToF32;
    if (from == c10::kFloat && to == c10::kBFloat16) return Conversion::F32ToBF16;
    return std::nullopt;
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

WeightStore WeightStore::load_dir(const std::string& dir, ComputeDType dtype, const JobControl* control,
                                  const Int8Filter& int8) {
    WeightStore s = load_files(checkpoint_files(dir), dtype, control, int8);
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

WeightStore WeightStore::load_files(const std::vector<std::string>& files, ComputeDType dtype,
                                    const JobControl* control, const Int8Filter& int8) {
    WeightStore s;
    s.origin_ = files.empty() ? std::string() : files.front();
    const auto compute = to_scalar_type(dtype);
    // Headers only (validated, nothing read of the data): the memory the converted weights need.
    std::uint64_t needed = 0, stored = 0;
    for (const auto& path : files) {
        const auto f = SafetensorsFile::open(path);
        for (const auto& t : f->tensors()) {
            const bool floating = at::isFloatingType(to_scalar_type(t.dtype));
            if (floating && t.shape.size() == 2 && int8 && int8(t.name, t.shape))
                needed += static_cast<std::uint64_t>(t.numel()) + static_cast<std::uint64_t>(t.shape[0]) * 4;
            else
                needed += static_cast<std::uint64_t>(t.numel()) *
                          (floating ? c10::elementSize(compute) : dtype_size(t.dtype));
            stored += t.end - t.begin;
        }
    }
    ensure_memory_available(needed, "loading the weights");

    constexpr std::uint64_t kMiB = 1ull << 20;
    StageMeter meter(control, "loading weights (MiB)", static_cast<std::int64_t>(stored / kMiB));
    std::uint64_t read = 0;
    for (const auto& path : files) {
        if (control != nullptr) control->check();
        const auto f = SafetensorsFile::open(path);
        const MappedFile& map = *f->mapping();
        ChunkReader reader(path);
        std::vector<const StTensorInfo*> order;
        for (const auto& info : f->tensors()) order.push_back(&info);
        std::sort(order.begin(), order.end(),
                  [](const StTensorInfo* a, const StTensorInfo* b) { return a->begin < b->begin; });
        for (std::size_t i = 0; i < order.size(); ++i) {
            const StTensorInfo& info = *order[i];
            if (s.tensors_.count(info.name))
                fail(f->path(), ": tensor '", info.name, "' also appears in ", s.sources_[info.name]);
            const auto st = to_scalar_type(info.dtype);
            const auto target = at::isFloatingType(st) ? compute : st;
            void* ptr = const_cast<std::uint8_t*>(f->data(info));
            at::Tensor t;
            bool aliases = false;
            const auto fast = fast_conversion(st, target);
            if (info.numel() == 0) {
                t = at::empty(info.shape, at::TensorOptions().dtype(target));
            } else if (fast) {
                // Converted tensors are read with pread() in chunks (no page faults on the mapping, and
                // nothing of the file stays in this process) into huge-page memory.
                t = empty_weight(info.shape, target);
                const std::size_t in = dtype_size(info.dtype), out = c10::elementSize(target);
                auto* dst = static_cast<char*>(t.data_ptr());
                reader.read(f->file_offset(info), info.end - info.begin, in,
                            [&](const void* data, std::size_t bytes, std::uint64_t before) {
                                convert_elements(*fast, data, dst + before / in * out, bytes / in);
                            });
            } else if (aligned_for(ptr, dtype_size(info.dtype))) {
                auto keep = f->mapping();
                t = at::from_blob(
                    ptr, info.shape, [keep](void*) mutable { keep.reset(); }, at::TensorOptions().dtype(st));
                aliases = st == target;
                if (!aliases) t = t.to(target);
            } else {
                // Unaligned data (legal in the format): copy bytes into an owned, aligned tensor first.
                at::Tensor owned = at::empty(info.shape, at::TensorOptions().dtype(st));
                std::memcpy(owned.data_ptr(), ptr, info.end - info.begin);
                t = st != target ? owned.to(target) : owned;
            }
            if (!aliases && !fast) map.release(f->file_offset(info), info.end - info.begin);
            if (at::isFloatingType(target) && info.shape.size() == 2 && int8 && int8(info.name, info.shape)) {
                Int8Weight w = quantize_int8(t);
                t = w.q;  // the converted tensor is freed here: one tensor in the compute dtype at a time
                s.total_bytes_ += static_cast<std::uint64_t>(w.scale.numel()) * 4;
                s.int8_scales_.emplace(info.name, std::move(w.scale));
            }
            s.total_bytes_ += static_cast<std::uint64_t>(t.numel()) * t.element_size();
            s.tensors_.emplace(info.name, std::move(t));
            s.sources_.emplace(info.name, f->path());
            read += info.end - info.begin;
            meter.step(static_cast<std::int64_t>(read / kMiB));
        }
        // `f` goes out of scope here: the mapping is unmapped unless a tensor aliases it.
    }
    return s;
}

const at::Tensor& WeightStore::get(const std::string& name) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) fail(origin_, ": checkpoint has no tensor '", name, "'");
    return it->second;
}

const at::Tensor* WeightStore::int8_scale(const std::string& name) const {
    const auto it = int8_scales_.find(name);
    return it == int8_scales_.end() ? nullptr : &it->second;
}

const std::string& WeightStore::source_of(const std::string& name) const {
    static const std::string none;
    const auto it = sources_.find(name);
    return it == sources_.end() ? none : it->second;
}

}  // namespace sightline
