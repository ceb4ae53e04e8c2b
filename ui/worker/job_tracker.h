#pragma once
// Job ids and stale-result dropping (after hotspot's JobTracker): every request gets an id on a channel
// (JobKey); starting a new request on a channel supersedes the channel's previous one, which is cancelled.
// A result, failure or cancellation is accepted only from the channel's current job (take()); anything
// else is stale and dropped here, so the window never sees a job id.
#include <QHash>
#include <QList>
#include <optional>

#include "ui/worker/cancel_board.h"
#include "ui/worker/worker_types.h"

namespace sightline::ui {

class JobTracker {
  public:
    explicit JobTracker(CancelBoard* board) : board_(board) {}
    // A new id for `key`; the channel's previous job is cancelled.
    quint64 start(const JobKey& key);
    // The channel job `id` is current on; nullopt when it was superseded or already finished.
    std::optional<JobKey> key_of(quint64 id) const;
    // As key_of, and marks the channel idle: for the job's final answer (result, failure, cancellation).
    std::optional<JobKey> take(quint64 id);
    void cancel(const JobKey& key);
    void cancel_all();
    bool busy(const JobKey& key) const { return current_.contains(key); }
    QList<JobKey> busy_keys() const { return current_.keys(); }

  private:
    CancelBoard* board_;
    quint64 next_ = 1;
    QHash<JobKey, quint64> current_;
};

}  // namespace sightline::ui
