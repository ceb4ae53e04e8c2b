#include "core/util/files.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "core/util/error.h"

namespace sightline {

namespace {
const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

std::string mib(std::uint64_t bytes) {
    return cat(bytes / (1024 * 1024), " MiB");
}

void check_stat(const std::string& path, const struct stat& st, std::uint64_t max_bytes,
                std::string_view what) {
    if (!S_ISREG(st.st_mode)) fail(path, ": the ", what, " is ", kind_of(st.st_mode), ", not a regular file");
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size > max_bytes)
        fail(path, ": the ", what, " is ", size, " bytes, over the limit of ", mib(max_bytes),
             " for this kind of file");
}
}  // namespace

std::uint64_t check_regular_file(const std::string& path, std::uint64_t max_bytes, std::string_view what) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        if (err == ENOENT) fail(path, ": cannot open the ", what, ": not found");
        fail(path, ": cannot read the ", what, ": ", std::strerror(err));
    }
    check_stat(path, st, max_bytes, what);
    return static_cast<std::uint64_t>(st.st_size);
}

std::uint64_t read_regular_file_chunks(const std::string& path, std::uint64_t max_bytes,
                                       std::string_view what,
                                       const std::function<void(const char* data, std::size_t size)>& sink) {
    check_regular_file(path, max_bytes, what);
    struct Fd {
        int fd;
        ~Fd() {
            if (fd >= 0) ::close(fd);
        }
    } f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
    if (f.fd < 0) fail(path, ": cannot open the ", what, ": ", std::strerror(errno));
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) fail(path, ": cannot stat the ", what, ": ", std::strerror(errno));
    check_stat(path, st, max_bytes, what);
    std::vector<char> buf(1 << 20);
    std::uint64_t total = 0;
    for (;;) {
        const ssize_t n = ::read(f.fd, buf.data(), buf.size());
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(path, ": cannot read the ", what, ": ", std::strerror(errno));
        }
        total += static_cast<std::uint64_t>(n);
        if (total > max_bytes)
            fail(path, ": the ", what, " grew past the limit of ", mib(max_bytes), " while being read");
        sink(buf.data(), static_cast<std::size_t>(n));
    }
    return total;
}

std::string read_regular_file(const std::string& path, std::uint64_t max_bytes, std::string_view what) {
    std::string out;
    out.reserve(static_cast<std::size_t>(check_regular_file(path, max_bytes, what)));
    read_regular_file_chunks(path, max_bytes, what,
                             [&](const char* data, std::size_t size) { out.append(data, size); });
    return out;
}

void make_dirs(const std::string& dir) {
    std::string cur;
    for (std::size_t i = 0; i <= dir.size(); ++i) {
        if (i == dir.size() || (dir[i] == '/' && i > 0)) {
            cur = dir.substr(0, i);
            if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST)
                fail("cannot create folder ", cur, ": ", std::strerror(errno));
        }
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) fail(dir, " is not a folder");
}

void remove_tree(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return;
    const auto remove_one = [](const char* p, const struct stat*, int, struct FTW*) {
        return std::remove(p);
    };
    if (::nftw(path.c_str(), remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fail("cannot remove ", path, ": ", std::strerror(errno));
}

void replace_path(const std::string& from, const std::string& to) {
    remove_tree(to);
    if (std::rename(from.c_str(), to.c_str()) != 0)
        fail("cannot move ", from, " to ", to, ": ", std::strerror(errno));
}

AtomicFile::AtomicFile(std::string path, std::string_view what) : path_(std::move(path)), what_(what) {
    if (path_.empty()) fail("cannot write the ", what_, ": no file name given");
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        fail(path_, ": cannot write the ", what_, ": a folder has that name");
    std::string tmpl = path_ + ".partial-XXXXXX";
    fd_ = ::mkstemp(tmpl.data());
    if (fd_ < 0) {
        const int err = errno;
        fail(path_, ": cannot write the ", what_, ": ", std::strerror(err));
    }
    tmp_ = tmpl;
    // mkstemp creates 0600; give the file the permissions a plain open() would (0666 & ~umask).
    const mode_t mask = ::umask(0);
    ::umask(mask);
    (void)::fchmod(fd_, 0666 & ~mask);
}

AtomicFile::~AtomicFile() {
    discard();
}

void AtomicFile::discard() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
    tmp_.clear();
}

void AtomicFile::fail_errno(const char* doing, int err) {
    discard();
    fail(path_, ": cannot ", doing, " the ", what_, ": ", std::strerror(err), " (nothing was written)");
}

void AtomicFile::write(const void* data, std::size_t size) {
    if (fd_ < 0) fail(path_, ": the ", what_, " was already written or abandoned");
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd_, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_errno("write", errno);
        }
        if (n == 0) fail_errno("write", ENOSPC);
        p += n;
        size -= static_cast<std::size_t>(n);
    }
}

void AtomicFile::commit() {
    if (fd_ < 0) fail(path_, ": the ", what_, " was already written or abandoned");
    if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) fail_errno("flush", errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail_errno("close", errno);
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail_errno("rename into place", errno);
    tmp_.clear();
}

void write_file_atomic(const std::string& path, std::string_view bytes, std::string_view what) {
    AtomicFile f(path, what);
    f.write(bytes);
    f.commit();
}

}  // namespace sightline
