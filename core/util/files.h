#pragma once
// File-system helpers (POSIX).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace sightline {

// Creates `dir` and its parents; throws sightline::Error naming the path on failure.
void make_dirs(const std::string& dir);
// Removes a file or a whole folder tree; missing paths are fine. Throws on other failures.
void remove_tree(const std::string& path);
// Size caps for the files Sightline reads whole (see "Input safety" in docs/ARCHITECTURE.md).
constexpr std::uint64_t kMaxTextFileBytes = 128ull << 20;   // JSON, templates, tokenizer.model
constexpr std::uint64_t kMaxImageFileBytes = 256ull << 20;  // encoded images

// Checks, with stat() and before anything opens it, that `path` is a regular file (never a FIFO,
// device or folder, which could block or never end) of at most `max_bytes` bytes; returns its size.
// Throws sightline::Error naming the file and `what` ("config", "image", ...) otherwise.
std::uint64_t check_regular_file(const std::string& path, std::uint64_t max_bytes, std::string_view what);
// Reads a whole file after check_regular_file; opens with O_NONBLOCK and re-checks the opened
// descriptor, so a file swapped for a FIFO between the two calls still cannot block.
std::string read_regular_file(const std::string& path, std::uint64_t max_bytes, std::string_view what);
// The same checks and reads, handing the bytes to `sink` in pieces of up to 1 MiB instead of keeping
// them (hashing a checkpoint); an exception from `sink` stops the read and closes the file. Returns the
// number of bytes read.
std::uint64_t read_regular_file_chunks(const std::string& path, std::uint64_t max_bytes,
                                       std::string_view what,
                                       const std::function<void(const char* data, std::size_t size)>& sink);

// Renames `from` to `to`, replacing `to` (a folder tree is removed first).
void replace_path(const std::string& from, const std::string& to);

// A file written in full or not at all. Bytes go to a temporary file beside `path`
// ("<path>.partial-XXXXXX"); commit() flushes it to disk (fsync), closes it and renames it over
// `path`. Every write, the fsync, the close and the rename are checked, and a failure throws
// sightline::Error naming the file, `what` and the system's reason (strerror: "No space left on
// device", "File too large", ...). A writer destroyed without commit() — after an error or an
// exception anywhere — removes its temporary file, so a failed write never leaves a truncated file
// behind and never replaces a good one.
class AtomicFile {
  public:
    AtomicFile(std::string path, std::string_view what);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(const void* data, std::size_t size);
    void write(std::string_view bytes) { write(bytes.data(), bytes.size()); }
    void commit();
    const std::string& path() const { return path_; }

  private:
    [[noreturn]] void fail_errno(const char* doing, int err);
    void discard() noexcept;
    std::string path_, tmp_, what_;
    int fd_ = -1;
};

// Writes `bytes` to `path` through an AtomicFile (see above).
void write_file_atomic(const std::string& path, std::string_view bytes, std::string_view what);

}  // namespace sightline
