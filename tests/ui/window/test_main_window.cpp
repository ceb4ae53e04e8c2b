// The main window driven through its real widgets, offscreen: ask a question, click an answer token and
// check the overlay shows exactly the map the core explainer returns for that token; switch methods and
// layers; select patches; cancel and recover; keep the event loop responsive; drop superseded results; score
// a demo scene's maps against its ground-truth masks; measure scene-world accuracy in the Tools dialog and
// open a wrong answer from it.
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <QTimer>

#include "core/eval/ground_truth.h"
#include "core/explain/explanation_service.h"
#include "core/explain/trace_context.h"
#include "core/model/loaded_model.h"
#include "core/toy/answer_match.h"
#include "core/toy/sample.h"
#include "core/toy/seeds.h"
#include "core/toy/task.h"
#include "core/train/toy_eval.h"
#include "tests/ui/window/window_fixture.h"
#include "ui/widgets/image_canvas.h"
#include "ui/widgets/token_strip.h"
#include "ui/window/compare_panel.h"
#include "ui/window/demo_gallery.h"
#include "ui/window/method_panel.h"
#include "ui/window/open_model_dialog.h"
#include "ui/window/param_form.h"
#include "ui/window/prompt_bar.h"
#include "ui/window/scene_eval_dialog.h"

using namespace sightline;

class TestMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString model_dir_;
    std::unique_ptr<LoadedModel> core_model_;
    std::unique_ptr<ui::MainWindow> w_;

    // The map the core computes for the window's current trace and token.
    Explanation core_explanation(const QString& method) {
        TraceContext ctx(*core_model_, w_->trace());
        ExplanationService service;
        const auto params = w_->panel(method)->params();
        return service.explain(ctx, method.toStdString(), w_->currentTarget(), params);
    }
    void click_tab(const QString& method) {
        QTabBar* bar = w_->tabs()->tabBar();
        const int index = w_->tabs()->indexOf(w_->panel(method));
        QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(index).center());
        QCOMPARE(w_->activeMethod(), method);
        QVERIFY(test::wait_idle(*w_));  // a tab computes its method when shown
    }

  private Q_SLOTS:
    void initTestCase() {
        model_dir_ = test::gui_test_model(tmp_);
        core_model_ = load_model(model_dir_.toStdString());
        w_ = test::open_window(model_dir_);
        QVERIFY2(w_, "the window did not load the model");
        QVERIFY(w_->canvas()->hasImage());  // a demo scene is in place on first launch
        QVERIFY(!w_->promptBar()->question().isEmpty());
    }

    void ask_click_and_match_the_core() {
        QVERIFY(test::ask(*w_, "what color is the star?"));
        QVERIFY(w_->trace());
        QVERIFY(w_->answerStrip()->count() > 0);
        QCOMPARE(w_->answerStrip()->count(), static_cast<int>(w_->trace()->answer_size()));
        click_tab("relevancy");
        QSignalSpy explained(w_->host(), &ui::WorkerHost::explained);
        QVERIFY(test::click_token(*w_, 0));
        QCOMPARE(w_->currentTarget(), 0);
        // A click computes the visible tab's method only.
        QCOMPARE(explained.count(), 1);
        QCOMPARE(w_->explanations().keys(), QList<QString>{"relevancy"});
        const Explanation core = core_explanation("relevancy");
        const QVector<float> shown = w_->canvas()->mapValues();
        QCOMPARE(shown.size(), static_cast<int>(core.image_map.size()));
        for (int i = 0; i < shown.size(); ++i)
            QVERIFY2(std::abs(shown[i] - core.image_map[static_cast<std::size_t>(i)]) < 1e-5f,
                     qPrintable(QString::number(i)));
        // Showing another tab computes its method, once; the Compare tab computes the rest.
        click_tab("tam");
        QVERIFY(test::wait_idle(*w_));
        QCOMPARE(explained.count(), 2);
        QVERIFY(w_->explanations().contains("tam"));
        click_tab("relevancy");
        QVERIFY(test::wait_idle(*w_));
        QCOMPARE(explained.count(), 2);  // already computed: nothing new
        for (int t = 0; t < w_->tabs()->count(); ++t)
            if (w_->tabs()->tabText(t) == "Compare") w_->tabs()->setCurrentIndex(t);
        QVERIFY(test::wait_idle(*w_));
        // Every compared method is computed; the on-demand instruments are not.
        int compared = 0;
        for (const auto& e : w_->modelInfo().explainers) {
            QCOMPARE(w_->explanations().contains(e.name), !e.on_demand);
            compared += e.on_demand ? 0 : 1;
        }
        QVERIFY(compared >= 4);
        // One computation per method in all: none ran twice.
        QCOMPARE(explained.count(), compared);
        QVERIFY(w_->comparePanel()->mapCount() >= 3);
        click_tab("relevancy");
    }

    void open_model_dialog_shows_the_plan() {
        ui::OpenModelDialog ok(model_dir_, "auto");
        QVERIFY(ok.loadable());
        QVERIFY2(ok.planLabel()->text().contains("parameters"), qPrintable(ok.planLabel()->text()));
        QVERIFY(ok.planLabel()->text().contains("choice:"));
        QCOMPARE(ok.dtype(), QString("auto"));
        QCOMPARE(ok.dtypeBox()->count(), 4);
        ok.dtypeBox()->setCurrentIndex(2);
        QCOMPARE(ok.dtype(), QString("bf16"));
        ok.dtypeBox()->setCurrentIndex(3);
        QCOMPARE(ok.dtype(), QString("int8"));
        QVERIFY(ok.dtypeBox()->currentText().startsWith("int8 weights"));
        QVERIFY(ok.loadButton()->isEnabled());
        QTemporaryDir empty;
        ui::OpenModelDialog bad(empty.path(), "auto");
        QVERIFY(!bad.loadable());
        QVERIFY(!bad.loadButton()->isEnabled());
        QVERIFY2(bad.planLabel()->text().contains("cannot be loaded"), qPrintable(bad.planLabel()->text()));
    }

    void visual_relevance_runs_only_when_shown() {
        QSignalSpy llr(w_->host(), &ui::WorkerHost::visualRelevanceReady);
        w_->answerColouring()->setCurrentIndex(0);
        QVERIFY(test::ask(*w_, "what color is the star?"));
        QVERIFY(test::wait_idle(*w_));
        QCOMPARE(llr.count(), 0);  // no LLR passes after a generation while the strip shows probabilities
        w_->answerColouring()->setCurrentIndex(1);
        QVERIFY(QTest::qWaitFor([&] { return llr.count() == 1; }, 30000));
        QVERIFY(test::wait_idle(*w_));
        const QVector<float> scores = w_->answerStrip()->scores();
        QCOMPARE(scores.size(), w_->answerStrip()->count());
        QVERIFY(std::none_of(scores.begin(), scores.end(), [](float v) { return std::isnan(v); }));
        w_->answerColouring()->setCurrentIndex(0);
        w_->answerColouring()->setCurrentIndex(1);  // shown again for the same answer: not recomputed
        QTest::qWait(200);
        QCOMPARE(llr.count(), 1);
        w_->answerColouring()->setCurrentIndex(0);
    }

    void progress_is_reported_while_generating() {
        QSignalSpy stages(w_->host(), &ui::WorkerHost::stageProgress);
        QVERIFY(test::ask(*w_, "what color is the star?"));
        QStringList texts;
        for (const auto& args : stages) texts << args.at(1).toString();
        QVERIFY2(
            std::any_of(texts.begin(), texts.end(), [](const QString& t) { return t.startsWith("prefill"); }),
            qPrintable(texts.join(" | ")));
        QVERIFY(
            std::any_of(texts.begin(), texts.end(), [](const QString& t) { return t.startsWith("decode"); }));
        if (w_->modelInfo().multimodal)
            QVERIFY(std::any_of(texts.begin(), texts.end(),
                                [](const QString& t) { return t.startsWith("vision encoding"); }));
    }

    void switch_method_and_layer() {
        click_tab("tam");
        const Explanation tam = core_explanation("tam");
        QCOMPARE(w_->canvas()->mapValues(), QVector<float>(tam.image_map.begin(), tam.image_map.end()));
        click_tab("attention");
        auto* layers = qobject_cast<QLineEdit*>(w_->panel("attention")->form()->control("layers"));
        QVERIFY(layers);
        layers->clear();
        QTest::keyClicks(layers, "1");
        QTest::keyClick(layers, Qt::Key_Return);
        QVERIFY(QTest::qWaitFor(
            [&] {
                return w_->explanations().contains("attention") &&
                       w_->explanations()["attention"].params["layers"] == nlohmann::json::array({1});
            },
            30000));
        const Explanation att = core_explanation("attention");
        QCOMPARE(w_->canvas()->mapValues(), QVector<float>(att.image_map.begin(), att.image_map.end()));
    }

    void selecting_patches_scores_answer_tokens() {
        ui::ImageCanvas* c = w_->canvas();
        const QRect cell = c->patchRect(1, 2).toRect();
        QTest::mouseClick(c, Qt::LeftButton, {}, cell.center());
        QCOMPARE(c->selectedPatches(), QVector<QPoint>{QPoint(2, 1)});
        QVERIFY(QTest::qWaitFor([&] { return w_->answerColouring()->currentIndex() == 2; }, 30000));
        QCOMPARE(w_->answerStrip()->scores().size(), w_->answerStrip()->count());
    }

    void cancel_generation_and_recover() {
        int streamed = 0;
        auto conn = connect(w_->host(), &ui::WorkerHost::tokenStreamed, this, [&] {
            if (++streamed == 1) QTest::mouseClick(w_->promptBar()->cancelButton(), Qt::LeftButton);
        });
        w_->promptBar()->setSettings([] {
            GenerationSettings s;
            s.max_new_tokens = 60;
            return s;
        }());
        w_->setQuestion("describe the image.");
        QTest::mouseClick(w_->promptBar()->generateButton(), Qt::LeftButton);
        // The cancel click can race with a short generation that already finished; in that case the
        // window goes on to explain the answer. Either way it must come back to idle with the
        // Generate button enabled.
        QVERIFY(QTest::qWaitFor(
            [&] { return w_->promptBar()->generateButton()->isEnabled() && w_->isIdle(); }, 60000));
        disconnect(conn);
        QVERIFY(streamed >= 1);
        // The window recovers: the next question works end to end.
        QVERIFY(test::ask(*w_, "how many objects are there?"));
        QVERIFY(w_->trace() && w_->trace()->answer_size() > 0);
    }

    void event_loop_stays_responsive() {
        // A 10 ms timer keeps firing while the worker generates and explains.
        QElapsedTimer clock;
        qint64 last = 0, worst = 0;
        QTimer tick;
        clock.start();
        connect(&tick, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            worst = std::max(worst, now - last);
            last = now;
        });
        tick.start(10);
        QVERIFY(test::ask(*w_, "describe the image."));
        QVERIFY(test::click_token(*w_, std::min(3, w_->answerStrip()->count() - 1)));
        tick.stop();
        qInfo("longest gap between 10 ms timer ticks during generation + explanations: %lld ms", worst);
        QVERIFY2(worst < 250, qPrintable(QString("event loop stalled for %1 ms").arg(worst)));
    }

    void superseded_results_are_dropped() {
        QVERIFY(test::ask(*w_, "what color is the star?"));
        QSignalSpy explained(w_->host()->worker(), &ui::ModelWorker::explained);
        QSignalSpy cancelled(w_->host()->worker(), &ui::ModelWorker::cancelled);
        QSignalSpy host_explained(w_->host(), &ui::WorkerHost::explained);
        ui::ExplainJob first;
        first.method = "tam";
        first.target = 0;
        first.params = {{"filter", false}};
        ui::ExplainJob second = first;
        second.params = {{"filter", true}};
        w_->selectTarget(0);
        QVERIFY(test::wait_idle(*w_));
        const quint64 a = w_->host()->explain(first);
        const quint64 b = w_->host()->explain(second);
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const auto& args : explained)
                    if (args.at(0).toULongLong() == b) return true;
                return false;
            },
            30000));
        bool first_answered = false;
        for (const auto& args : explained) first_answered = first_answered || args.at(0).toULongLong() == a;
        for (const auto& args : cancelled) first_answered = first_answered || args.at(0).toULongLong() == a;
        QVERIFY(first_answered);  // the worker either skipped it (cancelled) or finished it...
        // ...the host passed on the newer one only...
        int tam_answers = 0;
        QVERIFY(QTest::qWaitFor(
            [&] {
                tam_answers = 0;
                for (const auto& args : host_explained) {
                    const auto e = args.at(0).value<Explanation>();
                    if (e.method != "tam") continue;
                    ++tam_answers;
                    if (!e.params.value("filter", false)) return false;  // the superseded one got through
                }
                return tam_answers >= 1;
            },
            5000));
        QCOMPARE(tam_answers, 1);
        QVERIFY(test::wait_idle(*w_));
        // ...but the window shows only the newer request's result.
        QCOMPARE(w_->explanations()["tam"].params["filter"].get<bool>(), true);
    }

    void first_demo_does_not_cry_wolf() {
        // Issue 21: the first demo a new user sees ("what color is the cross?" -> the right colour, every
        // map on the cross) must not be flagged "defer to a human expert" by the calibrated rule.
        w_->showDemoScene(0);
        const auto demo = ui::demo_scenes().front();
        QVERIFY(test::ask(*w_, demo.question));
        if (!toy::answers_match(w_->trace()->answer_text, demo.expected_answer.toStdString()))
            QSKIP("the model here (not the trained embedded one) answers the demo wrong");
        QVERIFY(test::click_token(*w_, w_->defaultTarget()));
        w_->computeAllMethods();
        QVERIFY(test::wait_idle(*w_));
        ui::ComparePanel* c = w_->comparePanel();
        QVERIFY(c->mapCount() >= 3);
        qInfo("%s", qPrintable(c->summary()));
        QVERIFY2(!c->deferToHuman(), qPrintable(c->summary()));
    }

    void demo_scene_maps_are_scored_against_ground_truth() {
        // Demo scene 0 asked its own question: every map of the answer carries the ground-truth readout,
        // the same one the core computes, and the panel shows it.
        w_->showDemoScene(0);
        const auto demo = ui::demo_scenes().front();
        QVERIFY(test::ask(*w_, demo.question));
        QVERIFY(test::click_token(*w_, 0));
        click_tab("relevancy");
        QVERIFY(w_->explanations().contains("relevancy"));
        const Explanation& shown = w_->explanations()["relevancy"];
        QVERIFY(shown.ground_truth);
        const auto task = toy::parse_task(demo.task.toStdString());
        QVERIFY(task);
        const auto expected =
            ground_truth_readout(*core_model_, *w_->trace(), toy::make_sample(demo.seed, *task), 0,
                                 metrics::GridMap{shown.grid_h, shown.grid_w, shown.image_map});
        QCOMPARE(QString::fromStdString(to_json(*shown.ground_truth).dump()),
                 QString::fromStdString(to_json(expected).dump()));
        const QString status = w_->panel("relevancy")->statusLabel()->text();
        QVERIFY2(status.contains("Ground truth: "), qPrintable(status));
        QVERIFY2(status.contains(QString::fromStdString(ground_truth_summary(expected)).toHtmlEscaped()),
                 qPrintable(status));
        if (toy::answers_match(w_->trace()->answer_text, demo.expected_answer.toStdString()))
            QVERIFY(expected.applicable);  // token 0 of a colour answer is the colour word

        // Another question about the same image: no ground truth (the scene's answer does not apply).
        QVERIFY(test::ask(*w_, "how many objects are there?"));
        QVERIFY(test::click_token(*w_, 0));
        QVERIFY(!w_->explanations()["relevancy"].ground_truth.has_value());
        QVERIFY(!w_->panel("relevancy")->statusLabel()->text().contains("Ground truth"));
        // Another image with the demo's question: none either.
        QImage other(96, 96, QImage::Format_RGB888);
        other.fill(Qt::darkGray);
        w_->setImage(other, "plain");
        QVERIFY(test::ask(*w_, demo.question));
        QVERIFY(test::click_token(*w_, 0));
        QVERIFY(!w_->explanations()["relevancy"].ground_truth.has_value());
    }

    void scene_accuracy_dialog_matches_the_core_and_opens_wrong_answers() {
        w_->showSceneEval();
        ui::SceneEvalDialog* d = w_->sceneEval();
        QVERIFY(d != nullptr && d->isVisible());
        // 14 questions, two of each type; with the committed model they include a wrong relation answer
        // (seed +40), so the wrong-answer path below runs; with another model the test still checks the rest.
        const quint64 first = toy::kHeldOutSeedBase + 35;
        d->setQuestionCount(14);
        d->setFirstSeed(first);
        QSignalSpy done(d, &ui::SceneEvalDialog::evaluated);
        QTest::mouseClick(d->runButton(), Qt::LeftButton);
        QVERIFY(d->running());
        QVERIFY(done.wait(60000));
        QVERIFY(!d->running());
        QVERIFY(w_->isIdle());

        train::ToyEvalOptions o;
        o.n = 14;
        o.first_seed = first;
        o.max_failures = 14;
        const train::ToyEvalResult core = train::evaluate_toy(*core_model_, o);
        QCOMPARE(d->table()->rowCount(), 7);
        for (int row = 0; row < 7; ++row) {
            const std::string task = d->table()->item(row, 0)->text().toStdString();
            QVERIFY2(core.by_task.count(task) == 1, task.c_str());
            QCOMPARE(d->table()->item(row, 1)->text().toInt(), core.by_task.at(task).first);
            QCOMPARE(d->table()->item(row, 2)->text().toInt(), core.by_task.at(task).second);
        }
        QVERIFY2(d->summary()->text().contains(QString("%1 of 14 right").arg(core.correct)),
                 qPrintable(d->summary()->text()));
        if (core.failures.empty()) {
            QCOMPARE(d->failures()->count(), 1);  // "(none)"
            QCOMPARE(d->failureScene(0).seed, quint64{0});
            return;
        }
        QCOMPARE(d->failures()->count(), static_cast<int>(core.failures.size()));

        // Double-clicking the first wrong answer puts its scene and question in the explorer; asking it
        // again gives the same wrong answer, and its maps carry the ground-truth readout.
        QListWidget* list = d->failures();
        const QPoint at = list->visualItemRect(list->item(0)).center();
        QSignalSpy double_clicked(list, &QListWidget::itemDoubleClicked);
        // A real double-click is press, release, press, double-click, release; QTest::mouseDClick alone
        // sends only the second half, which an item view ignores without the first press.
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(list->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(double_clicked.count(), 1);
        const train::ToyEvalFailure& wrong = core.failures.front();
        QCOMPARE(w_->promptBar()->question().toStdString(), wrong.question);
        QVERIFY2(w_->windowTitle().contains(QString::number(wrong.seed)), qPrintable(w_->windowTitle()));
        QVERIFY(test::ask(*w_, w_->promptBar()->question()));
        QVERIFY2(toy::answers_match(w_->trace()->answer_text, wrong.predicted),
                 w_->trace()->answer_text.c_str());
        QVERIFY(test::click_token(*w_, 0));
        click_tab("relevancy");
        QVERIFY(w_->explanations()["relevancy"].ground_truth.has_value());
        d->close();
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
