#include "tests/support/test_paths.h"

#include <cstdlib>

#include "core/util/strings.h"

namespace sightline::test {
namespace {
std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return (v != nullptr && *v != '\0') ? std::string(v) : fallback;
}
}  // namespace

std::string fixtures_dir() {
    const std::string dir =
        env_or("SIGHTLINE_FIXTURES", env_or("SIGHTLINE_DEFAULT_FIXTURES", "../shared/fixtures"));
    return file_exists(dir) ? dir : std::string();
}

std::string fixture(const std::string& relative) {
    return path_join(fixtures_dir(), relative);
}

std::string source_dir() {
    return env_or("SIGHTLINE_SOURCE_DIR", ".");
}

std::string bin_dir() {
    return env_or("SIGHTLINE_BIN_DIR", ".");
}

}  // namespace sightline::test
