// The batch results dialog driven through the real window, offscreen: a run made by sightline-cli batch
// (three scene-world questions and a bad item) opened from the Tools menu's dialog, its summary, method
// table and items (with filters), a run still in progress read as it is, and a double-clicked item opened
// in the explorer with its question and ground truth, answered as the batch answered it.
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QTableWidget>
#include <QTest>

#include <nlohmann/json.hpp>

#include "tests/support/cli_run.h"
#include "tests/ui/window/window_fixture.h"
#include "ui/window/batch_results_dialog.h"

using namespace sightline;

namespace {

int run_cli(const QStringList& args, QString* err) {
    const test::CliRun r = test::cli(args, 600000);
    *err = r.err;
    return r.code;
}

int row_of(QTableWidget* t, int column, const QString& text) {
    for (int r = 0; r < t->rowCount(); ++r)
        if (t->item(r, column) && t->item(r, column)->text() == text) return r;
    return -1;
}

}  // namespace

class TestBatchResultsWindow : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString model_;
    std::unique_ptr<ui::MainWindow> w_;

  private Q_SLOTS:
    void initTestCase() {
        model_ = test::gui_test_model(tmp_);
        w_ = test::open_window(model_, false);
        QVERIFY2(w_, "the window did not load the model");
        // A run of three questions plus an item whose image is missing, split in two shards; the second
        // shard is not run yet.
        QString err;
        QCOMPARE(run_cli({"toy", "manifest", "--n", "3", "--first-seed", "1000300200", "--out",
                          tmp_.path() + "/m"},
                         &err),
                 0);
        QFile m(tmp_.path() + "/m/manifest.jsonl");
        QVERIFY(m.open(QIODevice::Append));
        m.write(R"({"id": "gone", "image": "images/gone.png", "prompt": "What is it?"})"
                "\n");
        m.close();
        const QStringList common = {"batch",
                                    "--manifest",
                                    tmp_.path() + "/m/manifest.jsonl",
                                    "--out",
                                    tmp_.path() + "/run",
                                    "--model",
                                    model_,
                                    "--methods",
                                    "attention,tam",
                                    "--faithfulness-steps",
                                    "0",
                                    "--quiet"};
        QVERIFY2(run_cli(common + QStringList{"--shard", "0/2"}, &err) == 0, qPrintable(err));
    }

    void a_run_in_progress_and_then_complete() {
        w_->showBatchResults(tmp_.path() + "/run");
        ui::BatchResultsDialog* d = w_->batchResults();
        QVERIFY(d && d->isVisible());
        // Shard 0 of 2 owns items 0 and 2.
        QVERIFY2(d->summary()->text().contains("2 of 4 items done; 1 of 2 shard(s) started"),
                 qPrintable(d->summary()->text()));
        QCOMPARE(d->itemsTable()->rowCount(), 2);

        QString err;
        QVERIFY2(run_cli({"batch", "--manifest", tmp_.path() + "/m/manifest.jsonl", "--out",
                          tmp_.path() + "/run", "--model", model_, "--methods", "attention,tam",
                          "--faithfulness-steps", "0", "--quiet", "--shard", "1/2"},
                         &err) == 0,
                 qPrintable(err));
        QTest::mouseClick(d->findChild<QPushButton*>("refreshRun"), Qt::LeftButton);
        QVERIFY2(d->summary()->text().contains("4 of 4 items done; 2 of 2 shard(s) started — complete"),
                 qPrintable(d->summary()->text()));
        QVERIFY(d->summary()->text().contains("3 answered, 1 bad item(s)"));
        QCOMPARE(d->itemsTable()->rowCount(), 4);
        // Methods and the two baselines, scored against the masks.
        QTableWidget* methods = d->methodsTable();
        for (const QString name : {"attention", "tam", "random", "center"})
            QVERIFY2(row_of(methods, 0, name) >= 0, qPrintable(name));
        const int bad = row_of(d->itemsTable(), 0, "gone");
        QVERIFY(bad >= 0);
        QVERIFY(d->itemsTable()->item(bad, 7)->text().contains("gone.png"));
        d->setFilter(2);  // bad items
        QCOMPARE(d->itemsTable()->rowCount(), 1);
        d->filter()->setCurrentIndex(0);
        QCOMPARE(d->itemsTable()->rowCount(), 4);
        QVERIFY(!d->grab().isNull());
        if (const QByteArray shots = qgetenv("SIGHTLINE_KEEP_SHOTS"); !shots.isEmpty())
            d->grab().save(QString::fromUtf8(shots) + "/batch-results.png");
    }

    void double_click_opens_the_item() {
        ui::BatchResultsDialog* d = w_->batchResults();
        QTableWidget* items = d->itemsTable();
        const int row = row_of(items, 0, "s1000300201");  // a colour question
        QVERIFY(row >= 0);
        const QString batch_answer = items->item(row, 3)->text();
        const QString question = items->item(row, 2)->text();
        QSignalSpy done(w_.get(), &ui::MainWindow::generationFinished);
        QSignalSpy opened(d, &ui::BatchResultsDialog::openItem);
        const QRect cell = items->visualItemRect(items->item(row, 0));
        // Press, release, then the double-click (an item view ignores a double-click without the first
        // press).
        QTest::mouseClick(items->viewport(), Qt::LeftButton, {}, cell.center());
        QTest::mouseDClick(items->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(opened.count(), 1);
        QVERIFY(done.wait(60000) || done.count() > 0);
        QVERIFY(test::wait_idle(*w_));
        QVERIFY(w_->hasGroundTruth());
        QVERIFY(w_->trace());
        QCOMPARE(QString::fromStdString(w_->trace()->question), question);
        QCOMPARE(QString::fromStdString(w_->trace()->answer_text).trimmed(), batch_answer.trimmed());
        // A click on the colour word scores the map against its object.
        QVERIFY(test::click_token(*w_, w_->defaultTarget()));
        const auto& e = w_->explanations();
        QVERIFY(e.contains(w_->activeMethod()));
        QVERIFY(e[w_->activeMethod()].ground_truth.has_value());
        QVERIFY2(e[w_->activeMethod()].ground_truth->applicable,
                 e[w_->activeMethod()].ground_truth->reason.c_str());
        // The bad item names no image that can be opened.
        const int bad = row_of(items, 0, "gone");
        QString error;
        QVERIFY(!w_->openBatchItem(d->itemAt(bad), &error));
        QVERIFY(error.contains("gone.png"));
    }

    void unreadable_folders_say_so() {
        ui::BatchResultsDialog* d = w_->batchResults();
        QString error;
        QVERIFY(!d->openFolder(tmp_.path() + "/nothing", &error));
        QVERIFY2(error.contains("no merged results"), qPrintable(error));
        QVERIFY(d->summary()->text().contains("Cannot read"));
    }
};

QTEST_MAIN(TestBatchResultsWindow)
#include "test_batch_results_window.moc"
