// MainWindow: review records (model identity, image digests, reviewer), autosave and crash recovery,
// the unsaved-changes prompt, and settings kept between runs.
#include <signal.h>
#include <unistd.h>

#include <QCloseEvent>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QInputDialog>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QThread>
#include <QTimer>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>

#include "core/session/session.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "ui/widgets/image_canvas.h"
#include "ui/window/main_window.h"
#include "ui/window/overlay_controls.h"

namespace sightline::ui {

namespace {

constexpr int kRecentMax = 8;
const char* const kAutosavePrefix = "autosave-";
const char* const kAutosaveSuffix = ".sightline.json";

// The process id in an autosave file's name, or 0.
qint64 autosave_pid(const QString& name) {
    if (!name.startsWith(kAutosavePrefix) || !name.endsWith(kAutosaveSuffix)) return 0;
    const QString mid = name.mid(static_cast<int>(std::strlen(kAutosavePrefix)),
                                 name.size() - static_cast<int>(std::strlen(kAutosavePrefix)) -
                                     static_cast<int>(std::strlen(kAutosaveSuffix)));
    bool ok = false;
    const qint64 pid = mid.toLongLong(&ok);
    return ok && pid > 0 ? pid : 0;
}

bool process_alive(qint64 pid) {
    if (pid <= 0) return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

// The background hash of the loaded model folder. The job outlives a window that closes while it
// runs (the cancel flag stops it at the next 1 MiB read).
struct MainWindow::IdentityJob {
    std::atomic<bool> cancel{false};
    std::atomic<bool> done{false};
    std::mutex mutex;
    ModelIdentity result;
    QString error;
    QThread* thread = nullptr;
};

void MainWindow::init_records() {
    confirm_ = [this](const QString& title, const QString& text) {
        // Nobody can answer a dialog on a headless platform (scripted runs): the safe answer is no.
        const QString platform = QGuiApplication::platformName();
        if (platform == "offscreen" || platform == "minimal") {
            std::fprintf(stderr, "%s: %s\n(no one to ask on the '%s' platform: answered no)\n",
                         qPrintable(title), qPrintable(text), qPrintable(platform));
            return false;
        }
        return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::No,
                                     QMessageBox::Yes) == QMessageBox::Yes;
    };
    unsaved_prompt_ = [this](QString* path) {
        const QString platform = QGuiApplication::platformName();
        if (platform == "offscreen" || platform == "minimal") {
            std::fprintf(stderr, "closing with unsaved changes on the '%s' platform (no one to ask)\n",
                         qPrintable(platform));
            return UnsavedChoice::Discard;
        }
        QMessageBox box(QMessageBox::Warning, "Unsaved changes",
                        "This review has changes that are not saved in a session file (notes, answers or "
                        "explanations). Save them before closing?",
                        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
        box.setDefaultButton(QMessageBox::Save);
        const int r = box.exec();
        if (r == QMessageBox::Discard) return UnsavedChoice::Discard;
        if (r != QMessageBox::Save) return UnsavedChoice::Cancel;
        *path = QFileDialog::getSaveFileName(this, "Save session", "review.sightline.json",
                                             "Sightline sessions (*.sightline.json)");
        return path->isEmpty() ? UnsavedChoice::Cancel : UnsavedChoice::Save;
    };
    setWindowTitle("Sightline[*]");
    if (options_.persist_settings) {
        settings_ = options_.settings_file.isEmpty()
                        ? std::make_unique<QSettings>()
                        : std::make_unique<QSettings>(options_.settings_file, QSettings::IniFormat);
        reviewer_ = settings_->value("review/reviewer").toString();
        if (options_.dtype.isEmpty()) options_.dtype = settings_->value("model/dtype", "auto").toString();
        restore_window_settings();
    }
    if (options_.dtype.isEmpty()) options_.dtype = "auto";
    connect(notes_, &QPlainTextEdit::textChanged, this, [this] {
        mark_unsaved();
        if (!restoring_) schedule_autosave();  // notes are autosaved soon after typing stops
    });

    autosave_timer_ = new QTimer(this);
    autosave_soon_ = new QTimer(this);
    autosave_soon_->setSingleShot(true);
    autosave_soon_->setInterval(1500);
    if (!options_.state_dir.isEmpty()) {
        autosave_timer_->setInterval(std::max(1, options_.autosave_seconds) * 1000);
        connect(autosave_timer_, &QTimer::timeout, this, [this] {
            if (unsaved_) autosaveNow();
        });
        connect(autosave_soon_, &QTimer::timeout, this, [this] { autosaveNow(); });
        autosave_timer_->start();
        // With no model to wait for, recovery is offered at once; otherwise when the model is ready.
        if (options_.model_dir.isEmpty()) QTimer::singleShot(0, this, [this] { offerRecovery(); });
    }
}

// ---- review records ----

void MainWindow::setReviewerName(const QString& name) {
    reviewer_ = name.trimmed();
    if (settings_) settings_->setValue("review/reviewer", reviewer_);
}

void MainWindow::start_model_identity() {
    stop_model_identity();
    model_identity_ = {};
    model_identity_error_.clear();
    if (model_.dir.isEmpty()) return;
    auto job = std::make_shared<IdentityJob>();
    identity_job_ = job;
    const std::string dir = model_.dir.toStdString();
    job->thread = QThread::create([job, dir] {
        try {
            ModelIdentity id = compute_model_identity(dir, default_digest_cache_path(), &job->cancel);
            std::lock_guard<std::mutex> lock(job->mutex);
            job->result = std::move(id);
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(job->mutex);
            job->error = QString::fromStdString(e.what());
        }
        job->done = true;
    });
    QThread* thread = job->thread;
    connect(thread, &QThread::finished, this, [this, job] {
        if (identity_job_ != job) return;  // a newer model's job replaced it
        std::lock_guard<std::mutex> lock(job->mutex);
        model_identity_ = job->result;
        model_identity_error_ = job->error;
        if (!model_identity_.empty())
            statusBar()->showMessage("Model identity " + QString::fromStdString(model_identity_.short_id()) +
                                         " (SHA-256 of " + QString::number(model_identity_.files.size()) +
                                         " files)",
                                     5000);
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start(QThread::LowPriority);
}

void MainWindow::stop_model_identity() {
    if (!identity_job_) return;
    identity_job_->cancel = true;
    if (identity_job_->thread && !identity_job_->done) identity_job_->thread->wait();
    identity_job_.reset();
}

bool MainWindow::waitForModelIdentity(QString* error) {
    if (!model_identity_.empty()) return true;
    if (identity_job_ && !identity_job_->done) {
        statusBar()->showMessage("Computing the model's identity (SHA-256 of its files)…");
        QEventLoop loop;
        QTimer poll;
        connect(&poll, &QTimer::timeout, &loop, [&] {
            if (!identity_job_ || identity_job_->done) loop.quit();
        });
        poll.start(20);
        loop.exec();
    }
    // Done, but its finished() handler may not have run yet: take the result directly.
    if (identity_job_ && identity_job_->done && model_identity_.empty()) {
        std::lock_guard<std::mutex> lock(identity_job_->mutex);
        model_identity_ = identity_job_->result;
        model_identity_error_ = identity_job_->error;
    }
    if (!model_identity_.empty()) return true;
    if (error)
        *error = model_identity_error_.isEmpty()
                     ? "The model's identity is not known (no model loaded)."
                     : "The model's identity could not be computed: " + model_identity_error_;
    return false;
}

bool MainWindow::confirm_session_model(const ModelIdentity& recorded) {
    if (recorded.empty()) return true;  // older sessions carry no identity
    QString why;
    if (!waitForModelIdentity(&why))
        return confirm_("Model not checked",
                        "The session records the identity of the model it was made with, but the loaded "
                        "model's could not be computed (" +
                            why + "). Show the stored maps anyway?");
    if (recorded.sha256 == model_identity_.sha256) return true;
    QStringList differ;
    for (const auto& f : recorded.files) {
        bool same = false;
        for (const auto& g : model_identity_.files) same = same || (g.name == f.name && g.sha256 == f.sha256);
        if (!same) differ << QString::fromStdString(f.name);
    }
    for (const auto& g : model_identity_.files) {
        bool known = false;
        for (const auto& f : recorded.files) known = known || f.name == g.name;
        if (!known) differ << QString::fromStdString(g.name);
    }
    return confirm_(
        "Different model",
        QString("This session was made with model identity %1, but the loaded model is %2: %3 differ. "
                "The stored maps and answer may not be what this model computes.\n\nShow the stored "
                "maps anyway?")
            .arg(QString::fromStdString(recorded.short_id()),
                 QString::fromStdString(model_identity_.short_id()),
                 differ.isEmpty() ? QString("the file lists") : differ.join(", ")));
}

// ---- unsaved changes and autosave ----

void MainWindow::mark_unsaved() {
    if (restoring_) return;
    unsaved_ = true;
    setWindowModified(true);
}

void MainWindow::mark_saved() {
    unsaved_ = false;
    setWindowModified(false);
}

void MainWindow::schedule_autosave() {
    if (!options_.state_dir.isEmpty() && autosave_soon_) autosave_soon_->start();
}

QString MainWindow::autosavePath() const {
    if (options_.state_dir.isEmpty()) return {};
    return QDir(options_.state_dir)
        .filePath(QString("%1%2%3")
                      .arg(kAutosavePrefix)
                      .arg(QCoreApplication::applicationPid())
                      .arg(kAutosaveSuffix));
}

bool MainWindow::autosaveNow(QString* error) {
    const QString path = autosavePath();
    if (path.isEmpty() || !trace_) return false;
    try {
        make_dirs(options_.state_dir.toStdString());
        save_session(current_session(), path.toStdString());
    } catch (const std::exception& e) {
        const QString msg = "Autosave failed: " + QString::fromStdString(e.what());
        statusBar()->showMessage(msg, 10000);
        if (error) *error = msg;
        return false;
    }
    Q_EMIT autosaved(path);
    return true;
}

void MainWindow::remove_own_autosave() {
    const QString path = autosavePath();
    if (!path.isEmpty()) QFile::remove(path);
}

QStringList MainWindow::recoverableSessions() const {
    if (options_.state_dir.isEmpty()) return {};
    QDir dir(options_.state_dir);
    QStringList found;
    for (const QFileInfo& f : dir.entryInfoList({QString("%1*%2").arg(kAutosavePrefix, kAutosaveSuffix)},
                                                QDir::Files, QDir::Time)) {
        const qint64 pid = autosave_pid(f.fileName());
        if (pid == 0 || pid == QCoreApplication::applicationPid() || process_alive(pid)) continue;
        found << f.absoluteFilePath();
    }
    return found;
}

bool MainWindow::offerRecovery() {
    recovery_offered_ = true;
    const QStringList found = recoverableSessions();
    if (found.isEmpty()) return false;
    const QString newest = found.first();
    const QString when = QFileInfo(newest).lastModified().toString("yyyy-MM-dd HH:mm");
    const bool restore = confirm_(
        "Recover unsaved work",
        QString("Sightline did not close normally; its last autosave (%1) holds unsaved work. Restore it?")
            .arg(when));
    if (!restore) {
        for (const auto& f : found) QFile::remove(f);
        return false;
    }
    QString err;
    if (!openSession(newest, &err)) return false;  // the file stays for another try; the error is shown
    for (const auto& f : found) QFile::remove(f);
    unsaved_ = true;  // recovered work is not in any file the user chose
    setWindowModified(true);
    schedule_autosave();
    return true;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (unsaved_ && trace_) {
        QString path;
        switch (unsaved_prompt_(&path)) {
            case UnsavedChoice::Cancel:
                event->ignore();
                return;
            case UnsavedChoice::Save: {
                QString err;
                if (!saveSession(path, &err)) {
                    show_error(err);
                    event->ignore();
                    return;
                }
                break;
            }
            case UnsavedChoice::Discard:
                break;
        }
    }
    save_window_settings();
    remove_own_autosave();
    stop_model_identity();
    event->accept();
}

// ---- settings ----

void MainWindow::remember_recent(const QString& kind, const QString& path) {
    if (!settings_ || path.isEmpty()) return;
    const QString key = "recent/" + kind;
    QStringList list = settings_->value(key).toStringList();
    const QString abs = QFileInfo(path).absoluteFilePath();
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > kRecentMax) list.removeLast();
    settings_->setValue(key, list);
}

QStringList MainWindow::recentFiles(const QString& kind) const {
    return settings_ ? settings_->value("recent/" + kind).toStringList() : QStringList();
}

void MainWindow::fill_recent_menu() {
    recent_menu_->clear();
    const struct {
        const char* kind;
        const char* title;
    } sections[] = {{"sessions", "Sessions"}, {"images", "Images"}, {"models", "Models"}};
    bool any = false;
    for (const auto& s : sections) {
        const QStringList list = recentFiles(s.kind);
        if (list.isEmpty()) continue;
        recent_menu_->addSection(s.title);
        any = true;
        for (const QString& path : list) {
            const QString kind = s.kind;
            recent_menu_->addAction(path, this, [this, kind, path] {
                QString err;
                if (kind == "sessions") {
                    if (!openSession(path, &err)) show_error(err);
                } else if (kind == "images") {
                    openImageFile(path, &err);
                } else {
                    loadModel(path);
                }
            });
        }
    }
    if (!any) recent_menu_->addAction("(nothing yet)")->setEnabled(false);
}

void MainWindow::restore_window_settings() {
    if (!settings_) return;
    if (settings_->contains("window/geometry"))
        restoreGeometry(settings_->value("window/geometry").toByteArray());
    if (settings_->contains("window/state")) restoreState(settings_->value("window/state").toByteArray());
    if (settings_->contains("view/colormap"))
        overlay_->setState(
            settings_->value("view/colormap").toString(), settings_->value("view/opacity", 0.55).toDouble(),
            settings_->value("view/threshold", 0.0).toDouble(), settings_->value("view/grid", false).toBool(),
            settings_->value("view/smooth", true).toBool());
}

void MainWindow::save_window_settings() {
    if (!settings_) return;
    settings_->setValue("window/geometry", saveGeometry());
    settings_->setValue("window/state", saveState());
    settings_->setValue("view/colormap", overlay_->colormap());
    settings_->setValue("view/opacity", overlay_->opacity());
    settings_->setValue("view/threshold", overlay_->threshold());
    settings_->setValue("view/grid", overlay_->grid());
    settings_->setValue("view/smooth", overlay_->smooth());
    settings_->sync();
}

}  // namespace sightline::ui
