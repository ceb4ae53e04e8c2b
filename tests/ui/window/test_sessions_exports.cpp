// Sessions and exports from the real window: save a session, reopen it in a fresh window and compare;
// overlay/raw PNGs, CSV/JSON scores, plots and the PDF review report exist and are valid; corrupt
// session files give a clear error.
#include <QFile>
#include <QImage>
#include <QPlainTextEdit>
#include <QTest>

#include "tests/ui/window/window_fixture.h"
#include "ui/widgets/image_canvas.h"
#include "ui/widgets/token_strip.h"
#include "ui/window/compare_panel.h"

using namespace sightline;

class TestSessionsExports : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString model_dir_;
    std::unique_ptr<ui::MainWindow> w_;
    QString path(const char* name) { return tmp_.path() + "/" + name; }

  private Q_SLOTS:
    void initTestCase() {
        model_dir_ = test::gui_test_model(tmp_);
        w_ = test::open_window(model_dir_);
        QVERIFY(w_);
        QVERIFY(test::ask(*w_, "describe the image."));
        QVERIFY(test::click_token(*w_, std::min(3, w_->answerStrip()->count() - 1)));
        w_->notes()->setPlainText("Checked the red circle; the map agrees.");
    }

    void session_round_trip() {
        QString err;
        QVERIFY2(w_->saveSession(path("review.sightline.json"), &err), qPrintable(err));
        auto other = test::open_window(model_dir_, /*load_demo=*/false);
        QVERIFY(other);
        QVERIFY2(other->openSession(path("review.sightline.json"), &err), qPrintable(err));
        QVERIFY(QTest::qWaitFor(
            [&] {
                return other->trace() && other->currentTarget() == w_->currentTarget() && other->isIdle();
            },
            60000));
        QCOMPARE(other->trace()->ids(), w_->trace()->ids());
        QCOMPARE(other->notes()->toPlainText(), w_->notes()->toPlainText());
        QCOMPARE(other->explanations().size(), w_->explanations().size());
        for (auto it = w_->explanations().begin(); it != w_->explanations().end(); ++it)
            QCOMPARE(other->explanations()[it.key()].image_map, it->image_map);
        QCOMPARE(other->canvas()->mapValues(), w_->canvas()->mapValues());
        QCOMPARE(other->answerStrip()->tokens(), w_->answerStrip()->tokens());
        // The reopened trace is live: explaining another token works.
        QVERIFY(test::click_token(*other, 0));
        QVERIFY(other->explanations().contains("relevancy"));
    }

    void corrupt_sessions_are_refused_clearly() {
        QFile f(path("broken.sightline.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"format\": \"sightline-session\", \"version\": 1, \"model\": {\"name\": 3}");
        f.close();
        QString err;
        QVERIFY(!w_->openSession(path("broken.sightline.json"), &err));
        QVERIFY2(err.contains("not valid JSON"), qPrintable(err));
        QFile g(path("wrong.json"));
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write("{\"hello\": 1}");
        g.close();
        QVERIFY(!w_->openSession(path("wrong.json"), &err));
        QVERIFY2(err.contains("not a Sightline session"), qPrintable(err));
        QVERIFY(w_->trace());  // the current work is untouched
    }

    void exports_are_valid_files() {
        QString err;
        QVERIFY2(w_->exportOverlay(path("overlay.png"), false, &err), qPrintable(err));
        QVERIFY2(w_->exportOverlay(path("raw.png"), true, &err), qPrintable(err));
        for (const char* f : {"overlay.png", "raw.png"}) {
            const QImage img(path(f));
            QVERIFY2(!img.isNull() && img.width() >= 96, f);
        }
        QVERIFY2(w_->exportScores(path("scores.csv"), &err), qPrintable(err));
        QFile csv(path("scores.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().split('\n');
        QVERIFY(lines.first().startsWith("method,target"));
        QVERIFY(lines.size() > 100);
        QVERIFY2(w_->exportScores(path("scores.json"), &err), qPrintable(err));
        QFile js(path("scores.json"));
        QVERIFY(js.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(js.readAll().toStdString());
        QCOMPARE(j["explanations"].size(), static_cast<std::size_t>(w_->explanations().size()));
        QVERIFY2(w_->exportPlots(path("plots"), &err), qPrintable(err));
        QVERIFY(!QImage(path("plots/relevancy_text_relevance.png")).isNull());
        QFile plot_pdf(path("plots/relevancy_text_relevance.pdf"));
        QVERIFY(plot_pdf.open(QIODevice::ReadOnly) && plot_pdf.read(4) == "%PDF");
        QVERIFY2(w_->exportReport(path("review.pdf"), &err), qPrintable(err));
        QFile pdf(path("review.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QCOMPARE(pdf.read(4), QByteArray("%PDF"));
        QVERIFY(pdf.size() > 10000);  // images embedded
    }

    void consistency_flag_follows_threshold() {
        ui::ComparePanel* c = w_->comparePanel();
        QVERIFY(c->mapCount() >= 2);
        QVERIFY(c->consistency() >= 0.0 && c->consistency() <= 1.0);
        QCOMPARE(c->deferToHuman(), c->deferSignal() > c->threshold());
        QVERIFY(c->summary().startsWith("Consistency"));
        // The threshold decides: at 0 any doubt defers, at 1 nothing does.
        c->setThreshold(1.0);
        QVERIFY(!c->deferToHuman());
        c->setThreshold(0.0);
        QCOMPARE(c->deferToHuman(), c->deferSignal() > 0.0);
    }
};

QTEST_MAIN(TestSessionsExports)
#include "test_sessions_exports.moc"
