#include "core/io/safetensors_format.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

struct DTypeRow {
    StDType type;
    const char* name;
    std::size_t size;
};
constexpr DTypeRow kDTypes[] = {
    {StDType::F64, "F64", 8},   {StDType::F32, "F32", 4}, {StDType::F16, "F16", 2},
    {StDType::BF16, "BF16", 2}, {StDType::I64, "I64", 8}, {StDType::I32, "I32", 4},
    {StDType::I16, "I16", 2},   {StDType::I8, "I8", 1},   {StDType::U8, "U8", 1},
    {StDType::BOOL, "BOOL", 1},
};

std::uint64_t read_le64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

// Records the first key repeated within one object, keeping one hash set per open object.
struct DuplicateKeyFinder {
    std::vector<std::unordered_set<std::string>> open;
    std::string duplicate;
    bool null() { return true; }
    bool boolean(bool) { return true; }
    bool number_integer(nlohmann::json::number_integer_t) { return true; }
    bool number_unsigned(nlohmann::json::number_unsigned_t) { return true; }
    bool number_float(nlohmann::json::number_float_t, const std::string&) { return true; }
    bool string(std::string&) { return true; }
    bool binary(nlohmann::json::binary_t&) { return true; }
    bool start_object(std::size_t) {
        open.emplace_back();
        return true;
    }
    bool end_object() {
        if (!open.empty()) open.pop_back();
        return true;
    }
    bool start_array(std::size_t) { return true; }
    bool end_array() { return true; }
    bool key(std::string& k) {
        if (!open.empty() && !open.back().insert(k).second && duplicate.empty()) duplicate = k;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }
};

// Parses the header JSON, rejecting duplicate keys at any depth (nlohmann would silently keep the last).
// Linear in the header size: one hash set per open object, and nesting is limited before parsing.
nlohmann::json parse_header_json(const std::string& text, const std::string& path) {
    check_json_depth(text, 64, cat(path, ": safetensors header"));
    // A SAX pass for duplicate keys (nlohmann's callback parser rescans the parent object after
    // every child object: quadratic), then an ordinary parse.
    DuplicateKeyFinder finder;
    try {
        nlohmann::json::sax_parse(text, &finder);
    } catch (const nlohmann::json::exception&) {
    }
    const std::string duplicate = finder.duplicate;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        fail(path, ": safetensors header is not valid JSON (", e.what(), ")");
    }
    if (!duplicate.empty()) fail(path, ": safetensors header names '", brief(duplicate), "' more than once");
    return j;
}

std::uint64_t checked_u64(const nlohmann::json& v, const std::string& path, const std::string& name,
                          const char* what) {
    if (!v.is_number_integer() ||
        (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() < 0))
        fail(path, ": tensor '", name, "': ", what, " must be a non-negative integer");
    return v.get<std::uint64_t>();
}

StTensorInfo parse_entry(const std::string& name, const nlohmann::json& e, const std::string& path) {
    if (!e.is_object()) fail(path, ": tensor '", name, "': header entry is not an object");
    StTensorInfo t;
    t.name = name;
    const auto dt = e.find("dtype");
    if (dt == e.end() || !dt->is_string()) fail(path, ": tensor '", name, "': missing dtype");
    if (!parse_dtype(dt->get<std::string>(), &t.dtype))
        fail(path, ": tensor '", name, "': unknown dtype '", dt->get<std::string>(), "'");
    const auto sh = e.find("shape");
    if (sh == e.end() || !sh->is_array()) fail(path, ": tensor '", name, "': missing shape");
    std::uint64_t numel = 1;
    for (const auto& d : *sh) {
        const std::uint64_t v = checked_u64(d, path, name, "every shape entry");
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
            (v != 0 && numel > std::numeric_limits<std::uint64_t>::max() / v / 8))
            fail(path, ": tensor '", name, "': shape is too large");
        numel *= v;
        t.shape.push_back(static_cast<std::int64_t>(v));
    }
    const auto off = e.find("data_offsets");
    if (off == e.end() || !off->is_array() || off->size() != 2)
        fail(path, ": tensor '", name, "': data_offsets must be [begin, end]");
    t.begin = checked_u64((*off)[0], path, name, "data_offsets");
    t.end = checked_u64((*off)[1], path, name, "data_offsets");
    if (t.end < t.begin) fail(path, ": tensor '", name, "': data_offsets end before begin");
    const std::uint64_t expected = numel * dtype_size(t.dtype);
    if (t.end - t.begin != expected)
        fail(path, ": tensor '", name, "': byte length ", t.end - t.begin, " does not match dtype ",
             dtype_name(t.dtype), " x shape (", expected, " bytes)");
    return t;
}

}  // namespace

std::size_t dtype_size(StDType t) {
    for (const auto& r : kDTypes)
        if (r.type == t) return r.size;
    return 0;
}

const char* dtype_name(StDType t) {
    for (const auto& r : kDTypes)
        if (r.type == t) return r.name;
    return "?";
}

bool parse_dtype(const std::string& name, StDType* out) {
    for (const auto& r : kDTypes)
        if (name == r.name) {
            *out = r.type;
            return true;
        }
    return false;
}

std::int64_t StTensorInfo::numel() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

void parse_safetensors_header(SafetensorsFile& f) {
    const std::string& path = f.file_->path();
    const std::uint64_t size = f.file_->size();
    if (size < 8)
        fail(path, ": not a safetensors file (", size, " bytes, shorter than the 8-byte header length)");
    const std::uint64_t n = read_le64(f.file_->data());
    if (n > kMaxSafetensorsHeader)
        fail(path, ": safetensors header length ", n, " exceeds the limit of ", kMaxSafetensorsHeader,
             " bytes");
    if (n > size - 8)
        fail(path, ": safetensors header length ", n, " runs past the end of the file (", size, " bytes)");
    if (n < 2) fail(path, ": safetensors header is empty");
    const std::string text(reinterpret_cast<const char*>(f.file_->data() + 8), n);
    const nlohmann::json j = parse_header_json(text, path);
    if (!j.is_object()) fail(path, ": safetensors header is not a JSON object");
    f.buffer_start_ = 8 + n;
    const std::uint64_t buffer_size = size - f.buffer_start_;

    for (const auto& [key, value] : j.items()) {
        if (key == "__metadata__") {
            if (!value.is_object()) fail(path, ": __metadata__ is not an object");
            for (const auto& [mk, mv] : value.items()) {
                if (!mv.is_string()) fail(path, ": __metadata__ value for '", mk, "' is not a string");
                f.metadata_[mk] = mv.get<std::string>();
            }
            continue;
        }
        f.tensors_.push_back(parse_entry(key, value, path));
    }

    // The tensors' byte ranges must tile [0, buffer_size) exactly: no overlap, no gap, nothing past the end.
    std::vector<const StTensorInfo*> order;
    for (const auto& t : f.tensors_) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](const StTensorInfo* a, const StTensorInfo* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    std::uint64_t cursor = 0;
    for (const auto* t : order) {
        if (t->end > buffer_size)
            fail(path, ": tensor '", t->name, "': data_offsets [", t->begin, ", ", t->end,
                 ") exceed the data buffer (", buffer_size,
                 " bytes; the file is truncated or the header is wrong)");
        if (t->begin < cursor) fail(path, ": tensor '", t->name, "': data overlaps the previous tensor");
        if (t->begin > cursor)
            fail(path, ": tensor '", t->name, "': gap of ", t->begin - cursor, " bytes before its data");
        cursor = t->end;
    }
    if (cursor != buffer_size)
        fail(path, ": ", buffer_size - cursor,
             " trailing bytes after the last tensor (data does not tile the buffer)");
    for (std::size_t i = 0; i < f.tensors_.size(); ++i) f.index_[f.tensors_[i].name] = i;
}

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
    auto f = std::shared_ptr<SafetensorsFile>(new SafetensorsFile());
    f->file_ = MappedFile::open(path);
    parse_safetensors_header(*f);
    return f;
}

const StTensorInfo* SafetensorsFile::find(const std::string& name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace sightline
