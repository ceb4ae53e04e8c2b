#pragma once
// A progress line on stderr for long CLI stages ("loading weights (MiB): 5120 of 13476, about 9 s
// left"), redrawn in place at most five times a second and finished with a newline when a stage ends.
// Silent when --json asks for machine output only.
#include <chrono>
#include <string>

#include "core/util/progress.h"

namespace sightline::cli {

class ProgressLine {
  public:
    // On a terminal the line is redrawn in place; otherwise (a log file) whole lines are written.
    explicit ProgressLine(bool enabled);
    ~ProgressLine();
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;
    // The control to hand to a job; its progress draws on this line.
    const JobControl* control() const { return &control_; }

  private:
    void show(const Progress& p);
    bool enabled_;
    bool tty_;
    std::string stage_;
    bool open_ = false;
    std::chrono::steady_clock::time_point last_{};
    JobControl control_{nullptr, [this](const Progress& p) { show(p); }};
};

}  // namespace sightline::cli
