#include "core/util/resource_paths.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "core/util/strings.h"

#ifndef SIGHTLINE_SOURCE_DIR
#define SIGHTLINE_SOURCE_DIR "."
#endif
#ifndef SIGHTLINE_DATA_SUBDIR
#define SIGHTLINE_DATA_SUBDIR "share/sightline"
#endif

namespace sightline {

std::string executable_dir() {
    char buf[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    std::string p(buf, static_cast<std::size_t>(n));
    const auto slash = p.rfind('/');
    return slash == std::string::npos ? "." : p.substr(0, slash);
}

std::string default_model_dir() {
    if (const char* env = std::getenv("SIGHTLINE_MODEL"); env != nullptr && *env != '\0') return env;
    const std::string installed = executable_dir() + "/../" SIGHTLINE_DATA_SUBDIR "/models/scene-llava";
    if (file_exists(installed + "/config.json")) return installed;
    return std::string(SIGHTLINE_SOURCE_DIR) + "/resources/models/scene-llava";
}

}  // namespace sightline
