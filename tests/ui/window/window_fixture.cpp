#include "tests/ui/window/window_fixture.h"

#include <QLineEdit>
#include <QPushButton>
#include <QTest>

#include "core/util/resource_paths.h"
#include "core/util/strings.h"
#include "tests/support/tiny_models.h"
#include "ui/widgets/token_strip.h"
#include "ui/window/prompt_bar.h"

namespace sightline::test {

QString gui_test_model(const QTemporaryDir& scratch) {
    const std::string embedded = default_model_dir();
    if (file_exists(embedded + "/model.safetensors")) return QString::fromStdString(embedded);
    TinySpec spec;
    spec.init_std = 0.3;
    return QString::fromStdString(write_tiny_model((scratch.path() + "/tiny").toStdString(), spec));
}

std::unique_ptr<ui::MainWindow> open_window(const QString& model_dir, bool load_demo) {
    ui::MainWindow::Options o;
    o.model_dir = model_dir;
    o.load_demo = load_demo;
    return open_window(o);
}

std::unique_ptr<ui::MainWindow> open_window(const ui::MainWindow::Options& o) {
    auto w = std::make_unique<ui::MainWindow>(o);
    w->resize(1400, 900);
    w->show();
    if (!QTest::qWaitFor([&] { return w->modelReady(); }, 60000)) return nullptr;
    return w;
}

bool wait_idle(ui::MainWindow& w, int timeout_ms) {
    return QTest::qWaitFor([&] { return w.isIdle(); }, timeout_ms);
}

bool ask(ui::MainWindow& w, const QString& question, int timeout_ms) {
    QLineEdit* q = w.promptBar()->questionEdit();
    q->clear();
    QTest::keyClicks(q, question);
    QSignalSpy finished(&w, &ui::MainWindow::generationFinished);
    QTest::mouseClick(w.promptBar()->generateButton(), Qt::LeftButton);
    const bool generated = finished.wait(timeout_ms) || finished.count() > 0;
    const bool idle = generated && wait_idle(w, timeout_ms);
    if (!idle)
        qWarning("ask('%s'): generated %d, still busy: %s", qPrintable(question), int(generated),
                 qPrintable(w.busyChannels().join(", ")));
    return idle;
}

bool click_token(ui::MainWindow& w, int index, int timeout_ms) {
    ui::TokenStrip* strip = w.answerStrip();
    if (index >= strip->count()) return false;
    QTest::mouseClick(strip, Qt::LeftButton, {}, strip->tokenRect(index).center());
    return QTest::qWaitFor([&] { return w.currentTarget() == index; }, 2000) && wait_idle(w, timeout_ms);
}

}  // namespace sightline::test
