#include "core/util/files.h"

#include <ftw.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/util/error.h"

namespace sightline {

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

}  // namespace sightline
