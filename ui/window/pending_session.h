#pragma once
// A session being reopened: kept until the model is ready and the worker has adopted its trace.
#include "core/session/session.h"
#include "ui/window/main_window.h"

namespace sightline::ui {

struct MainWindow::PendingSession {
    Session session;
    QString path;            // the file it was read from (for messages)
    bool adopting = false;   // the trace was sent to the worker; views are restored when it answers
    bool recovered = false;  // an autosave being recovered: still unsaved once it is in place
};

}  // namespace sightline::ui
