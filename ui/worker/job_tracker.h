#pragma once
// Job ids and stale-result dropping (after hotspot's JobTracker): every request gets an id; starting a new
// request on a channel ("generate", "explain:tam", ...) supersedes the channel's previous one, which is
// cancelled; results whose id is no longer the channel's current one are dropped by the caller.
#include <QHash>
#include <QString>

#include "ui/worker/cancel_board.h"

namespace sightline::ui {

class JobTracker {
  public:
    explicit JobTracker(CancelBoard* board) : board_(board) {}
    // A new id for `channel`; the previous job on the channel is cancelled.
    quint64 start(const QString& channel);
    bool is_current(const QString& channel, quint64 id) const { return current_.value(channel, 0) == id; }
    // Marks the channel idle (its job finished, failed or was cancelled).
    void finish(const QString& channel, quint64 id);
    void cancel(const QString& channel);
    void cancel_all();
    bool busy(const QString& channel) const { return current_.value(channel, 0) != 0; }
    QString channel_of(quint64 id) const;

  private:
    CancelBoard* board_;
    quint64 next_ = 1;
    QHash<QString, quint64> current_;
};

}  // namespace sightline::ui
