#pragma once
// Where tests find things: the shared external fixtures, the source tree, and scratch folders.
#include <QString>
#include <string>

namespace sightline::test {

// The shared fixtures folder: $SIGHTLINE_FIXTURES, else the configured default (../shared/fixtures
// beside the checkout). Returns an empty string when the folder does not exist.
std::string fixtures_dir();
// Path of a file inside the fixtures folder (fixtures_dir() must be non-empty).
std::string fixture(const std::string& relative);
// The project's source directory (for committed resources such as the embedded model).
std::string source_dir();
// The folder with the built executables (sightline-cli, sightline).
std::string bin_dir();

}  // namespace sightline::test

// Skips the current test function with a clear message when the shared fixtures are absent.
#define SIGHTLINE_REQUIRE_FIXTURES()                                                                     \
    do {                                                                                                 \
        if (sightline::test::fixtures_dir().empty())                                                     \
            QSKIP("shared fixtures not found: set SIGHTLINE_FIXTURES to the ../shared/fixtures folder"); \
    } while (0)
