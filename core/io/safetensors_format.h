#pragma once
// The safetensors container format: an 8-byte little-endian header length N, N bytes of JSON header, then
// the byte buffer. Parsing here is torch-free and validates everything before any tensor is touched:
// header size limit, JSON shape, dtypes, shapes, offsets tiling the buffer exactly, byte lengths, duplicates.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/util/mapped_file.h"

namespace sightline {

enum class StDType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

// Bytes per element; parse from / print as the safetensors spelling ("F32", "BF16", ...).
std::size_t dtype_size(StDType t);
const char* dtype_name(StDType t);
bool parse_dtype(const std::string& name, StDType* out);

struct StTensorInfo {
    std::string name;
    StDType dtype = StDType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0;  // offsets relative to the start of the byte buffer
    std::uint64_t end = 0;
    std::int64_t numel() const;
};

// Largest header accepted (the reference implementation's limit).
constexpr std::uint64_t kMaxSafetensorsHeader = 100'000'000;

// A validated, memory-mapped safetensors file.
class SafetensorsFile {
  public:
    // Maps and validates `path`; throws sightline::Error naming the file (and tensor) on any problem.
    static std::shared_ptr<SafetensorsFile> open(const std::string& path);

    const std::string& path() const { return file_->path(); }
    const std::vector<StTensorInfo>& tensors() const { return tensors_; }
    const StTensorInfo* find(const std::string& name) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    // Pointer to the first byte of a tensor's data inside the mapping.
    const std::uint8_t* data(const StTensorInfo& t) const { return file_->data() + buffer_start_ + t.begin; }
    const std::shared_ptr<MappedFile>& mapping() const { return file_; }
    // Offset of a tensor's first byte from the start of the file.
    std::uint64_t file_offset(const StTensorInfo& t) const { return buffer_start_ + t.begin; }

  private:
    std::shared_ptr<MappedFile> file_;
    std::uint64_t buffer_start_ = 0;
    std::vector<StTensorInfo> tensors_;
    std::map<std::string, std::size_t> index_;
    std::map<std::string, std::string> metadata_;
    friend void parse_safetensors_header(SafetensorsFile&);
};

}  // namespace sightline
