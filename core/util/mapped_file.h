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
    // Hints for streaming through the mapping once (kernel readahead), for reading a range soon
    // (asynchronous readahead), and for dropping the pages of a range that has been consumed from this
    // process's resident set (the pages stay in the page cache). Ranges are clipped to the mapping;
    // release() only drops whole pages inside the range. Advice failures are ignored: they are hints.
    void advise_sequential() const;
    void prefetch(std::size_t offset, std::size_t length) const;
    void release(std::size_t offset, std::size_t length) const;

  private:
    MappedFile() = default;
    std::string path_;
    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace sightline
