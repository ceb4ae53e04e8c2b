#pragma once
// File-system helpers (POSIX).
#include <cstdint>
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

// Renames `from` to `to`, replacing `to` (a folder tree is removed first).
void replace_path(const std::string& from, const std::string& to);

}  // namespace sightline
