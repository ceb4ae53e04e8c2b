#pragma once
// Storage for converted weights and for reading checkpoint data without page faults.
// empty_weight(): an uninitialised tensor whose memory is an anonymous mapping that asks the kernel for
// transparent huge pages (MADV_HUGEPAGE), so that filling 14 GB of weights takes some 7000 page faults
// of 2 MiB instead of 3.5 million of 4 KiB (a third of a 7B load's time went to faulting and zeroing
// small pages). Small tensors use the ordinary allocator.
// ChunkReader: reads a file range with pread() through one reused buffer, asking the kernel to read the
// next chunk ahead while the current one is converted.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sightline {

at::Tensor empty_weight(const std::vector<std::int64_t>& shape, c10::ScalarType dtype);

class ChunkReader {
  public:
    explicit ChunkReader(const std::string& path, std::size_t chunk_bytes = 32u << 20);
    ~ChunkReader();
    ChunkReader(const ChunkReader&) = delete;
    ChunkReader& operator=(const ChunkReader&) = delete;
    // Reads [offset, offset + length) in chunks that are multiples of `unit` bytes and hands each one to
    // `consume(data, bytes, bytes_before)`. Throws sightline::Error naming the file on a read error or a
    // short read.
    void read(std::uint64_t offset, std::uint64_t length, std::size_t unit,
              const std::function<void(const void*, std::size_t, std::uint64_t)>& consume);

  private:
    std::string path_;
    int fd_ = -1;
    std::vector<char> buffer_;
};

}  // namespace sightline
