#pragma once
// Error types of the engine. Every bad input is reported as a sightline::Error with a message a user
// can act on (naming the file, tensor or field); nothing in core aborts on bad input.
#include <sstream>
#include <stdexcept>
#include <string>

namespace sightline {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Thrown when a cooperative cancellation flag was raised during a long job.
class CancelledError : public Error {
  public:
    CancelledError() : Error("cancelled") {}
};

// Thrown when an operation would need more memory than the machine can give.
class OutOfMemoryRisk : public Error {
  public:
    using Error::Error;
};

// Concatenates streamable values into a string: cat("tensor ", name, " has ", n, " bytes").
template <typename... Args>
std::string cat(const Args&... args) {
    std::ostringstream out;
    (out << ... << args);
    return out.str();
}

template <typename... Args>
[[noreturn]] void fail(const Args&... args) {
    throw Error(cat(args...));
}

}  // namespace sightline
