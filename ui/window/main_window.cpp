#include "ui/window/main_window.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "plugins/loader/plugin_loader.h"
#include "ui/widgets/image_canvas.h"
#include "ui/widgets/token_strip.h"
#include "ui/window/batch_results_dialog.h"
#include "ui/window/compare_panel.h"
#include "ui/window/demo_gallery.h"
#include "ui/window/knockout_panel.h"
#include "ui/window/method_panel.h"
#include "ui/window/open_model_dialog.h"
#include "ui/window/overlay_controls.h"
#include "ui/window/param_form.h"
#include "ui/window/pending_session.h"
#include "ui/window/prompt_bar.h"
#include "ui/window/scene_eval_dialog.h"

namespace sightline::ui {

MainWindow::MainWindow(const Options& options, QWidget* parent)
    : QMainWindow(parent), options_(options), host_(new WorkerHost(this)) {
    setWindowTitle("Sightline");
    resize(1400, 900);
    build_ui();
    build_menus();
    init_records();
    load_plugins(options.plugin_dirs);
    connect_worker();
    host_->start();
    if (!options.model_dir.isEmpty()) loadModel(options.model_dir);
}

MainWindow::~MainWindow() {
    stop_model_identity();
}

void MainWindow::build_ui() {
    prompt_bar_ = new PromptBar;
    answer_ = new TokenStrip;
    answer_->setObjectName("answerStrip");
    answer_->setPlaceholderText("The answer appears here. Click any token to see where the model looked.");
    answer_colour_ = new QComboBox;
    answer_colour_->setObjectName("answerColouring");
    answer_colour_->addItems({"probability", "visual relevance (LLR)", "image → answer (selected patches)"});
    answer_colour_->setToolTip("How answer tokens are coloured");
    auto* answer_box = new QGroupBox("Answer");
    auto* ab = new QVBoxLayout(answer_box);
    auto* colour_row = new QHBoxLayout;
    colour_row->addWidget(answer_, 1);
    auto* colour_col = new QVBoxLayout;
    colour_col->addWidget(new QLabel("colour by"));
    colour_col->addWidget(answer_colour_);
    colour_col->addStretch(1);
    colour_row->addLayout(colour_col);
    ab->addLayout(colour_row);

    banner_ = new QLabel;
    banner_->setObjectName("banner");
    banner_->setWordWrap(true);
    banner_->setStyleSheet("background:#fdecea; color:#8a1c12; padding:6px; border-radius:4px;");
    banner_->hide();

    canvas_ = new ImageCanvas;
    canvas_->setObjectName("canvas");
    overlay_ = new OverlayControls(canvas_);
    prompt_tokens_ = new TokenStrip;
    prompt_tokens_->setObjectName("promptStrip");
    prompt_tokens_->setInteractive(false);
    prompt_tokens_->setPlaceholderText("Prompt tokens, coloured by the selected method's text scores.");
    auto* prompt_box = new QGroupBox("Prompt tokens (text relevance of the selected method)");
    auto* pb = new QVBoxLayout(prompt_box);
    pb->addWidget(prompt_tokens_);
    auto* left = new QWidget;
    auto* lv = new QVBoxLayout(left);
    lv->setContentsMargins(0, 0, 0, 0);
    lv->addWidget(canvas_, 1);
    lv->addWidget(overlay_);
    lv->addWidget(prompt_box);

    tabs_ = new QTabWidget;
    tabs_->setObjectName("methodTabs");
    compare_ = new ComparePanel;
    auto* compare_scroll = new QScrollArea;
    compare_scroll->setWidget(compare_);
    compare_scroll->setWidgetResizable(true);
    tabs_->addTab(compare_scroll, "Compare");
    compare_tab_ = compare_scroll;
    knockout_ = new KnockoutPanel;
    auto* knockout_scroll = new QScrollArea;
    knockout_scroll->setWidget(knockout_);
    knockout_scroll->setWidgetResizable(true);
    tabs_->addTab(knockout_scroll, "Knockout");

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(tabs_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({840, 560});  // room for every method tab side by side at the default window size

    auto* central = new QWidget;
    auto* cv = new QVBoxLayout(central);
    cv->addWidget(banner_);
    cv->addWidget(prompt_bar_);
    cv->addWidget(answer_box);
    cv->addWidget(split, 1);
    setCentralWidget(central);

    notes_ = new QPlainTextEdit;
    notes_->setObjectName("notes");
    notes_->setPlaceholderText("Reviewer notes: saved with the session and printed in the review report.");
    auto* dock = new QDockWidget("Review notes", this);
    dock->setObjectName("notesDock");
    dock->setWidget(notes_);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    resizeDocks({dock}, {90}, Qt::Vertical);

    status_model_ = new QLabel("no model");
    status_timing_ = new QLabel;
    statusBar()->addWidget(status_model_, 1);
    statusBar()->addPermanentWidget(status_timing_);

    connect(prompt_bar_, &PromptBar::generateRequested, this, &MainWindow::startGeneration);
    connect(prompt_bar_, &PromptBar::cancelRequested, this, &MainWindow::cancelAll);
    connect(answer_, &TokenStrip::tokenClicked, this, &MainWindow::selectTarget);
    connect(answer_colour_, &QComboBox::currentIndexChanged, this, [this] {
        update_answer_colours();
        request_visual_relevance_if_shown();  // the LLR strip is computed when it is first shown
    });
    connect(tabs_, &QTabWidget::currentChanged, this, [this] {
        show_active_map();
        request_visible_explanations();  // a tab computes its method when it is shown
    });
    connect(overlay_, &OverlayControls::viewChanged, this, [this] { show_active_map(); });
    connect(canvas_, &ImageCanvas::imageFileDropped, this,
            [this](const QString& path) { openImageFile(path); });
    connect(canvas_, &ImageCanvas::patchesSelected, this, [this](const QVector<QPoint>& patches) {
        if (!trace_ || !trace_->has_image() || patches.isEmpty()) return;
        const MethodPanel* attention = panels_.value("attention");
        host_->imageToAnswer(patches, attention ? attention->params() : nlohmann::json::object());
        knockout_->setPatches(patches);
    });
    connect(knockout_, &KnockoutPanel::clearPatchesRequested, canvas_, &ImageCanvas::clearSelection);
    connect(knockout_, &KnockoutPanel::runRequested, this, &MainWindow::runKnockout);
    // On the Knockout tab the prompt tokens become clickable: a click adds or removes that token.
    connect(tabs_, &QTabWidget::currentChanged, this, [this, knockout_scroll] {
        prompt_tokens_->setInteractive(tabs_->currentWidget() == knockout_scroll);
    });
    connect(prompt_tokens_, &TokenStrip::tokenClicked, this, [this](int index) {
        if (!trace_) return;
        int k = 0;  // the strip shows the prompt's non-image tokens in order
        for (std::int64_t i = 0; i < trace_->answer_begin; ++i)
            if (trace_->tokens[static_cast<std::size_t>(i)].role != TokenRole::Image && k++ == index) {
                knockout_->togglePosition(i);
                return;
            }
    });
    connect(canvas_, &ImageCanvas::patchHovered, this, [this](int row, int col, float value) {
        if (row < 0) return;
        QString text = value == value ? QString("patch (%1, %2): %3").arg(row).arg(col).arg(value, 0, 'f', 3)
                                      : QString("patch (%1, %2)").arg(row).arg(col);
        // A readout that ranks words per cell (the logit lens): the cell's top words.
        const auto it = explanations_.constFind(activeMethod());
        if (it != explanations_.constEnd() && it->cell_words && it->grid_w > 0) {
            const auto cell = static_cast<std::size_t>(row) * static_cast<std::size_t>(it->grid_w) +
                              static_cast<std::size_t>(col);
            if (cell < it->cell_words->words.size() && !it->cell_words->words[cell].empty()) {
                QStringList words;
                for (std::size_t k = 0; k < it->cell_words->words[cell].size(); ++k)
                    words << QString("'%1' %2")
                                 .arg(QString::fromStdString(it->cell_words->words[cell][k]))
                                 .arg(it->cell_words->scores[cell][k], 0, 'f', 2);
                text += " — reads as " + words.join(", ");
            }
        }
        statusBar()->showMessage(text, 5000);
    });
}

void MainWindow::build_menus() {
    QMenu* file = menuBar()->addMenu("&File");
    file->addAction("Open &image…", QKeySequence::Open, this, [this] {
        const QString p = QFileDialog::getOpenFileName(
            this, "Open image", {}, "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp)");
        if (!p.isEmpty()) openImageFile(p);
    });
    recent_menu_ = file->addMenu("Open &recent");
    recent_menu_->setObjectName("recentMenu");
    connect(recent_menu_, &QMenu::aboutToShow, this, &MainWindow::fill_recent_menu);
    file->addAction("&Paste image", QKeySequence::Paste, this, [this] {
        const QImage img = QApplication::clipboard()->image();
        if (img.isNull())
            show_error("The clipboard holds no image.");
        else
            setImage(img, "pasted image");
    });
    file->addAction("&Demo scenes…", QKeySequence(Qt::CTRL | Qt::Key_D), this, [this] {
        DemoGallery g(this);
        if (g.exec() == QDialog::Accepted) showScene(g.selected());
    });
    file->addAction("Open &model folder…", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, "Open a Hugging Face model folder");
        if (d.isEmpty()) return;
        OpenModelDialog dialog(d, options_.dtype, this);
        if (dialog.exec() != QDialog::Accepted) return;
        options_.dtype = dialog.dtype();  // remembered for this run and, with settings, the next
        if (settings_) settings_->setValue("model/dtype", options_.dtype);
        loadModel(d, dialog.dtype());
    });
    file->addSeparator();
    file->addAction("Open &session…", this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, "Open session", {},
                                                       "Sightline sessions (*.sightline.json *.json)");
        QString err;
        if (!p.isEmpty() && !openSession(p, &err)) show_error(err);
    });
    file->addAction("&Save session…", QKeySequence::Save, this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, "Save session", "review.sightline.json",
                                                       "Sightline sessions (*.sightline.json)");
        QString err;
        if (!p.isEmpty() && !saveSession(p, &err)) show_error(err);
    });
    file->addSeparator();
    QMenu* exp = file->addMenu("&Export");
    exp->addAction("Overlay (PNG)…", this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, "Export overlay", "overlay.png", "PNG (*.png)");
        QString err;
        if (!p.isEmpty() && !exportOverlay(p, false, &err)) show_error(err);
    });
    exp->addAction("Raw map (PNG)…", this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, "Export raw map", "map.png", "PNG (*.png)");
        QString err;
        if (!p.isEmpty() && !exportOverlay(p, true, &err)) show_error(err);
    });
    exp->addAction("Plots (PNG + PDF)…", this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, "Folder for the plots");
        QString err;
        if (!d.isEmpty() && !exportPlots(d, &err)) show_error(err);
    });
    exp->addAction("Scores (CSV)…", this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, "Export scores", "scores.csv", "CSV (*.csv)");
        QString err;
        if (!p.isEmpty() && !exportScores(p, &err)) show_error(err);
    });
    exp->addAction("Scores (JSON)…", this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, "Export scores", "scores.json", "JSON (*.json)");
        QString err;
        if (!p.isEmpty() && !exportScores(p, &err)) show_error(err);
    });
    exp->addAction("Arrays (NumPy .npy)…", this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, "Export arrays to folder");
        QString err;
        if (!d.isEmpty() && !exportArrays(d, &err)) show_error(err);
    });
    file->addAction("Open &ground truth (COCO JSON)…", this, [this] {
        const QString p =
            QFileDialog::getOpenFileName(this, "Ground truth for this image", {}, "COCO-style JSON (*.json)");
        if (!p.isEmpty()) openGroundTruth(p);
    });
    file->addAction("Open ground-truth &masks folder…", this, [this] {
        const QString d =
            QFileDialog::getExistingDirectory(this, "Folder of PNG masks, one per object (label.png)");
        if (!d.isEmpty()) openGroundTruth(d);
    });
    file->addAction("Review &report (PDF)…", QKeySequence::Print, this, [this] {
        if (reviewer_.isEmpty()) {  // asked once; kept in the settings
            bool ok = false;
            const QString name = QInputDialog::getText(
                this, "Reviewer",
                "Your name, printed in review reports and saved in sessions:", QLineEdit::Normal, {}, &ok);
            if (ok) setReviewerName(name);
        }
        const QString p = QFileDialog::getSaveFileName(this, "Review report", "review.pdf", "PDF (*.pdf)");
        QString err;
        if (!p.isEmpty() && !exportReport(p, &err)) show_error(err);
    });
    file->addSeparator();
    file->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu("&View");
    view->addAction("Fit image", QKeySequence(Qt::Key_0), canvas_, &ImageCanvas::fitToWindow);
    view->addAction("Zoom in", QKeySequence::ZoomIn, canvas_, &ImageCanvas::zoomIn);
    view->addAction("Zoom out", QKeySequence::ZoomOut, canvas_, &ImageCanvas::zoomOut);

    QMenu* explain = menuBar()->addMenu("&Explain");
    explain->addAction("Compute &all methods", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), this,
                       &MainWindow::computeAllMethods);
    QAction* all_on_click = explain->addAction("Compute every method on each &click");
    all_on_click->setCheckable(true);
    all_on_click->setToolTip(
        "Off: a click computes the visible tab's method and the others when their tab is shown.");
    connect(all_on_click, &QAction::toggled, this, &MainWindow::setComputeAllOnClick);

    QMenu* tools = menuBar()->addMenu("&Tools");
    tools->addAction("Scene-world &accuracy…", this, &MainWindow::showSceneEval);
    tools->addAction("&Batch results…", this, [this] { showBatchResults(); });
    tools->addAction("Reviewer &name…", this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(
            this, "Reviewer", "Name printed in review reports and saved in sessions:", QLineEdit::Normal,
            reviewer_, &ok);
        if (ok) setReviewerName(name);
    });

    QMenu* help = menuBar()->addMenu("&Help");
    help->addAction("Quick guide", this, [this] {
        QMessageBox::information(
            this, "Quick guide",
            "1. Pick a demo scene (File > Demo scenes) or open/drop an image.\n"
            "2. Type a question and press Generate.\n"
            "3. Click any answer token: the visible tab explains it (other tabs when shown;\n"
            "   Explain > Compute all methods for every one).\n"
            "   Attention: where the prediction step attended (pick layers/heads; click a heatmap cell).\n"
            "   Relevancy: gradient-weighted attention propagated through the layers.\n"
            "   TAM: the token's own class activation with context interference removed.\n"
            "   Causal (CLEANN): the smallest set of input tokens whose masking changes the token.\n"
            "4. Select image patches (click or drag) to see which answer tokens attend to them.\n"
            "5. Compare: all maps side by side and whether they agree; save the session or print a report.\n"
            "6. Tools > Scene-world accuracy: how often the model answers held-out scene questions right;\n"
            "   double-click a wrong answer to open its scene and explain the mistake.");
    });
    help->addAction("About Sightline", this, [this] {
        QMessageBox::about(
            this, "About Sightline",
            "Sightline — a desktop microscope for vision-language models.\nC++17, LibTorch, Qt 6.");
    });
}

void MainWindow::load_plugins(const QStringList& dirs) {
    QStringList errors;
    QStringList all = dirs;
    all << default_plugin_dirs();
    for (const auto& p : load_explainer_plugins(all, &errors)) {
        for (const auto& e : p.explainers) {
            host_->worker()->add_explainer(e);
            plugin_names_ << QString::fromStdString(e->name());
        }
    }
    for (const auto& e : errors) qWarning("plugin: %s", qPrintable(e));
}

void MainWindow::rebuild_panels() {
    const QString active = activeMethod();
    while (tabs_->count() > 2) {  // the method tabs, then Compare and Knockout
        QWidget* w = tabs_->widget(0);
        tabs_->removeTab(0);
        w->deleteLater();
    }
    panels_.clear();
    compared_.clear();
    QStringList names, titles;
    int index = 0;
    for (const auto& info : model_.explainers) {
        auto* panel = new MethodPanel(info);
        panels_[info.name] = panel;
        const bool plugin = plugin_names_.contains(info.name);
        const int tab = tabs_->insertTab(index++, panel, info.title);
        tabs_->setTabToolTip(tab, plugin ? info.title + " — from a plugin" : info.title);
        if (!info.on_demand) {
            names << info.name;
            titles << info.title;
            compared_ << info.name;
        }
        connect(panel, &MethodPanel::paramsChanged, this,
                [this, name = info.name] { request_explanation(name); });
        connect(panel, &MethodPanel::curvesRequested, this, [this, name = info.name, panel] {
            if (target_ < 0) return;
            host_->faithfulness(name, target_, panel->params(), 10);
            panel->setProgress(0, 22);
        });
        // A heads x layers cell narrows the method to that layer and head, where it has those parameters.
        if (panel->form()->control("layers") && panel->form()->control("heads"))
            connect(panel, &MethodPanel::headLayerClicked, this, [panel](int layer, int head) {
                panel->form()->setValues(
                    {{"layers", std::to_string(layer)}, {"heads", std::to_string(head)}});
            });
    }
    compare_->setMethods(names, titles);
    tabs_->setCurrentIndex(0);
    if (panels_.contains(active)) setActiveMethod(active);
}

QString MainWindow::activeMethod() const {
    const int i = tabs_->currentIndex();
    for (auto it = panels_.begin(); it != panels_.end(); ++it)
        if (tabs_->indexOf(it.value()) == i) return it.key();
    return panels_.contains("relevancy") ? "relevancy"
                                         : (panels_.isEmpty() ? QString() : panels_.begin().key());
}

void MainWindow::setActiveMethod(const QString& method) {
    if (auto* p = panels_.value(method)) tabs_->setCurrentWidget(p);
}

void MainWindow::show_error(const QString& message) {
    banner_->setText(message);
    banner_->show();
    statusBar()->showMessage(message, 10000);
    Q_EMIT errorShown(message);
}

void MainWindow::showDemoScene(int index) {
    const auto scenes = demo_scenes();
    showScene(scenes[std::clamp(index, 0, static_cast<int>(scenes.size()) - 1)]);
}

void MainWindow::showScene(const DemoScene& scene) {
    if (scene.image.isNull()) return;
    setImage(scene.image, scene.label());
    demo_ = scene;
    setQuestion(scene.question);
}

void MainWindow::showSceneEval() {
    if (!model_ready_ || !model_.multimodal) {
        show_error(
            "Scene-world accuracy needs a loaded vision-language model (the embedded one knows the scenes).");
        return;
    }
    if (scene_eval_ == nullptr) {
        scene_eval_ = new SceneEvalDialog(host_, this);
        connect(scene_eval_, &SceneEvalDialog::openScene, this, [this](const DemoScene& scene) {
            showScene(scene);
            raise();
            activateWindow();
        });
        connect(scene_eval_, &SceneEvalDialog::evaluated, this, [this] { check_idle(); });
    }
    scene_eval_->show();
    scene_eval_->raise();
}

void MainWindow::showBatchResults(const QString& dir) {
    if (batch_results_ == nullptr) {
        batch_results_ = new BatchResultsDialog(this);
        connect(batch_results_, &BatchResultsDialog::openItem, this, [this](const BatchItemToOpen& item) {
            if (openBatchItem(item)) {
                raise();
                activateWindow();
            }
        });
    }
    if (!dir.isEmpty()) batch_results_->openFolder(dir);
    batch_results_->show();
    batch_results_->raise();
}

bool MainWindow::openBatchItem(const BatchItemToOpen& item, QString* error) {
    if (!openImageFile(item.image, error)) return false;
    setQuestion(item.prompt);
    if (item.truth) {
        setGroundTruth(*item.truth);
    } else if (!item.truth_error.isEmpty()) {
        show_error(QString("Item %1: its ground truth cannot be read: %2").arg(item.id, item.truth_error));
    }
    if (model_ready_) startGeneration();
    return true;
}

}  // namespace sightline::ui
