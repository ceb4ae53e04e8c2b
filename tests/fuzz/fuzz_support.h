#pragma once
// Shared by the libFuzzer harnesses in tests/fuzz (docs/ARCHITECTURE.md, "Fuzzing and sanitizers").
// A harness is `extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t)`; it is linked either
// with libFuzzer (clang, SIGHTLINE_FUZZ=ON, scripts/fuzz) or with replay_main.cpp (any compiler, the
// ctest tests fuzz_replay_<name>), which runs it on the seed corpus and the regression inputs.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sightline::fuzz {

// A private scratch folder of this process under $TMPDIR (or /tmp), made on first use, removed at exit.
const std::string& scratch_dir();
// Writes the bytes to scratch_dir()/relative (parent folders are made), replacing any earlier file;
// returns the path.
std::string write_scratch(const std::string& relative, const std::uint8_t* data, std::size_t size);
std::string write_scratch(const std::string& relative, const std::string& text);

// Runs `body`. sightline::Error and its subclasses are the documented way to refuse a bad input and are
// expected; any other exception is a finding: it is printed and the process aborts, so libFuzzer keeps
// the input and the replay test fails. Returns true when `body` finished without an Error (with
// SIGHTLINE_FUZZ_VERBOSE set, the Error's message is printed).
bool expect_only_errors(const std::function<void()>& body);

// Reports a broken invariant (a finding) and aborts.
[[noreturn]] void finding(const std::string& what);

// Inputs too big to keep as files in the repository (100k nested brackets, 200k header entries): made
// by code and run by the replay driver besides the corpus and regression files.
struct GeneratedInput {
    std::string name;
    std::function<std::string()> make;
};
std::vector<GeneratedInput>& generated_inputs();
struct RegisterGenerated {
    RegisterGenerated(std::string name, std::function<std::string()> make);
};

// `depth` opening brackets followed by as many closing ones when `closed` (valid JSON), else none.
std::string nested_brackets(std::size_t depth, bool closed);

}  // namespace sightline::fuzz
