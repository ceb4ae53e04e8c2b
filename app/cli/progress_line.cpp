#include "app/cli/progress_line.h"

#include <unistd.h>

#include <iostream>

namespace sightline::cli {

ProgressLine::ProgressLine(bool enabled) : enabled_(enabled), tty_(isatty(STDERR_FILENO) != 0) {}

ProgressLine::~ProgressLine() {
    if (open_) std::cerr << "\n";
}

void ProgressLine::show(const Progress& p) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    const bool new_stage = p.stage != stage_;
    const bool last = p.total > 0 && p.done >= p.total;
    if (!tty_) {
        // A log file (a Slurm job's output): whole lines, when a stage starts and ends and every 10 s.
        if (!new_stage && !last && now - last_ < std::chrono::seconds(10)) return;
        stage_ = p.stage;
        last_ = now;
        std::cerr << p.describe() << std::endl;
        return;
    }
    if (!new_stage && !last && now - last_ < std::chrono::milliseconds(200)) return;
    if (new_stage && open_) std::cerr << "\n";
    stage_ = p.stage;
    last_ = now;
    std::cerr << "\r\033[K" << p.describe() << std::flush;
    open_ = !last;
    if (last) std::cerr << "\n";
}

}  // namespace sightline::cli
