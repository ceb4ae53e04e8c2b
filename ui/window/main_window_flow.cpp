// MainWindow: requests to the model worker and what happens when their results arrive.
#include <QComboBox>
#include <QEventLoop>
#include <QImageReader>
#include <QLabel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <algorithm>
#include <cmath>

#include "core/eval/defer_eval.h"
#include "core/eval/eval_questions.h"
#include "core/eval/image_truth.h"
#include "core/image/image_layout.h"
#include "core/toy/vocabulary.h"
#include "core/util/sha256.h"
#include "core/util/strings.h"
#include "ui/widgets/cv_qimage.h"
#include "ui/widgets/image_canvas.h"
#include "ui/widgets/token_strip.h"
#include "ui/window/compare_panel.h"
#include "ui/window/knockout_panel.h"
#include "ui/window/main_window.h"
#include "ui/window/method_panel.h"
#include "ui/window/overlay_controls.h"
#include "ui/window/param_form.h"
#include "ui/window/pending_session.h"
#include "ui/window/prompt_bar.h"

namespace sightline::ui {

void MainWindow::connect_worker() {
    // WorkerHost forwards answers of current jobs only: superseded ones never reach the window.
    connect(host_, &WorkerHost::modelLoaded, this, &MainWindow::on_model_loaded);
    connect(host_, &WorkerHost::tokenStreamed, this, &MainWindow::on_token_streamed);
    connect(host_, &WorkerHost::generated, this, &MainWindow::on_generated);
    connect(host_, &WorkerHost::explained, this, &MainWindow::on_explained);
    connect(host_, &WorkerHost::failed, this, &MainWindow::on_failed);
    connect(host_, &WorkerHost::cancelled, this, &MainWindow::on_cancelled);
    connect(host_, &WorkerHost::jobFinished, this, [this] { check_idle(); });
    connect(host_, &WorkerHost::stageProgress, this,
            [this](const JobKey& key, const QString& text, qint64 done, qint64 total) {
                const int d = static_cast<int>(done), t = static_cast<int>(total);
                switch (key.channel) {
                    case Channel::Model:
                        status_model_->setText(QString("loading %1 — %2").arg(loading_dir_, text));
                        break;
                    case Channel::Generate:
                        prompt_bar_->setProgress(d, t, text);
                        break;
                    case Channel::Explain:
                        if (auto* p = panels_.value(key.method)) p->setProgress(d, t, text);
                        break;
                    default:
                        break;
                }
            });
    connect(host_, &WorkerHost::progress, this, [this](const JobKey& key, int done, int total) {
        if (key.channel == Channel::Generate)
            prompt_bar_->setProgress(done, total);
        else if (key.channel == Channel::Faithfulness) {
            for (auto* p : panels_) p->setProgress(done, total);
        }
    });
    connect(host_, &WorkerHost::knockoutReady, this, [this](const KnockoutResult& r) {
        if (!trace_ || r.target != target_) return;  // for an earlier click
        knockout_->showResult(r);
        mark_unsaved();
        schedule_autosave();
    });
    connect(host_, &WorkerHost::imageToAnswerReady, this, [this](const QVector<float>& scores) {
        image_to_answer_ = scores;
        answer_colour_->setCurrentIndex(2);
        update_answer_colours();
    });
    connect(host_, &WorkerHost::visualRelevanceReady, this, [this](const QVector<double>& llr) {
        llr_ = llr;
        update_answer_colours();
    });
    connect(host_, &WorkerHost::faithfulnessReady, this, [this](const FaithfulnessCurves& c) {
        if (auto* p = panels_.value(c.method); p && c.target == target_) p->showCurves(c);
    });
}

void MainWindow::loadModel(const QString& dir) {
    loadModel(dir, options_.dtype);
}

void MainWindow::loadModel(const QString& dir, const QString& dtype) {
    model_ready_ = false;
    Q_EMIT modelReadyChanged(false);
    loading_dir_ = dir;
    status_model_->setText("loading " + dir + " …");
    was_busy_ = true;
    banner_->hide();
    host_->loadModel(dir, dtype);
}

void MainWindow::on_model_loaded(const ModelInfo& info) {
    model_ = info;
    model_ready_ = true;
    start_model_identity();
    remember_recent("models", info.dir);
    trace_.reset();
    target_ = -1;
    explanations_.clear();
    answer_->setTokens({});
    prompt_tokens_->setTokens({});
    rebuild_panels();
    setActiveMethod(panels_.contains("relevancy") ? "relevancy" : activeMethod());
    if (!info.notes.isEmpty()) statusBar()->showMessage(info.notes.join("; "), 15000);
    update_status();
    if (pending_session_) {
        restore_session_views();
    } else if (options_.load_demo && image_.isNull() && info.multimodal) {
        showDemoScene(0);
    }
    if (!recovery_offered_ && !options_.state_dir.isEmpty())
        QTimer::singleShot(0, this, [this] {
            if (!recovery_offered_) offerRecovery();
        });
    Q_EMIT modelReadyChanged(true);
}

bool MainWindow::openImageFile(const QString& path, QString* error) {
    QImageReader reader(path);
    reader.setAutoTransform(false);  // EXIF orientation is ignored, as the model's preprocessing does
    const QImage img = reader.read();
    if (img.isNull()) {
        const QString msg = QString("Cannot open %1: %2").arg(path, reader.errorString());
        if (error) *error = msg;
        show_error(msg);
        return false;
    }
    setImage(img, path);
    try {
        image_file_sha256_ = QString::fromStdString(sha256_file(path.toStdString()));
    } catch (const std::exception&) {
        image_file_sha256_.clear();  // read a moment ago: only a vanished file gets here
    }
    remember_recent("images", path);
    return true;
}

void MainWindow::setImage(const QImage& image, const QString& label) {
    image_ = image.convertToFormat(QImage::Format_RGB888);
    image_label_ = label;
    image_file_sha256_.clear();  // openImageFile sets it for files
    demo_.reset();
    scene_truth_.reset();
    user_truth_.reset();  // ground truth belongs to one image
    banner_->hide();
    trace_.reset();
    target_ = -1;
    explanations_.clear();
    canvas_->setImage(image_);
    canvas_->clearMap();
    canvas_->clearSelection();
    canvas_->setOutlines({});
    overlay_->setViews({});
    compare_->setImage(image_);
    compare_->clearMaps();
    answer_->setTokens({});
    prompt_tokens_->setTokens({});
    for (auto* p : panels_) p->clearResults();
    knockout_->clearResult();
    setWindowTitle("Sightline — " + label + "[*]");
}

void MainWindow::setQuestion(const QString& question) {
    prompt_bar_->setQuestion(question);
}

void MainWindow::startGeneration() {
    if (!model_ready_) {
        show_error("No model is loaded yet.");
        return;
    }
    if (prompt_bar_->question().isEmpty()) {
        show_error("Type a question first.");
        return;
    }
    if (!image_.isNull() && !model_.multimodal) {
        show_error(QString("%1 is a text-only model; the image is ignored.").arg(model_.name));
    } else {
        banner_->hide();
    }
    GenerationJob job;
    job.question = prompt_bar_->question();
    job.system = prompt_bar_->systemPrompt();
    job.turns = prompt_bar_->turns();
    if (model_.multimodal) job.image = image_;
    job.image_label = image_label_;
    job.settings = prompt_bar_->settings();
    // Ground truth applies while the demo scene's image is shown with its own question.
    scene_truth_.reset();
    if (demo_ && model_.multimodal && job.question.trimmed() == demo_->question.trimmed())
        scene_truth_ = demo_;
    for (auto* p : panels_) p->clearResults();
    knockout_->clearResult();
    explanations_.clear();
    llr_.clear();
    image_to_answer_.clear();
    compare_->clearMaps();
    canvas_->clearMap();
    answer_->setTokens({});
    target_ = -1;
    prompt_bar_->setBusy(true);
    host_->generate(job);
    was_busy_ = true;
}

void MainWindow::cancelAll() {
    host_->cancelAll();
    statusBar()->showMessage("Cancelling…", 3000);
}

void MainWindow::on_token_streamed(const TracePtr& partial) {
    QStringList texts;
    for (std::int64_t i = partial->answer_begin; i < static_cast<std::int64_t>(partial->tokens.size()); ++i)
        texts << QString::fromStdString(partial->tokens[static_cast<std::size_t>(i)].text);
    answer_->setTokens(texts);
}

void MainWindow::on_generated(const TracePtr& trace, quint64 serial, bool adopted) {
    prompt_bar_->setBusy(false);
    if (!adopted) {
        const auto n = static_cast<int>(trace->answer_size());
        prompt_bar_->setProgress(n, n,
                                 QString("%1 token%2 in %3 s")
                                     .arg(n)
                                     .arg(n == 1 ? "" : "s")
                                     .arg((trace->prefill_ms + trace->decode_ms) / 1000.0, 0, 'f', 1));
    }
    trace_ = trace;
    trace_serial_ = serial;
    knockout_->setModelShape(model_.layers, trace->answer_begin);
    if (!adopted) mark_unsaved();
    prompt_bar_->setTemplateWarning(QString::fromStdString(trace->template_warning));
    QStringList texts, tips;
    for (std::int64_t k = 0; k < trace->answer_size(); ++k) {
        texts << QString::fromStdString(
            trace->tokens[static_cast<std::size_t>(trace->answer_begin + k)].text);
        const auto& step = trace->steps[static_cast<std::size_t>(k)];
        QString tip = QString("<b>%1</b> p = %2<br>alternatives:")
                          .arg(texts.back().toHtmlEscaped())
                          .arg(step.prob, 0, 'f', 3);
        for (const auto& alt : step.top)
            tip += QString("<br>%1 — %2")
                       .arg(QString::fromStdString(printable(alt.text)).toHtmlEscaped())
                       .arg(alt.prob, 0, 'f', 3);
        tips << tip;
    }
    answer_->setTokens(texts);
    answer_->setToolTips(tips);
    QStringList prompt_texts;
    for (std::int64_t i = 0; i < trace->answer_begin; ++i) {
        const auto& t = trace->tokens[static_cast<std::size_t>(i)];
        if (t.role != TokenRole::Image) prompt_texts << QString::fromStdString(t.text);
    }
    prompt_tokens_->setTokens(prompt_texts);
    if (trace->has_image()) {
        const QImage view = rgbMatToQImage(trace->image.model_view);
        canvas_->setImage(view);
        canvas_->setGridSize(trace->grid_h, trace->grid_w);
        QStringList views;
        for (std::size_t v = 0; v < trace->layout.views.size(); ++v)
            views << QString::fromStdString(describe_view(trace->layout.views[v], static_cast<int>(v)));
        overlay_->setViews(views);
        compare_->setImage(view);
    }
    request_visual_relevance_if_shown();
    update_status();
    Q_EMIT generationFinished();
    if (adopted && pending_session_) {
        restore_session_views();
        return;
    }
    if (trace->answer_size() > 0) selectTarget(defaultTarget());
}

int MainWindow::defaultTarget() const {
    return trace_ ? static_cast<int>(default_target(*trace_)) : -1;
}

void MainWindow::selectTarget(int index) {
    if (!trace_ || index < 0 || index >= trace_->answer_size()) return;
    target_ = index;
    answer_->setCurrent(index);
    explanations_.clear();
    compare_->clearMaps();
    compare_->setProbabilities(trace_->steps[static_cast<std::size_t>(index)].prob, min_answer_prob(*trace_));
    for (auto* p : panels_) p->clearResults();
    if (compute_all_on_click_)
        request_all_explanations();
    else
        request_visible_explanations();
}

void MainWindow::request_all_explanations() {
    const QString active = activeMethod();
    if (panels_.contains(active)) request_explanation(active);
    for (const QString& m : compared_)
        if (m != active) request_explanation(m);
}

void MainWindow::request_visible_explanations() {
    if (!trace_ || target_ < 0) return;
    if (tabs_->currentWidget() != compare_tab_ && !qobject_cast<MethodPanel*>(tabs_->currentWidget()))
        return;  // the Knockout tab computes nothing by itself
    const bool on_compare = tabs_->currentWidget() == compare_tab_;
    QStringList wanted;
    if (on_compare) {
        const QString active = activeMethod();
        wanted << active;
        for (const QString& m : compared_)
            if (m != active) wanted << m;
    } else {
        wanted << activeMethod();
    }
    for (const QString& m : wanted)
        if (panels_.contains(m) && !explanations_.contains(m) && !host_->busy(JobKey::explain(m)))
            request_explanation(m);
}

void MainWindow::computeAllMethods() {
    if (!trace_ || target_ < 0) return;
    for (const QString& m : compared_)
        if (!explanations_.contains(m) && !host_->busy(JobKey::explain(m))) request_explanation(m);
}

void MainWindow::setComputeAllOnClick(bool on) {
    compute_all_on_click_ = on;
    if (on) computeAllMethods();
}

bool MainWindow::wait_for_all_methods(QString* error) {
    computeAllMethods();
    const auto missing = [this] {
        for (const QString& m : compared_)
            if (!explanations_.contains(m)) return true;
        return false;
    };
    if (!missing()) return true;
    statusBar()->showMessage("Computing the remaining methods for the report…");
    QEventLoop loop;
    QTimer poll;
    const int target = target_;
    const quint64 serial = trace_serial_;
    connect(&poll, &QTimer::timeout, &loop, [&] {
        bool in_flight = false;
        for (const QString& m : compared_) in_flight = in_flight || host_->busy(JobKey::explain(m));
        if (!missing() || !in_flight || target_ != target || trace_serial_ != serial) loop.quit();
    });
    poll.start(20);
    loop.exec();
    if (missing()) {
        if (error)
            *error = "Not every method could explain the token (see the method tabs); nothing was written.";
        return false;
    }
    return true;
}

void MainWindow::request_visual_relevance_if_shown() {
    if (trace_ && trace_->has_image() && answer_colour_->currentIndex() == 1 && llr_.isEmpty() &&
        !host_->busy({Channel::VisualRelevance, {}}))
        host_->visualRelevance();
}

void MainWindow::request_explanation(const QString& method) {
    MethodPanel* panel = panels_.value(method);
    if (!panel || !trace_ || target_ < 0) return;
    ExplainJob job;
    job.method = method;
    job.target = target_;
    job.params = panel->params();
    job.trace_serial = trace_serial_;
    if (scene_truth_) {
        job.scene_seed = scene_truth_->seed;
        job.scene_task = scene_truth_->task;
    }
    panel->showBusy(true);
    host_->explain(job);
    was_busy_ = true;
}

void MainWindow::on_explained(const Explanation& given) {
    const QString method = QString::fromStdString(given.method);
    if (!trace_ || given.target != target_) return;
    Explanation e = given;
    apply_user_truth(e);
    explanations_[method] = e;
    mark_unsaved();
    schedule_autosave();
    if (auto* p = panels_.value(method)) p->showExplanation(e, *trace_);
    compare_->setExplanation(e);
    if (method == activeMethod() ||
        (tabs_->currentWidget() != panels_.value(activeMethod()) && method == "relevancy"))
        show_active_map();
    update_status();
    Q_EMIT explanationShown(method);
}

void MainWindow::show_active_map() {
    const QString m = activeMethod();
    const auto it = explanations_.find(m);
    if (it == explanations_.end()) {
        canvas_->clearMap();
        prompt_tokens_->setScores({});
        return;
    }
    const Explanation& e = it.value();
    // One view of a tiled image alone (composed from the method's values per image token, scaled to the
    // view's own range), or every view composed; the chosen view's tiles are outlined.
    const int only_view = overlay_->view();
    if (trace_ && !trace_->layout.empty()) {
        QVector<QRectF> outlines;
        for (const auto& r : view_outlines(trace_->layout, only_view))
            outlines << QRectF(r.x, r.y, r.width, r.height);
        canvas_->setOutlines(outlines);
    }
    if (e.has_image_map() && only_view >= 0 && trace_ && !e.image_tokens.empty() &&
        e.image_tokens.size() == trace_->layout.tokens.size() &&
        static_cast<std::size_t>(only_view) < trace_->layout.views.size()) {
        const std::vector<float> one =
            compose_map(trace_->layout, view_scaled(trace_->layout, e.image_tokens, only_view),
                        cv::Size(e.grid_w, e.grid_h), only_view);
        canvas_->setMap(QVector<float>(one.begin(), one.end()), e.grid_h, e.grid_w);
    } else if (e.has_image_map()) {
        canvas_->setMap(QVector<float>(e.image_map.begin(), e.image_map.end()), e.grid_h, e.grid_w);
    } else {
        canvas_->clearMap();
    }
    // Prompt strip: the method's text scores (normalised) on the prompt's text tokens.
    QVector<float> scores;
    if (trace_) {
        std::vector<float> by_pos(trace_->tokens.size(), std::nanf(""));
        float hi = 0;
        for (std::size_t i = 0; i < e.text_positions.size(); ++i) {
            by_pos[static_cast<std::size_t>(e.text_positions[i])] = e.text_scores[i];
            hi = std::max(hi, e.text_scores[i]);
        }
        for (std::int64_t i = 0; i < trace_->answer_begin; ++i)
            if (trace_->tokens[static_cast<std::size_t>(i)].role != TokenRole::Image) {
                const float v = by_pos[static_cast<std::size_t>(i)];
                scores << (std::isnan(v) || hi <= 0 ? std::nanf("") : v / hi);
            }
    }
    prompt_tokens_->setScores(scores);
}

void MainWindow::update_answer_colours() {
    if (!trace_) return;
    QVector<float> s;
    const int mode = answer_colour_->currentIndex();
    for (std::int64_t k = 0; k < trace_->answer_size(); ++k) {
        float v = std::nanf("");
        if (mode == 0)
            v = static_cast<float>(trace_->steps[static_cast<std::size_t>(k)].prob);
        else if (mode == 1 && k < llr_.size())
            v = static_cast<float>(std::clamp(llr_[static_cast<int>(k)] / 3.0, 0.0, 1.0));
        else if (mode == 2 && k < image_to_answer_.size()) {
            const float hi = *std::max_element(image_to_answer_.begin(), image_to_answer_.end());
            v = hi > 0 ? image_to_answer_[static_cast<int>(k)] / hi : 0.0f;
        }
        s << v;
    }
    answer_->setScores(s);
}

void MainWindow::on_failed(const JobKey& key, const QString& message) {
    switch (key.channel) {
        case Channel::Explain:
            if (auto* p = panels_.value(key.method)) p->showError(message);
            break;
        case Channel::Model:
            status_model_->setText("no model");
            show_error("Could not load the model: " + message);
            break;
        case Channel::SceneEval:
            break;  // the dialog shows it
        case Channel::Knockout:
            knockout_->showError(message);
            break;
        case Channel::Adopt:
            prompt_bar_->setBusy(false);
            if (pending_session_) {  // the session's answer does not fit this model: drop the session
                pending_session_.reset();
                show_error("The session could not be opened: " + message);
                check_idle();
                return;
            }
            show_error(message);
            break;
        case Channel::Generate:
            prompt_bar_->setBusy(false);
            [[fallthrough]];
        default:
            show_error(message);
    }
}

void MainWindow::on_cancelled(const JobKey& key) {
    if (key.channel == Channel::Generate) {
        prompt_bar_->setBusy(false);
        statusBar()->showMessage("Generation cancelled.", 5000);
    } else if (key.channel == Channel::Explain) {
        if (auto* p = panels_.value(key.method)) p->showError("Cancelled.");
    }
}

QStringList MainWindow::busyChannels() const {
    QStringList busy;
    for (const JobKey& key : host_->jobs().busy_keys()) busy << to_string(key);
    busy.sort();
    return busy;
}

bool MainWindow::isIdle() const {
    return busyChannels().isEmpty();
}

void MainWindow::check_idle() {
    if (was_busy_ && isIdle()) {
        was_busy_ = false;
        Q_EMIT idle();
    }
}

void MainWindow::update_status() {
    if (!model_ready_) return;
    status_model_->setText(QString("%1 · %2 · %3 · %4 threads · %5M parameters")
                               .arg(model_.name, model_.architecture, model_.dtype)
                               .arg(model_.threads)
                               .arg(model_.parameters / 1e6, 0, 'f', 1));
    QStringList parts;
    if (trace_)
        parts << QString("prefill %1 ms, decode %2 ms")
                     .arg(trace_->prefill_ms, 0, 'f', 0)
                     .arg(trace_->decode_ms, 0, 'f', 0);
    for (auto it = explanations_.begin(); it != explanations_.end(); ++it)
        parts << QString("%1 %2 ms").arg(it.key()).arg(it->time_ms, 0, 'f', 1);
    status_timing_->setText(parts.join(" · "));
}

}  // namespace sightline::ui

namespace sightline::ui {

void MainWindow::runKnockout() {
    if (!trace_ || target_ < 0) {
        knockout_->showError("Click an answer token first: the knockout reads that token's probability.");
        return;
    }
    try {
        KnockoutSpec spec = knockout_->spec();
        for (const QPoint& cell : knockout_->patches()) spec.cells.emplace_back(cell.y(), cell.x());
        if (spec.positions.empty() && spec.cells.empty()) {
            knockout_->showError(
                "Nothing to knock out: drag on the image to brush patches, or name prompt positions.");
            return;
        }
        host_->knockout(target_, spec);
        knockout_->showBusy(true);
    } catch (const std::exception& e) {
        knockout_->showError(QString::fromStdString(e.what()));
    }
}

}  // namespace sightline::ui

namespace sightline::ui {

void MainWindow::apply_user_truth(Explanation& e) const {
    if (!user_truth_ || !trace_ || !trace_->has_image() || !e.has_image_map()) return;
    try {
        e.ground_truth = image_truth_readout(*user_truth_, trace_->image,
                                             trace_->tokens[static_cast<std::size_t>(e.target_position)].text,
                                             metrics::GridMap{e.grid_h, e.grid_w, e.image_map});
    } catch (const std::exception& ex) {
        GroundTruthReadout r;
        r.reason = ex.what();
        e.ground_truth = r;
    }
}

bool MainWindow::openGroundTruth(const QString& path, QString* error) {
    const auto fail_with = [&](const QString& message) {
        if (error) *error = message;
        show_error(message);
        return false;
    };
    if (image_.isNull()) return fail_with("Open an image first: ground truth belongs to an image.");
    try {
        setGroundTruth(load_image_truth(path.toStdString(), image_.width(), image_.height(),
                                        image_label_.toStdString()));
    } catch (const std::exception& ex) {
        return fail_with(QString::fromStdString(ex.what()));
    }
    return true;
}

void MainWindow::setGroundTruth(ImageTruth truth) {
    user_truth_ = std::move(truth);
    QStringList labels;
    for (const auto& o : user_truth_->objects) labels << QString::fromStdString(o.label);
    statusBar()->showMessage(
        QString("Ground truth: %1 object(s) — %2").arg(labels.size()).arg(labels.join(", ")), 8000);
    // Score what is already shown.
    for (auto it = explanations_.begin(); it != explanations_.end(); ++it) {
        apply_user_truth(it.value());
        if (auto* p = panels_.value(it.key())) p->showExplanation(it.value(), *trace_);
    }
}

}  // namespace sightline::ui
