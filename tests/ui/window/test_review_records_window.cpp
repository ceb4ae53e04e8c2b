// Nothing lost and trustworthy records (issue 21, items 4 and 5), driven through the real window:
// autosave after an explanation, recovery of a crashed run's work at the next start (and declining it),
// the prompt before closing with unsaved changes, settings kept between runs (recent files and models,
// heatmap settings, reviewer), and sessions/reports that carry the model identity, image digests,
// software version and reviewer; a session whose model differs, or that names a model to load, asks
// first.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QMenu>
#include <QPlainTextEdit>
#include <QProcess>
#include <QSettings>
#include <QTest>
#include <nlohmann/json.hpp>

#include "core/model/model_identity.h"
#include "core/session/session.h"
#include "core/util/files.h"
#include "core/util/sha256.h"
#include "core/util/version.h"
#include "tests/ui/window/window_fixture.h"
#include "ui/widgets/token_strip.h"
#include "ui/window/overlay_controls.h"
#include "ui/window/report_writer.h"

using namespace sightline;
using nlohmann::json;

namespace {

json read_json(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return json::parse(f.readAll().toStdString(), nullptr, false);
}

bool write_json(const QString& path, const json& j) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
    return f.write(QByteArray::fromStdString(j.dump())) > 0;
}

// The pid of a process that has exited (its autosave looks like a crashed run's).
qint64 dead_pid() {
    QProcess p;
    p.start("true", {});
    if (!p.waitForStarted(10000)) return 999999;
    const qint64 pid = p.processId();
    p.waitForFinished(10000);
    return pid > 0 ? pid : 999999;
}

}  // namespace

class TestReviewRecordsWindow : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString model_dir_;
    QString path(const QString& name) const { return tmp_.path() + "/" + name; }

    ui::MainWindow::Options options(const QString& state, const QString& settings = {}) const {
        ui::MainWindow::Options o;
        o.model_dir = model_dir_;
        o.state_dir = state;
        o.autosave_seconds = 3600;  // only the after-explanation autosave in these tests
        o.persist_settings = !settings.isEmpty();
        o.settings_file = settings;
        return o;
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        qputenv("SIGHTLINE_CACHE_DIR", (tmp_.path() + "/cache").toUtf8());
        model_dir_ = test::gui_test_model(tmp_);
    }

    void autosave_then_recovery_after_a_crash() {
        const QString state = path("state");
        auto w = test::open_window(options(state));
        QVERIFY(w);
        QVERIFY(!w->hasUnsavedChanges());
        QVERIFY(test::ask(*w, "describe the image."));
        QVERIFY(w->hasUnsavedChanges() && w->isWindowModified());
        QSignalSpy autosaved(w.get(), &ui::MainWindow::autosaved);
        QVERIFY(test::click_token(*w, 0));
        w->notes()->setPlainText("lesion at the left edge");
        QVERIFY(autosaved.count() > 0 || autosaved.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(read_json(w->autosavePath()).value("notes", "") == "lesion at the left edge",
                                 10000);
        const auto ids = w->trace()->ids();

        // A crash: the autosave stays behind under a process id that is gone.
        const QString crashed = QDir(state).filePath(QString("autosave-%1.sightline.json").arg(dead_pid()));
        QVERIFY(QFile::copy(w->autosavePath(), crashed));
        QCOMPARE(w->recoverableSessions(), QStringList{crashed});
        // This window closes cleanly (discarding): its own autosave goes, the crashed one stays.
        w->setUnsavedPrompt([](QString*) { return ui::MainWindow::UnsavedChoice::Discard; });
        const QString own = w->autosavePath();
        QVERIFY(w->close());
        QVERIFY(!QFile::exists(own));
        QVERIFY(QFile::exists(crashed));
        w.reset();

        // The next start offers it back once the model is ready; accepted, the work is restored.
        QStringList asked;
        ui::MainWindow::Options o = options(state);
        auto w2 = std::make_unique<ui::MainWindow>(o);
        w2->setConfirmHandler([&](const QString& title, const QString&) {
            asked << title;
            return true;
        });
        w2->show();
        QTRY_VERIFY_WITH_TIMEOUT(w2->trace() && w2->isIdle() && !w2->explanations().isEmpty(), 60000);
        QCOMPARE(asked, QStringList{"Recover unsaved work"});
        QCOMPARE(w2->trace()->ids(), ids);
        QCOMPARE(w2->notes()->toPlainText(), QString("lesion at the left edge"));
        QVERIFY(w2->hasUnsavedChanges());  // recovered work is still not in a file the user chose
        QVERIFY(!QFile::exists(crashed));
        w2->setUnsavedPrompt([](QString*) { return ui::MainWindow::UnsavedChoice::Discard; });
        QVERIFY(w2->close());
        w2.reset();

        // Declined: the leftover is deleted and nothing is restored.
        const QString again = QDir(state).filePath(QString("autosave-%1.sightline.json").arg(dead_pid()));
        QVERIFY(write_json(again, json{{"format", "sightline-session"}}));
        auto w3 = std::make_unique<ui::MainWindow>(options(state));
        int offers = 0;
        w3->setConfirmHandler([&](const QString&, const QString&) {
            ++offers;
            return false;
        });
        w3->show();
        QTRY_VERIFY_WITH_TIMEOUT(w3->modelReady() && !QFile::exists(again), 60000);
        QCOMPARE(offers, 1);
        QVERIFY(w3->recoverableSessions().isEmpty());
    }

    void closing_with_unsaved_changes_asks() {
        auto w = test::open_window(options(path("state_close")));
        QVERIFY(w);
        QVERIFY(test::ask(*w, "describe the image."));
        QVERIFY(w->hasUnsavedChanges());
        int asked = 0;
        w->setUnsavedPrompt([&](QString*) {
            ++asked;
            return ui::MainWindow::UnsavedChoice::Cancel;
        });
        QVERIFY(!w->close());
        QCOMPARE(asked, 1);
        QVERIFY(w->isVisible());
        const QString saved = path("on_close.sightline.json");
        w->setUnsavedPrompt([&](QString* p) {
            *p = saved;
            return ui::MainWindow::UnsavedChoice::Save;
        });
        QVERIFY(w->close());
        QVERIFY(QFile::exists(saved));
        QVERIFY(!w->hasUnsavedChanges());
        // Saved work closes without a question.
        auto w2 = test::open_window(options(path("state_close")));
        QVERIFY(w2);
        int asked2 = 0;
        w2->setUnsavedPrompt([&](QString*) {
            ++asked2;
            return ui::MainWindow::UnsavedChoice::Cancel;
        });
        QVERIFY(w2->close());
        QCOMPARE(asked2, 0);
    }

    void settings_are_kept_between_runs() {
        const QString ini = path("settings.ini");
        const QString image = path("red square.png");
        QImage red(40, 40, QImage::Format_RGB888);
        red.fill(Qt::red);
        QVERIFY(red.save(image));
        {
            auto w = test::open_window(options({}, ini));
            QVERIFY(w);
            QVERIFY(w->openImageFile(image));
            QVERIFY(test::ask(*w, "what color is it?"));
            QString err;
            QVERIFY2(w->saveSession(path("kept.sightline.json"), &err), qPrintable(err));
            w->setReviewerName("  Dr. Ada Example ");
            w->overlayControls()->setState("viridis", 0.3, 0.1, true, false);
            w->setUnsavedPrompt([](QString*) { return ui::MainWindow::UnsavedChoice::Discard; });
            QVERIFY(w->close());
        }
        QSettings s(ini, QSettings::IniFormat);
        QCOMPARE(s.value("review/reviewer").toString(), QString("Dr. Ada Example"));
        QCOMPARE(s.value("view/colormap").toString(), QString("viridis"));
        QVERIFY(s.contains("window/geometry"));
        auto w = test::open_window(options({}, ini));
        QVERIFY(w);
        QCOMPARE(w->reviewerName(), QString("Dr. Ada Example"));
        QCOMPARE(w->overlayControls()->colormap(), QString("viridis"));
        QCOMPARE(w->overlayControls()->grid(), true);
        QCOMPARE(w->recentFiles("images").value(0), QFileInfo(image).absoluteFilePath());
        QCOMPARE(w->recentFiles("sessions").value(0),
                 QFileInfo(path("kept.sightline.json")).absoluteFilePath());
        QCOMPARE(w->recentFiles("models").value(0), QFileInfo(model_dir_).absoluteFilePath());
        // The File > Open recent menu lists them and opens one.
        auto* menu = w->findChild<QMenu*>("recentMenu");
        QVERIFY(menu);
        QMetaObject::invokeMethod(menu, "aboutToShow");
        QAction* open_image = nullptr;
        for (QAction* a : menu->actions())
            if (a->text() == QFileInfo(image).absoluteFilePath()) open_image = a;
        QVERIFY(open_image);
        w->setImage(QImage(), "none");
        open_image->trigger();
        QCOMPARE(w->imageFileSha256().toStdString(), sha256_file(image.toStdString()));
        w->setUnsavedPrompt([](QString*) { return ui::MainWindow::UnsavedChoice::Discard; });
        QVERIFY(w->close());
    }

    void sessions_and_reports_carry_the_record() {
        auto w = test::open_window(options({}));
        QVERIFY(w);
        const QString image = path("blue.png");
        QImage blue(48, 40, QImage::Format_RGB888);
        blue.fill(Qt::blue);
        QVERIFY(blue.save(image));
        QVERIFY(w->openImageFile(image));
        QVERIFY(test::ask(*w, "what color is it?"));
        QVERIFY(test::click_token(*w, 0));
        w->setReviewerName("R. Viewer");
        QString err;
        QVERIFY2(w->waitForModelIdentity(&err), qPrintable(err));
        const ModelIdentity expected = compute_model_identity(model_dir_.toStdString(), "");
        QCOMPARE(w->modelIdentity().sha256, expected.sha256);
        const QString file = path("record.sightline.json");
        QVERIFY2(w->saveSession(file, &err), qPrintable(err));
        const json j = read_json(file);
        QCOMPARE(j["model"]["identity"]["sha256"].get<std::string>(), expected.sha256);
        QCOMPARE(j["reviewer"].get<std::string>(), std::string("R. Viewer"));
        QCOMPARE(j["software"]["version"].get<std::string>(), std::string(software_version()));
        QCOMPARE(j["image"]["file_sha256"].get<std::string>(), sha256_file(image.toStdString()));
        QCOMPARE(j["image"]["sha256"].get<std::string>().size(), std::size_t{64});

        ui::ReportData d;
        QVERIFY2(w->reportData(&d, &err), qPrintable(err));
        QCOMPARE(d.reviewer, QString("R. Viewer"));
        QCOMPARE(d.software_version, QString(software_version()));
        QCOMPARE(d.model_identity.toStdString(), expected.sha256);
        QCOMPARE(d.model_files.size(), static_cast<int>(expected.files.size()));
        QCOMPARE(d.image_file_sha256.toStdString(), sha256_file(image.toStdString()));
        QCOMPARE(d.image_sha256.toStdString(), j["image"]["sha256"].get<std::string>());
        QVERIFY2(w->exportReport(path("record.pdf"), &err), qPrintable(err));

        // A session whose recorded model differs: asked first; declined, nothing changes.
        json other = j;
        other["model"]["identity"]["files"][0]["sha256"] = std::string(64, '0');
        other["model"]["identity"]["sha256"] = std::string(64, '1');
        QVERIFY(write_json(path("other_model.sightline.json"), other));
        QStringList asked;
        QString text;
        bool answer = false;
        w->setConfirmHandler([&](const QString& title, const QString& t) {
            asked << title;
            text = t;
            return answer;
        });
        const auto ids = w->trace()->ids();
        QVERIFY(w->openSession(path("other_model.sightline.json"), &err));
        QTRY_COMPARE_WITH_TIMEOUT(asked, QStringList{"Different model"}, 10000);
        QVERIFY2(text.contains(QString::fromStdString(expected.files[0].name)), qPrintable(text));
        QVERIFY2(text.contains(QString::fromStdString(expected.sha256.substr(0, 12))), qPrintable(text));
        QCOMPARE(w->trace()->ids(), ids);
        // Accepted, it opens.
        asked.clear();
        answer = true;
        w->notes()->setPlainText("changed");
        QVERIFY(w->openSession(path("other_model.sightline.json"), &err));
        QTRY_VERIFY_WITH_TIMEOUT(w->notes()->toPlainText().isEmpty() && w->isIdle(), 30000);
        QCOMPARE(asked, QStringList{"Different model"});

        // A session that names another model folder asks before loading it; declined, nothing is loaded.
        json elsewhere = j;
        elsewhere["model"]["name"] = "some-other-model";
        elsewhere["model"]["dir"] = model_dir_.toStdString();
        QVERIFY(write_json(path("elsewhere.sightline.json"), elsewhere));
        asked.clear();
        answer = false;
        QVERIFY(!w->openSession(path("elsewhere.sightline.json"), &err));
        QCOMPARE(asked, QStringList{"Load the session's model"});
        QVERIFY2(err.contains("cancelled"), qPrintable(err));
        QVERIFY(w->modelReady());
        w->setUnsavedPrompt([](QString*) { return ui::MainWindow::UnsavedChoice::Discard; });
        QVERIFY(w->close());
    }
};

QTEST_MAIN(TestReviewRecordsWindow)
#include "test_review_records_window.moc"
