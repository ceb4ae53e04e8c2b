#include "core/util/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "core/util/error.h"
#include "core/util/files.h"

namespace sightline {

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path) {
    // stat() before open(): opening a FIFO for reading blocks until a writer appears.
    check_regular_file(path, UINT64_MAX, "file");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) fail("cannot open ", path, ": ", std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        fail("cannot stat ", path, ": ", std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(path, " is not a regular file");
    }
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->path_ = path;
    file->size_ = static_cast<std::size_t>(st.st_size);
    if (file->size_ > 0) {
        void* p = ::mmap(nullptr, file->size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            fail("cannot memory-map ", path, ": ", std::strerror(err));
        }
        file->data_ = static_cast<std::uint8_t*>(p);
    }
    ::close(fd);
    return file;
}

namespace {
std::size_t page_size() {
    static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return size;
}
}  // namespace

void MappedFile::advise_sequential() const {
    if (data_ != nullptr) ::madvise(data_, size_, MADV_SEQUENTIAL);
}

void MappedFile::prefetch(std::size_t offset, std::size_t length) const {
    if (data_ == nullptr || offset >= size_) return;
    length = std::min(length, size_ - offset);
    const std::size_t begin = offset / page_size() * page_size();
    ::madvise(data_ + begin, length + (offset - begin), MADV_WILLNEED);
}

void MappedFile::release(std::size_t offset, std::size_t length) const {
    if (data_ == nullptr || offset >= size_) return;
    length = std::min(length, size_ - offset);
    const std::size_t ps = page_size();
    const std::size_t begin = (offset + ps - 1) / ps * ps;
    const std::size_t end = (offset + length) / ps * ps;
    if (end > begin) ::madvise(data_ + begin, end - begin, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
}

}  // namespace sightline
