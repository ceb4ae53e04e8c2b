#pragma once
// Small string helpers shared by the engine.
#include <string>
#include <string_view>
#include <vector>

namespace sightline {

bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string trim(std::string_view s);
// Reads a whole regular file of at most kMaxTextFileBytes (core/util/files.h); throws
// sightline::Error naming it on failure, for a FIFO or device, or when it is too large.
std::string read_text_file(const std::string& path);
// `s` cut to `max_chars` with a note of its full length: for untrusted values in error messages.
std::string brief(std::string_view s, std::size_t max_chars = 80);
// Throws sightline::Error naming `where` when the JSON text nests arrays/objects deeper than
// `max_depth` (brackets inside strings are ignored), so recursive parsers cannot overflow the stack.
constexpr std::size_t kMaxJsonDepth = 256;
void check_json_depth(std::string_view text, std::size_t max_depth, const std::string& where);
bool file_exists(const std::string& path);
std::string path_join(const std::string& dir, const std::string& name);
// Escapes control characters and quotes so a token string prints on one line.
std::string printable(std::string_view s);

}  // namespace sightline
