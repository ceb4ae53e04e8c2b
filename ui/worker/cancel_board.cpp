#include "ui/worker/cancel_board.h"

namespace sightline::ui {

std::shared_ptr<std::atomic<bool>> CancelBoard::flag(quint64 id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& f = flags_[id];
    if (!f) f = std::make_shared<std::atomic<bool>>(false);
    return f;
}

void CancelBoard::cancel(quint64 id) {
    flag(id)->store(true);
}

bool CancelBoard::is_cancelled(quint64 id) {
    return flag(id)->load();
}

void CancelBoard::forget(quint64 id) {
    std::lock_guard<std::mutex> lock(mutex_);
    flags_.erase(id);
}

}  // namespace sightline::ui
