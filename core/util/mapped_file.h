#pragma once
// Read-only memory map of a whole file (MAP_PRIVATE, so writes through the mapping would be
// copy-on-write and never touch the file).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace sightline {

class MappedFile {
  public:
    // Maps `path`; throws sightline::Error naming the file if it cannot be opened or mapped.
    static std::shared_ptr<MappedFile> open(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::uint8_t* data() const { return data_; }
    std::size_t size() const { return size_; }
    const std::string& path() const { return path_; }

  private:
    MappedFile() = default;
    std::string path_;
    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace sightline
