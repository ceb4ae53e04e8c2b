#include "ui/worker/job_tracker.h"

namespace sightline::ui {

quint64 JobTracker::start(const QString& channel) {
    cancel(channel);
    const quint64 id = next_++;
    current_[channel] = id;
    board_->flag(id);
    return id;
}

void JobTracker::finish(const QString& channel, quint64 id) {
    if (current_.value(channel, 0) == id) current_.remove(channel);
    board_->forget(id);
}

void JobTracker::cancel(const QString& channel) {
    const quint64 old = current_.value(channel, 0);
    if (old != 0) board_->cancel(old);
}

void JobTracker::cancel_all() {
    for (auto it = current_.begin(); it != current_.end(); ++it) board_->cancel(it.value());
}

QString JobTracker::channel_of(quint64 id) const {
    for (auto it = current_.begin(); it != current_.end(); ++it)
        if (it.value() == id) return it.key();
    return {};
}

}  // namespace sightline::ui
