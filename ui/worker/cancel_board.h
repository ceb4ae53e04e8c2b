#pragma once
// Thread-safe cancellation flags per job id. The GUI raises a flag (Cancel button, or a newer request
// superseding an older one); the worker polls the flag of the job it is running and skips queued jobs
// whose flag is already up.
#include <QtGlobal>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>

namespace sightline::ui {

class CancelBoard {
  public:
    // The flag of a job (created on first use).
    std::shared_ptr<std::atomic<bool>> flag(quint64 id);
    void cancel(quint64 id);
    bool is_cancelled(quint64 id);
    void forget(quint64 id);

  private:
    std::mutex mutex_;
    std::map<quint64, std::shared_ptr<std::atomic<bool>>> flags_;
};

}  // namespace sightline::ui
