#include "ui/worker/job_tracker.h"

namespace sightline::ui {

quint64 JobTracker::start(const JobKey& key) {
    cancel(key);
    const quint64 id = next_++;
    current_[key] = id;
    board_->flag(id);
    return id;
}

std::optional<JobKey> JobTracker::key_of(quint64 id) const {
    for (auto it = current_.begin(); it != current_.end(); ++it)
        if (it.value() == id) return it.key();
    return std::nullopt;
}

std::optional<JobKey> JobTracker::take(quint64 id) {
    const auto key = key_of(id);
    if (key) current_.remove(*key);
    board_->forget(id);
    return key;
}

void JobTracker::cancel(const JobKey& key) {
    const quint64 old = current_.value(key, 0);
    if (old != 0) board_->cancel(old);
}

void JobTracker::cancel_all() {
    for (auto it = current_.begin(); it != current_.end(); ++it) board_->cancel(it.value());
}

}  // namespace sightline::ui
