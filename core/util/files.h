#pragma once
// File-system helpers (POSIX).
#include <string>

namespace sightline {

// Creates `dir` and its parents; throws sightline::Error naming the path on failure.
void make_dirs(const std::string& dir);
// Removes a file or a whole folder tree; missing paths are fine. Throws on other failures.
void remove_tree(const std::string& path);
// Renames `from` to `to`, replacing `to` (a folder tree is removed first).
void replace_path(const std::string& from, const std::string& to);

}  // namespace sightline
