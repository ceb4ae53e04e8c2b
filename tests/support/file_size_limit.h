#pragma once
// Simulates a full disk for the code under test: while a FileSizeLimit lives, this process may not
// write past `bytes` in any file (RLIMIT_FSIZE), and such a write fails with EFBIG ("File too large")
// instead of raising SIGXFSZ. Root can do this without mounting anything, and so can any user.
#include <sys/resource.h>

#include <csignal>

namespace sightline::test {

class FileSizeLimit {
  public:
    explicit FileSizeLimit(rlim_t bytes) {
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        ok_ = ::getrlimit(RLIMIT_FSIZE, &old_) == 0;
        rlimit lim = old_;
        lim.rlim_cur = bytes;
        ok_ = ok_ && ::setrlimit(RLIMIT_FSIZE, &lim) == 0;
    }
    ~FileSizeLimit() {
        if (ok_) ::setrlimit(RLIMIT_FSIZE, &old_);
        std::signal(SIGXFSZ, old_handler_);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;
    bool active() const { return ok_; }

    // For a child process (QProcess::setChildProcessModifier): the same limit, set after fork.
    static void apply_in_child(rlim_t bytes) {
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit lim{};
        ::getrlimit(RLIMIT_FSIZE, &lim);
        lim.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &lim);
    }

  private:
    rlimit old_{};
    void (*old_handler_)(int) = SIG_DFL;
    bool ok_ = false;
};

}  // namespace sightline::test
