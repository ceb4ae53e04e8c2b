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
// Reads a whole file; throws sightline::Error naming it on failure.
std::string read_text_file(const std::string& path);
bool file_exists(const std::string& path);
std::string path_join(const std::string& dir, const std::string& name);
// Escapes control characters and quotes so a token string prints on one line.
std::string printable(std::string_view s);

}  // namespace sightline
