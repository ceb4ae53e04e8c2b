#include "tests/fuzz/fuzz_support.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <typeinfo>

#include "core/util/error.h"
#include "core/util/files.h"

namespace sightline::fuzz {
namespace {

struct Scratch {
    std::string dir;
    Scratch() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/sightline-fuzz-XXXXXX";
        std::vector<char> buf(pattern.begin(), pattern.end());
        buf.push_back('\0');
        if (!::mkdtemp(buf.data())) {
            std::perror("sightline fuzz: mkdtemp");
            std::abort();
        }
        dir = buf.data();
    }
    ~Scratch() {
        try {
            remove_tree(dir);
        } catch (...) {
        }
    }
};

}  // namespace

const std::string& scratch_dir() {
    static const Scratch scratch;
    return scratch.dir;
}

std::string write_scratch(const std::string& relative, const std::uint8_t* data, std::size_t size) {
    const std::string path = scratch_dir() + "/" + relative;
    const auto slash = path.rfind('/');
    make_dirs(path.substr(0, slash));
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (size) out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
        std::fprintf(stderr, "sightline fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
    return path;
}

std::string write_scratch(const std::string& relative, const std::string& text) {
    return write_scratch(relative, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

bool expect_only_errors(const std::function<void()>& body) {
    try {
        body();
        return true;
    } catch (const Error& e) {
        // SIGHTLINE_FUZZ_VERBOSE=1: say why an input was refused (to check that seeds are accepted).
        static const bool verbose = std::getenv("SIGHTLINE_FUZZ_VERBOSE") != nullptr;
        if (verbose) std::fprintf(stderr, "refused: %.300s\n", e.what());
        return false;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "FINDING: unexpected exception %s: %.500s\n", typeid(e).name(), e.what());
    } catch (...) {
        std::fprintf(stderr, "FINDING: unexpected exception of a non-std type\n");
    }
    std::fflush(stderr);
    std::abort();
}

void finding(const std::string& what) {
    std::fprintf(stderr, "FINDING: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

std::vector<GeneratedInput>& generated_inputs() {
    static std::vector<GeneratedInput> inputs;
    return inputs;
}

RegisterGenerated::RegisterGenerated(std::string name, std::function<std::string()> make) {
    generated_inputs().push_back({std::move(name), std::move(make)});
}

std::string nested_brackets(std::size_t depth, bool closed) {
    return std::string(depth, '[') + (closed ? std::string(depth, ']') : std::string());
}

}  // namespace sightline::fuzz
