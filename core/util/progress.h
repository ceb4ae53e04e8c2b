#pragma once
// Progress reports and cooperative cancellation for long jobs (model load, vision encoding, prefill,
// decode, backward, evaluation). A JobControl travels with a job: the job reports where it is and polls
// the cancel flag at its natural steps (a tensor, a layer, a token); a cancelled job throws
// CancelledError. Torch-free and Qt-free.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace sightline {

struct Progress {
    std::string stage;       // "loading weights", "vision encoding", "prefill", "decode", "backward", ...
    std::int64_t done = 0;   // steps of this stage finished
    std::int64_t total = 0;  // steps of this stage in all (0 = unknown)
    double eta_s = -1;       // estimated seconds left in this stage (-1 = not yet known)
    // "prefill: layer 12 of 32, about 8 s left"
    std::string describe() const;
};

using ProgressFn = std::function<void(const Progress&)>;

class JobControl {
  public:
    JobControl() = default;
    JobControl(const std::atomic<bool>* cancel, ProgressFn progress)
        : cancel_(cancel), progress_(std::move(progress)) {}

    bool cancelled() const { return cancel_ != nullptr && cancel_->load(std::memory_order_relaxed); }
    // Throws CancelledError when the job was cancelled.
    void check() const;
    // Reports progress (when anyone listens) and then checks for cancellation.
    void report(const Progress& p) const;
    // Reports progress without checking for cancellation.
    void notify(const Progress& p) const {
        if (progress_) progress_(p);
    }
    const std::atomic<bool>* cancel_flag() const { return cancel_; }
    bool listening() const { return static_cast<bool>(progress_); }

  private:
    const std::atomic<bool>* cancel_ = nullptr;
    ProgressFn progress_;
};

// Times one stage and turns step counts into reports with an estimated time left (elapsed / done x
// steps left, once a step has finished).
class StageMeter {
  public:
    StageMeter(const JobControl* control, std::string stage, std::int64_t total);
    // Marks `done` steps finished, reports, and checks for cancellation.
    void step(std::int64_t done);
    // The same report without the cancellation check (for loops that stop cleanly on their own).
    void note(std::int64_t done);
    void set_total(std::int64_t total) { total_ = total; }

  private:
    Progress make(std::int64_t done) const;
    const JobControl* control_;
    std::string stage_;
    std::int64_t total_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace sightline
