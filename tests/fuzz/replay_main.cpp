// Runs a libFuzzer harness without libFuzzer: on every file under the paths given (folders are walked
// recursively, in sorted order) and on the harness's generated inputs. Built in the normal build (any
// compiler) as fuzz_replay_<name>, so the seed corpus and the regression inputs run on every ctest.
// A harness aborts on a finding; an input slower than SIGHTLINE_FUZZ_REPLAY_SLOW_S seconds (default 30)
// fails the run too (libFuzzer's -timeout, roughly).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

double slow_limit_s() {
    const char* v = std::getenv("SIGHTLINE_FUZZ_REPLAY_SLOW_S");
    return v && *v ? std::atof(v) : 30.0;
}

bool run_one(const std::string& label, const std::string& bytes) {
    std::printf("replay %s (%zu bytes)\n", label.c_str(), bytes.size());
    std::fflush(stdout);
    const auto start = std::chrono::steady_clock::now();
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (s > slow_limit_s()) {
        std::printf("FINDING: %s took %.1f s (limit %.0f s)\n", label.c_str(), s, slow_limit_s());
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        const fs::path p(argv[i]);
        if (fs::is_directory(p)) {
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file()) files.push_back(e.path().string());
        } else if (fs::is_regular_file(p)) {
            files.push_back(p.string());
        } else {
            std::printf("no such file or folder: %s\n", argv[i]);
            return 2;
        }
    }
    std::sort(files.begin(), files.end());
    bool ok = true;
    std::size_t count = 0;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        ok = run_one(f, bytes) && ok;
        ++count;
    }
    for (const auto& g : sightline::fuzz::generated_inputs()) {
        ok = run_one("generated:" + g.name, g.make()) && ok;
        ++count;
    }
    if (count == 0) {
        std::printf("no inputs to replay\n");
        return 2;
    }
    std::printf("%zu inputs replayed, %s\n", count, ok ? "no findings" : "FINDINGS");
    return ok ? 0 : 1;
}
