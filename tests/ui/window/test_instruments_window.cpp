// The research instruments driven through the real window, offscreen: the logit lens tab (per-layer curve,
// a cell's top words on hover, the layer parameter), the causal tracing tab (its layers x positions table),
// neither of them in the Compare tab, the Knockout tab (brush patches on the image, run, see the answer
// change), the knockout kept in a saved session and printed in the review report, and every array
// exported as .npy.
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>

#include <opencv2/imgproc.hpp>

#include "core/image/image_io.h"
#include "core/toy/sample.h"
#include "core/toy/task.h"
#include "core/toy/vocabulary.h"
#include "core/util/npy.h"
#include "tests/ui/window/window_fixture.h"
#include "ui/plots/curve_plot.h"
#include "ui/plots/head_layer_heatmap.h"
#include "ui/widgets/image_canvas.h"
#include "ui/widgets/token_strip.h"
#include "ui/window/compare_panel.h"
#include "ui/window/knockout_panel.h"
#include "ui/window/method_panel.h"
#include "ui/window/param_form.h"

using namespace sightline;

class TestInstrumentsWindow : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::unique_ptr<ui::MainWindow> w_;

    void click_tab(QWidget* page) {
        QTabBar* bar = w_->tabs()->tabBar();
        const int index = w_->tabs()->indexOf(page);
        QVERIFY(index >= 0);
        bar->setCurrentIndex(index);
        QVERIFY(test::wait_idle(*w_, 120000));
    }

  private Q_SLOTS:
    void initTestCase() {
        w_ = test::open_window(test::gui_test_model(tmp_));
        QVERIFY2(w_, "the window did not load the model");
        QVERIFY(test::ask(*w_, "what color is the cross?"));
        QVERIFY(test::click_token(*w_, 0));
    }

    void instruments_are_tabs_but_not_compared() {
        QVERIFY(w_->panel("logit_lens"));
        QVERIFY(w_->panel("causal_tracing"));
        QVERIFY(!w_->comparePanel()->canvas("logit_lens"));
        QVERIFY(!w_->comparePanel()->canvas("causal_tracing"));
        QVERIFY(w_->comparePanel()->canvas("relevancy"));
        // A click computed the visible method and not the instruments.
        QVERIFY(!w_->explanations().contains("causal_tracing"));
    }

    void logit_lens_tab() {
        ui::MethodPanel* p = w_->panel("logit_lens");
        click_tab(p);
        QVERIFY(w_->explanations().contains("logit_lens"));
        QVERIFY(p->layerCurves());
        QCOMPARE(p->layerCurves()->curveCount(), 2);
        const Explanation& e = w_->explanations()["logit_lens"];
        QVERIFY(e.cell_words);
        // Hovering a cell names the words its state reads as.
        ui::ImageCanvas* c = w_->canvas();
        QTest::mouseMove(c, c->patchRect(3, 4).center().toPoint());
        QVERIFY(
            QTest::qWaitFor([&] { return w_->statusBar()->currentMessage().contains("reads as"); }, 5000));
        QVERIFY(w_->statusBar()->currentMessage().contains(
            QString::fromStdString(e.cell_words->words[3 * e.grid_w + 4][0])));
        // The layer parameter re-reads the kept states.
        p->form()->setValues({{"layer", 0}});
        QVERIFY(QTest::qWaitFor(
            [&] {
                return w_->explanations().contains("logit_lens") &&
                       w_->explanations()["logit_lens"].diagnostics.value("layer", -1) == 0;
            },
            30000));
    }

    void causal_tracing_tab() {
        ui::MethodPanel* p = w_->panel("causal_tracing");
        p->form()->setValues({{"samples", 1}});
        click_tab(p);
        QVERIFY(QTest::qWaitFor([&] { return w_->explanations().contains("causal_tracing"); }, 120000));
        QCOMPARE(p->layerPositions().size(), 1);
        QVERIFY(p->layerPositions()[0]->layerCount() > 0);
        QVERIFY(p->layerCurves());
        QVERIFY(w_->canvas()->hasMap());
    }

    void arrays_export_as_npy() {
        const QString dir = tmp_.path() + "/arrays";
        QString error;
        QVERIFY2(w_->exportArrays(dir, &error), qPrintable(error));
        const NpyArray map = read_npy((dir + "/causal_tracing_t0_map.npy").toStdString());
        const Explanation& e = w_->explanations()["causal_tracing"];
        QCOMPARE(map.shape, (std::vector<std::int64_t>{e.grid_h, e.grid_w}));
        const auto values = map.as_doubles();
        for (std::size_t i = 0; i < values.size(); ++i)
            QCOMPARE(static_cast<float>(values[i]), e.image_map[i]);
        QVERIFY(QFile::exists(dir + "/causal_tracing_t0_effects_resid.npy"));
        QVERIFY(QFile::exists(dir + "/logit_lens_t0_layer_curves.npy"));
    }

    void knockout_brushed_patches_change_the_answer() {
        ui::KnockoutPanel* k = w_->knockoutPanel();
        click_tab(qobject_cast<QWidget*>(k->parentWidget()->parentWidget()));
        QPushButton* run = k->runButton();
        // Nothing brushed yet: a clear message, no job.
        QTest::mouseClick(run, Qt::LeftButton);
        QVERIFY(k->resultLabel()->text().contains("Nothing to knock out"));
        // On this tab a click on a prompt token adds its position; a second click removes it.
        ui::TokenStrip* prompt = w_->promptStrip();
        QVERIFY(prompt->isInteractive());
        std::int64_t third = -1;  // the sequence position of the strip's third token
        for (std::int64_t i = 0, seen = 0; i < w_->trace()->answer_begin && third < 0; ++i)
            if (w_->trace()->tokens[static_cast<std::size_t>(i)].role != TokenRole::Image && seen++ == 2)
                third = i;
        QTest::mouseClick(prompt, Qt::LeftButton, {}, prompt->tokenRect(2).center());
        QCOMPARE(k->positionsEdit()->text(), QString::number(third));
        QTest::mouseClick(prompt, Qt::LeftButton, {}, prompt->tokenRect(2).center());
        QVERIFY(k->positionsEdit()->text().isEmpty());
        // Brush the whole image: drag from the first patch to the last.
        ui::ImageCanvas* c = w_->canvas();
        const int rows = w_->trace()->grid_h, cols = w_->trace()->grid_w;
        const QPoint from = c->patchRect(0, 0).center().toPoint(),
                     to = c->patchRect(rows - 1, cols - 1).center().toPoint();
        QTest::mousePress(c, Qt::LeftButton, {}, from);
        for (int i = 1; i <= 6; ++i) QTest::mouseMove(c, from + (to - from) * i / 6);
        QTest::mouseRelease(c, Qt::LeftButton, {}, to);
        QCOMPARE(k->patches().size(), rows * cols);
        k->opBox()->setCurrentIndex(k->opBox()->findData("mean"));
        QSignalSpy ready(w_->host(), &ui::WorkerHost::knockoutReady);
        QTest::mouseClick(run, Qt::LeftButton);
        QVERIFY(ready.wait(120000) || ready.count() > 0);
        QVERIFY(k->result());
        const KnockoutResult& r = *k->result();
        QCOMPARE(r.spec.positions.size(), static_cast<std::size_t>(w_->trace()->image_count));
        QCOMPARE(r.answer_before, w_->trace()->answer_text);
        QVERIFY2(r.answer_changed(), ("the answer stayed '" + r.answer_after + "'").c_str());
        QVERIFY(r.p_after < r.p_before);
        QVERIFY(k->resultLabel()->text().contains("(changed)"));
        // Blocking attention from the answer in every layer, with the per-layer curve.
        k->opBox()->setCurrentIndex(k->opBox()->findData("block"));
        ready.clear();
        QTest::mouseClick(run, Qt::LeftButton);
        QVERIFY(ready.wait(120000) || ready.count() > 0);
        QVERIFY(k->result()->per_layer);
        QVERIFY(k->curve()->isVisibleTo(k));
        QCOMPARE(k->curve()->curveCount(), 2);
        if (qEnvironmentVariableIsSet("SIGHTLINE_SCREENSHOT_DIR"))  // for looking at the tab (docs)
            QVERIFY(w_->grab().save(qEnvironmentVariable("SIGHTLINE_SCREENSHOT_DIR") + "/knockout-tab.png"));
    }

    void knockout_is_saved_and_reported() {
        const QString path = tmp_.path() + "/k.sightline.json";
        QString error;
        QVERIFY2(w_->saveSession(path, &error), qPrintable(error));
        const KnockoutResult saved = *w_->knockoutPanel()->result();
        w_->knockoutPanel()->clearResult();
        QVERIFY2(w_->openSession(path, &error), qPrintable(error));
        QVERIFY(test::wait_idle(*w_, 120000));
        QVERIFY(w_->knockoutPanel()->result());
        QCOMPARE(w_->knockoutPanel()->result()->p_after, saved.p_after);
        QCOMPARE(w_->knockoutPanel()->result()->spec.positions, saved.spec.positions);
        const QString pdf = tmp_.path() + "/r.pdf";
        QVERIFY2(w_->exportReport(pdf, &error), qPrintable(error));
        QVERIFY(QFileInfo(pdf).size() > 1000);
    }

    void ground_truth_for_a_users_image() {
        // A scene saved as an ordinary PNG with one mask per object, opened as a user's image would be.
        const toy::Sample s = toy::make_sample(1000200001, toy::TaskType::Shape);
        const QString dir = tmp_.path() + "/user";
        QDir().mkpath(dir + "/masks");
        save_image_rgb((dir + "/photo.png").toStdString(), s.scene.image);
        for (const auto& o : s.scene.objects) {
            cv::Mat rgb;
            cv::cvtColor(o.mask, rgb, cv::COLOR_GRAY2RGB);
            save_image_rgb(
                (dir + "/masks/" +
                 QString::fromStdString(toy::to_string(o.color) + "_" + toy::to_string(o.shape)) + ".png")
                    .toStdString(),
                rgb);
        }
        QString error;
        QVERIFY2(w_->openGroundTruth(dir + "/masks", &error),
                 qPrintable(error));  // the demo image is 96 x 96 too
        QVERIFY(w_->hasGroundTruth());
        QVERIFY2(w_->openImageFile(dir + "/photo.png", &error), qPrintable(error));
        QVERIFY(!w_->hasGroundTruth());  // a new image drops the old ground truth
        QVERIFY(test::ask(*w_, QString::fromStdString(s.question)));
        QVERIFY(test::click_token(*w_, 0));
        QVERIFY2(w_->openGroundTruth(dir + "/masks", &error), qPrintable(error));
        const QString active = w_->activeMethod();
        QVERIFY(w_->explanations().contains(active));
        const Explanation& e = w_->explanations()[active];
        QVERIFY(e.ground_truth);
        QVERIFY2(e.ground_truth->applicable, e.ground_truth->reason.c_str());
        QVERIFY(w_->panel(active)->statusLabel()->text().contains("Ground truth:"));
        // A mask of the wrong size is refused with the file named.
        cv::Mat small(10, 10, CV_8UC3, cv::Scalar(255, 255, 255));
        QDir().mkpath(dir + "/bad");
        save_image_rgb((dir + "/bad/ball.png").toStdString(), small);
        QVERIFY(!w_->openGroundTruth(dir + "/bad", &error));
        QVERIFY(error.contains("ball.png"));
    }
};

QTEST_MAIN(TestInstrumentsWindow)
#include "test_instruments_window.moc"
