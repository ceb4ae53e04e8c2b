#include "core/util/system_info.h"

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "core/util/error.h"

namespace sightline {
namespace {

// The file paths mapped into this process (/proc/self/maps), one per mapping.
std::vector<std::string> mapped_file_paths() {
    std::ifstream maps("/proc/self/maps");
    std::vector<std::string> paths;
    std::string line;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash != std::string::npos) paths.push_back(line.substr(slash));
    }
    return paths;
}

std::uint64_t read_kib_field(const char* file, const std::string& key) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.compare(0, key.size(), key) == 0 && line.size() > key.size() && line[key.size()] == ':') {
            std::istringstream fields(line.substr(key.size() + 1));
            std::uint64_t kib = 0;
            fields >> kib;
            return kib * 1024;
        }
    }
    return 0;
}

}  // namespace

// tcmalloc's C entry point, when tcmalloc is the process allocator (weak: null otherwise, e.g. in sanitizer
// builds). Memory tcmalloc holds on its free lists is the process's own but not in MemAvailable.
extern "C" void MallocExtension_ReleaseFreeMemory(void) __attribute__((weak));

bool release_allocator_free_memory() {
    if (MallocExtension_ReleaseFreeMemory == nullptr) return false;
    MallocExtension_ReleaseFreeMemory();
    return true;
}

std::uint64_t available_memory_bytes() {
    return read_kib_field("/proc/meminfo", "MemAvailable");
}
std::uint64_t peak_rss_bytes() {
    return read_kib_field("/proc/self/status", "VmHWM");
}
std::uint64_t current_rss_bytes() {
    return read_kib_field("/proc/self/status", "VmRSS");
}

std::string format_bytes(std::uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

std::uint64_t current_anon_rss_bytes() {
    return read_kib_field("/proc/self/status", "RssAnon");
}

bool cpu_has_bf16() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.compare(0, 5, "flags") != 0) continue;
        std::istringstream words(line.substr(line.find(':') + 1));
        std::string w;
        while (words >> w)
            if (w == "avx512_bf16" || w == "amx_bf16") return true;
        return false;
    }
    return false;
}

void ensure_memory_available(std::uint64_t bytes, const std::string& what) {
    std::uint64_t avail = available_memory_bytes();
    if (avail == 0) return;  // unknown (no /proc): cannot judge, let the allocator decide
    const std::uint64_t margin = 256ull << 20;
    if (bytes + margin > avail && release_allocator_free_memory()) avail = available_memory_bytes();
    if (bytes + margin > avail) {
        throw OutOfMemoryRisk(cat(what, " needs about ", format_bytes(bytes), " but only ",
                                  format_bytes(avail),
                                  " of memory is available; refusing before allocating"));
    }
}

std::string live_blas_library() {
    std::set<std::string> libs;
    for (const std::string& path : mapped_file_paths()) {
        if (path.find("blas") == std::string::npos && path.find("mkl") == std::string::npos) continue;
        // Keep the last two path components: "openblas-openmp/libblas.so.3".
        const auto last = path.rfind('/');
        const auto prev = last == 0 ? std::string::npos : path.rfind('/', last - 1);
        libs.insert(prev == std::string::npos ? path : path.substr(prev + 1));
    }
    std::string out;
    for (const auto& l : libs) out += (out.empty() ? "" : ", ") + l;
    return out.empty() ? "none loaded" : out;
}

std::string live_allocator() {
    for (const std::string& path : mapped_file_paths()) {
        if (path.find("libtcmalloc") != std::string::npos) return "tcmalloc";
        if (path.find("libjemalloc") != std::string::npos) return "jemalloc";
    }
    return "glibc malloc";
}

}  // namespace sightline
