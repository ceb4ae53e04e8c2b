#pragma once
// Shared set-up for main-window tests: the model the window loads (the embedded model when it is in the
// source tree, else a tiny random LLaVA written for the test) and helpers to drive the real widgets.
#include <QSignalSpy>
#include <QString>
#include <QTemporaryDir>
#include <memory>

#include "ui/window/main_window.h"

namespace sightline::test {

// Folder of the model the GUI tests use; writes a tiny model into `scratch` when the embedded one is absent.
QString gui_test_model(const QTemporaryDir& scratch);
// Starts a window on the model and waits until it is ready (returns null on timeout).
std::unique_ptr<ui::MainWindow> open_window(const QString& model_dir, bool load_demo = true);
// The same with every option given (model_dir and load_demo included).
std::unique_ptr<ui::MainWindow> open_window(const ui::MainWindow::Options& options);
// Types the question, clicks Generate and waits for the answer; false on timeout.
bool ask(ui::MainWindow& w, const QString& question, int timeout_ms = 60000);
// Clicks answer token `index` in the strip (a real mouse click) and waits until every panel finished.
bool click_token(ui::MainWindow& w, int index, int timeout_ms = 60000);
bool wait_idle(ui::MainWindow& w, int timeout_ms = 60000);

}  // namespace sightline::test
