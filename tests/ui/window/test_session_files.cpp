// Crafted session files opened through the window's own open path (issue 21): image-token cells outside
// the grid, a wrong or huge grid, a target or explanation positions outside the answer, wrong JSON types.
// Each is refused with a message naming the file and the field, the window keeps its current work and
// stays usable, and a valid session still opens.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QTest>
#include <functional>

#include "tests/support/file_size_limit.h"
#include "tests/ui/window/window_fixture.h"
#include "ui/widgets/token_strip.h"

using namespace sightline;
using nlohmann::json;

class TestSessionFiles : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString model_dir_;
    std::unique_ptr<ui::MainWindow> w_;
    json base_;
    QString path(const QString& name) { return tmp_.path() + "/" + name; }

    QString write(const QString& name, const json& j) {
        QFile f(path(name));
        if (!f.open(QIODevice::WriteOnly)) return {};
        f.write(QByteArray::fromStdString(j.dump()));
        return path(name);
    }

  private Q_SLOTS:
    void initTestCase() {
        model_dir_ = test::gui_test_model(tmp_);
        w_ = test::open_window(model_dir_);
        QVERIFY(w_);
        QVERIFY(test::ask(*w_, "describe the image."));
        QVERIFY(test::click_token(*w_, std::min(1, w_->answerStrip()->count() - 1)));
        QString err;
        QVERIFY2(w_->saveSession(path("valid.sightline.json"), &err), qPrintable(err));
        QFile f(path("valid.sightline.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        base_ = json::parse(f.readAll().toStdString());
    }

    void crafted_sessions_are_refused_with_a_message() {
        QVERIFY(base_["trace"]["image_begin"].get<std::int64_t>() >= 0);
        const auto k = base_["trace"]["image_begin"].get<std::size_t>();
        struct Row {
            const char* name;
            std::function<void(json&)> corrupt;
            const char* field;
        };
        const std::vector<Row> rows = {
            {"patch",
             [&](json& j) {
                 j["trace"]["tokens"][k]["patch"] = {100, 5};
             },
             "patch"},
            {"grid",
             [](json& j) {
                 j["trace"]["grid"] = {12, 1};
             },
             "grid"},
            {"huge_grid",
             [](json& j) {
                 j["trace"]["grid"] = {65537, 65537};
             },
             "grid"},
            {"target", [](json& j) { j["current"]["target"] = 999; }, "current.target"},
            {"target_position", [](json& j) { j["explanations"][0]["target_position"] = 99999; },
             "target_position"},
            {"text_positions",
             [](json& j) {
                 j["explanations"][0]["text_positions"] = {99999};
                 j["explanations"][0]["text_scores"] = {0.5};
             },
             "text_positions"},
            {"opacity", [](json& j) { j["view"]["opacity"] = "high"; }, "view.opacity"},
            {"type", [](json& j) { j["trace"]["answer_begin"] = "ten"; }, "answer_begin"},
        };
        const auto ids = w_->trace()->ids();
        for (const auto& row : rows) {
            json j = base_;
            row.corrupt(j);
            const QString file = write(QString("crafted_%1.sightline.json").arg(row.name), j);
            QVERIFY(!file.isEmpty());
            QSignalSpy shown(w_.get(), &ui::MainWindow::errorShown);
            QString err;
            QVERIFY2(!w_->openSession(file, &err), row.name);
            qInfo("%s: %s", row.name, qPrintable(err));
            QVERIFY2(err.contains(file), qPrintable(err));
            QVERIFY2(err.contains(row.field), qPrintable(row.name + QString(": ") + err));
            QCOMPARE(shown.count(), 1);
            QVERIFY(w_->banner()->isVisible() || !w_->isVisible());
            QVERIFY(w_->trace());
            QCOMPARE(w_->trace()->ids(), ids);  // the current work is untouched
        }
        // The window still works: explain another token, export the scores and the report.
        QVERIFY(test::click_token(*w_, 0));
        QString err;
        QVERIFY2(w_->exportScores(path("scores.csv"), &err), qPrintable(err));
        QVERIFY2(w_->exportReport(path("review.pdf"), &err), qPrintable(err));
    }

    void writes_on_a_full_disk_fail_and_keep_old_files() {
        // Issue 21 item 2: session save, score export, overlay export, plots and the review report on a
        // full disk (a file-size limit) return false with the file and the reason, leave no partial
        // file, and a session saved before is left as it was.
        const QString dir = path("full_disk");
        QVERIFY(QDir().mkpath(dir));
        QString err;
        QVERIFY2(w_->saveSession(dir + "/kept.sightline.json", &err), qPrintable(err));
        QFile kept(dir + "/kept.sightline.json");
        QVERIFY(kept.open(QIODevice::ReadOnly));
        const QByteArray before = kept.readAll();
        kept.close();
        {
            test::FileSizeLimit limit(1024);
            QVERIFY(limit.active());
            const std::vector<std::pair<QString, std::function<bool(const QString&, QString*)>>> writers = {
                {"kept.sightline.json", [&](const QString& p, QString* e) { return w_->saveSession(p, e); }},
                {"scores.json", [&](const QString& p, QString* e) { return w_->exportScores(p, e); }},
                {"scores.csv", [&](const QString& p, QString* e) { return w_->exportScores(p, e); }},
                {"overlay.png", [&](const QString& p, QString* e) { return w_->exportOverlay(p, false, e); }},
                {"review.pdf", [&](const QString& p, QString* e) { return w_->exportReport(p, e); }},
                {"plots", [&](const QString& p, QString* e) { return w_->exportPlots(p, e); }},
            };
            for (const auto& [name, write] : writers) {
                err.clear();
                QVERIFY2(!write(dir + "/" + name, &err), qPrintable(name));
                qInfo("%s: %s", qPrintable(name), qPrintable(err));
                QVERIFY2(err.contains("File too large"), qPrintable(name + ": " + err));
            }
        }
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), before);
        QCOMPARE(QDir(dir).entryList(QDir::Files | QDir::Hidden), QStringList{"kept.sightline.json"});
        QCOMPARE(QDir(dir + "/plots").entryList(QDir::Files | QDir::Hidden), QStringList());
        // With room again, the same calls succeed.
        QVERIFY2(w_->exportReport(dir + "/review.pdf", &err), qPrintable(err));
        QVERIFY(QFileInfo(dir + "/review.pdf").size() > 1024);
    }

    void a_valid_session_still_opens() {
        auto other = test::open_window(model_dir_, /*load_demo=*/false);
        QVERIFY(other);
        QString err;
        QVERIFY2(other->openSession(path("valid.sightline.json"), &err), qPrintable(err));
        QVERIFY(QTest::qWaitFor(
            [&] { return other->trace() && other->currentTarget() == 1 && other->isIdle(); }, 60000));
        QCOMPARE(other->trace()->ids(), w_->trace()->ids());
        QVERIFY(!other->explanations().isEmpty());
        QVERIFY2(other->exportReport(path("reopened.pdf"), &err), qPrintable(err));
    }
};

QTEST_MAIN(TestSessionFiles)
#include "test_session_files.moc"
