#include "core/util/progress.h"

#include <cmath>
#include <sstream>

#include "core/util/error.h"

namespace sightline {

std::string Progress::describe() const {
    std::ostringstream s;
    s << stage;
    if (total > 0) s << ": " << done << " of " << total;
    if (eta_s >= 0) {
        if (eta_s < 1)
            s << ", under a second left";
        else if (eta_s < 90)
            s << ", about " << static_cast<long long>(std::lround(eta_s)) << " s left";
        else
            s << ", about " << static_cast<long long>(std::lround(eta_s / 60)) << " min left";
    }
    return s.str();
}

void JobControl::check() const {
    if (cancelled()) throw CancelledError();
}

void JobControl::report(const Progress& p) const {
    if (progress_) progress_(p);
    check();
}

StageMeter::StageMeter(const JobControl* control, std::string stage, std::int64_t total)
    : control_(control), stage_(std::move(stage)), total_(total), start_(std::chrono::steady_clock::now()) {
    if (control_ != nullptr) control_->notify({stage_, 0, total_, -1});
}

Progress StageMeter::make(std::int64_t done) const {
    Progress p{stage_, done, total_, -1};
    if (done > 0 && total_ >= done) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        p.eta_s = elapsed / static_cast<double>(done) * static_cast<double>(total_ - done);
    }
    return p;
}

void StageMeter::step(std::int64_t done) {
    if (control_ != nullptr) control_->report(make(done));
}

void StageMeter::note(std::int64_t done) {
    if (control_ != nullptr) control_->notify(make(done));
}

}  // namespace sightline
