#pragma once
// Runs `f`, which should throw sightline::Error, and returns its message ("" when nothing was thrown).
// Other exceptions pass through and fail the test.
#include <string>

#include "core/util/error.h"

namespace sightline::test {

template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

}  // namespace sightline::test
