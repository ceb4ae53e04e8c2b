#include "core/io/weight_buffer.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/util/error.h"
#include "core/util/files.h"

namespace sightline {

at::Tensor empty_weight(const std::vector<std::int64_t>& shape, c10::ScalarType dtype) {
    std::int64_t n = 1;
    for (auto s : shape) n *= s;
    const std::size_t bytes = static_cast<std::size_t>(n) * c10::elementSize(dtype);
    constexpr std::size_t kHuge = 2u << 20;
    if (bytes < 4 * kHuge) return at::empty(shape, at::TensorOptions().dtype(dtype));
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        throw OutOfMemoryRisk(cat("cannot map ", bytes, " bytes for a weight: ", std::strerror(errno)));
    ::madvise(p, bytes, MADV_HUGEPAGE);  // a hint: without transparent huge pages it is ordinary memory
    return at::from_blob(
        p, shape, [bytes](void* q) { ::munmap(q, bytes); }, at::TensorOptions().dtype(dtype));
}

ChunkReader::ChunkReader(const std::string& path, std::size_t chunk_bytes)
    : path_(path), buffer_(chunk_bytes) {
    check_regular_file(path, UINT64_MAX, "weight file");  // before open(): a FIFO would block
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) fail("cannot open ", path, ": ", std::strerror(errno));
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

ChunkReader::~ChunkReader() {
    if (fd_ >= 0) ::close(fd_);
}

void ChunkReader::read(std::uint64_t offset, std::uint64_t length, std::size_t unit,
                       const std::function<void(const void*, std::size_t, std::uint64_t)>& consume) {
    const std::size_t chunk = std::max<std::size_t>(unit, buffer_.size() / unit * unit);
    if (buffer_.size() < chunk) buffer_.resize(chunk);
    std::uint64_t done = 0;
    while (done < length) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, length - done));
        // Start reading the following chunk in the background while this one is consumed.
        ::posix_fadvise(fd_, static_cast<off_t>(offset + done + want), static_cast<off_t>(chunk),
                        POSIX_FADV_WILLNEED);
        std::size_t got = 0;
        while (got < want) {
            const ssize_t r =
                ::pread(fd_, buffer_.data() + got, want - got, static_cast<off_t>(offset + done + got));
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) fail("cannot read ", path_, ": ", std::strerror(errno));
            if (r == 0) fail(path_, ": the file ended early (truncated while loading?)");
            got += static_cast<std::size_t>(r);
        }
        consume(buffer_.data(), want, done);
        done += want;
    }
}

}  // namespace sightline
