// MainWindow: sessions, exports and the review report.
#include <QBuffer>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPlainTextEdit>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextStream>

#include "core/eval/defer_eval.h"
#include "core/eval/ground_truth.h"
#include "core/explain/explanation_arrays.h"
#include "core/explain/overlay.h"
#include "core/session/session.h"
#include "core/util/error.h"
#include "core/util/strings.h"
#include "core/util/version.h"
#include "ui/plots/causal_graph_view.h"
#include "ui/plots/curve_plot.h"
#include "ui/plots/head_layer_heatmap.h"
#include "ui/plots/layer_shares_plot.h"
#include "ui/plots/text_relevance_bars.h"
#include "ui/widgets/cv_qimage.h"
#include "ui/widgets/file_output.h"
#include "ui/widgets/image_canvas.h"
#include "ui/widgets/token_strip.h"
#include "ui/window/compare_panel.h"
#include "ui/window/knockout_panel.h"
#include "ui/window/main_window.h"

#include "core/explain/explanation_arrays.h"
#include "ui/window/method_panel.h"
#include "ui/window/overlay_controls.h"
#include "ui/window/pending_session.h"
#include "ui/window/prompt_bar.h"
#include "ui/window/report_writer.h"

namespace sightline::ui {

namespace {

bool fail_with(QString* error, const QString& message) {
    if (error) *error = message;
    return false;
}

// A message for an exception that escaped while handling `path` (never a raw value: library messages are
// cut short).
QString error_about(const QString& path, const char* what) {
    QString m = QString::fromUtf8(what);
    if (m.size() > 400) m = m.left(400) + "…";
    return m.startsWith(path) ? m : path + ": " + m;
}

// Small images (the embedded model sees 96x96) are enlarged with nearest neighbour so patches stay crisp.
QImage enlarged(const QImage& img) {
    const int scale = std::max(1, 384 / std::max(1, std::min(img.width(), img.height())));
    return scale > 1 ? img.scaled(img.size() * scale, Qt::IgnoreAspectRatio, Qt::FastTransformation) : img;
}

}  // namespace

Session MainWindow::current_session() const {
    Session s;
    s.model_name = model_.name.toStdString();
    s.model_dir = model_.dir.toStdString();
    if (trace_->has_image()) s.image_rgb = qimageToRgbMat(image_);
    s.image_path = image_label_.toStdString();
    s.trace = *trace_;
    for (const auto& e : explanations_) s.explanations.push_back(e);
    if (knockout_->result()) s.knockouts.push_back(*knockout_->result());
    s.current_target = target_;
    s.current_method = activeMethod().toStdString();
    s.view_settings = {{"colormap", canvas_->colormap().toStdString()},
                       {"opacity", canvas_->opacity()},
                       {"threshold", canvas_->threshold()},
                       {"grid", canvas_->showGrid()},
                       {"smooth", canvas_->smooth()}};
    // The conversation around the question (the trace keeps the question and the rendered prompt).
    s.view_settings["system_prompt"] = prompt_bar_->systemPrompt().toStdString();
    nlohmann::json turns = nlohmann::json::array();
    for (const auto& t : prompt_bar_->turns()) turns.push_back({{"role", t.role}, {"content", t.text}});
    s.view_settings["turns"] = turns;
    s.notes = notes_->toPlainText().toStdString();
    s.model_identity = model_identity_;  // empty while it is still being computed
    s.image_file_sha256 = image_file_sha256_.toStdString();
    s.reviewer = reviewer_.toStdString();
    return s;
}

bool MainWindow::saveSession(const QString& path, QString* error) {
    if (!trace_) return fail_with(error, "Nothing to save yet: generate an answer first.");
    QString why;
    const bool identified = waitForModelIdentity(&why);  // a saved review names its model exactly
    try {
        save_session(current_session(), path.toStdString());
    } catch (const std::exception& e) {
        return fail_with(error, QString::fromStdString(e.what()));
    }
    mark_saved();
    remember_recent("sessions", path);
    statusBar()->showMessage(
        identified ? "Saved " + path : "Saved " + path + " without the model identity: " + why,
        identified ? 5000 : 15000);
    return true;
}

bool MainWindow::openSession(const QString& path, QString* error) {
    Session s;
    try {
        s = load_session(path.toStdString());
    } catch (const std::exception& e) {
        const QString msg = error_about(path, e.what());
        show_error(msg);
        return fail_with(error, msg);
    } catch (...) {
        const QString msg = path + ": cannot be read";
        show_error(msg);
        return fail_with(error, msg);
    }
    remember_recent("sessions", path);
    const bool recovering = QFileInfo(path).fileName().startsWith("autosave-");
    if (!model_ready_ || model_.name.toStdString() != s.model_name) {
        if (s.model_dir.empty() || !file_exists(s.model_dir + "/config.json")) {
            const QString msg =
                QString(
                    "The session needs model '%1', which is not loaded and whose folder (%2) is not "
                    "available.")
                    .arg(QString::fromStdString(s.model_name), QString::fromStdString(s.model_dir));
            show_error(msg);
            return fail_with(error, msg);
        }
        // A session file names a folder to load code-free weights from: ask first.
        if (!confirm_(
                "Load the session's model",
                QString("The session %1 was made with model '%2' from\n%3\n\nLoad that model now? "
                        "(The current model and answer are replaced.)")
                    .arg(path, QString::fromStdString(s.model_name), QString::fromStdString(s.model_dir)))) {
            const QString msg = "Opening " + path + " was cancelled: its model was not loaded.";
            statusBar()->showMessage(msg, 10000);
            return fail_with(error, msg);
        }
        pending_session_ = std::make_unique<PendingSession>();
        pending_session_->session = std::move(s);
        pending_session_->path = path;
        pending_session_->recovered = recovering;
        loadModel(QString::fromStdString(pending_session_->session.model_dir));
        return true;  // continues when the model is ready
    }
    pending_session_ = std::make_unique<PendingSession>();
    pending_session_->session = std::move(s);
    pending_session_->path = path;
    pending_session_->recovered = recovering;
    restore_session_views();
    return true;
}

void MainWindow::restore_session_views() {
    if (!pending_session_) return;
    try {
        restore_session_views_unchecked();
    } catch (const std::exception& e) {
        const QString path = pending_session_ ? pending_session_->path : QString("the session");
        pending_session_.reset();
        show_error("The session could not be opened: " + error_about(path, e.what()));
    }
}

void MainWindow::restore_session_views_unchecked() {
    if (!pending_session_->adopting) {
        // Stored maps are shown only with the model that made them, or after the user agreed.
        const ModelIdentity recorded = pending_session_->session.model_identity;
        const QString path = pending_session_->path;
        if (!confirm_session_model(recorded)) {
            pending_session_.reset();
            statusBar()->showMessage("Opening " + path + " was cancelled: the loaded model differs.", 10000);
            return;
        }
        if (!pending_session_) return;  // replaced while the identity was computed
    }
    const Session& s = pending_session_->session;
    if (!pending_session_->adopting) {
        pending_session_->adopting = true;
        restoring_ = true;
        const QImage img = s.image_rgb.empty() ? QImage() : rgbMatToQImage(s.image_rgb);
        setImage(img, QString::fromStdString(s.image_path.empty() ? "session image" : s.image_path));
        setQuestion(QString::fromStdString(s.trace.question));
        prompt_bar_->setSettings(s.trace.settings);
        notes_->setPlainText(QString::fromStdString(s.notes));
        const auto& v = s.view_settings;
        prompt_bar_->setSystemPrompt(QString::fromStdString(v.value("system_prompt", std::string())));
        std::vector<ChatTurn> turns;
        if (v.contains("turns") && v["turns"].is_array())
            for (const auto& t : v["turns"])
                if (t.is_object())
                    turns.push_back(
                        {t.value("role", std::string("user")), t.value("content", std::string())});
        prompt_bar_->setTurns(turns);
        overlay_->setState(QString::fromStdString(v.value("colormap", std::string("jet"))),
                           v.value("opacity", 0.55), v.value("threshold", 0.0), v.value("grid", false),
                           v.value("smooth", true));
        restoring_ = false;
        host_->adoptTrace(std::make_shared<const Trace>(s.trace), img);
        was_busy_ = true;
        return;
    }
    // The worker holds the trace again: show the stored explanations without recomputing them. The
    // adopted trace carries this model's layout: check the stored explanations and target against it too.
    if (!trace_) fail("the session's answer was not adopted");
    if (s.current_target < -1 || s.current_target >= trace_->answer_size())
        fail("current.target ", s.current_target, " is outside the answer's ", trace_->answer_size(),
             " tokens");
    for (std::size_t i = 0; i < s.explanations.size(); ++i) {
        try {
            validate_explanation(s.explanations[i], *trace_);
        } catch (const Error& e) {
            fail("explanations[", i, "]: ", e.what());
        }
    }
    target_ = static_cast<int>(s.current_target);
    answer_->setCurrent(target_);
    if (target_ >= 0 && static_cast<std::size_t>(target_) < trace_->steps.size())
        compare_->setProbabilities(trace_->steps[static_cast<std::size_t>(target_)].prob,
                                   min_answer_prob(*trace_));
    explanations_.clear();
    for (const auto& e : s.explanations) {
        const QString m = QString::fromStdString(e.method);
        explanations_[m] = e;
        if (auto* p = panels_.value(m)) p->showExplanation(e, *trace_);
        compare_->setExplanation(e);
    }
    knockout_->clearResult();
    for (const auto& k : s.knockouts) {
        validate_knockout(k, *trace_);
        knockout_->showResult(k);
    }
    setActiveMethod(QString::fromStdString(s.current_method));
    show_active_map();
    update_status();
    const bool recovered = pending_session_->recovered;
    pending_session_.reset();
    if (recovered) {
        mark_unsaved();
    } else {
        mark_saved();
    }
    statusBar()->showMessage(recovered ? "Unsaved work recovered." : "Session restored.", 5000);
    check_idle();
}

bool MainWindow::exportOverlay(const QString& path, bool raw, QString* error) {
    if (!canvas_->hasMap()) return fail_with(error, "No map to export: click an answer token first.");
    const QImage img = enlarged(raw ? canvas_->renderMapOnly() : canvas_->renderOverlay());
    QString why;
    if (!saveImageChecked(path, img, "PNG", raw ? "map" : "overlay", &why)) return fail_with(error, why);
    return true;
}

bool MainWindow::exportScores(const QString& path, QString* error) {
    if (!trace_ || explanations_.isEmpty())
        return fail_with(error, "No scores to export: click an answer token first.");
    try {
        for (const auto& e : explanations_) validate_explanation(e, *trace_);
    } catch (const std::exception& e) {
        return fail_with(error, "Cannot export " + path + ": " + error_about("an explanation", e.what()));
    }
    try {
        return write_scores(path, error);
    } catch (const std::exception& e) {
        return fail_with(error, error_about(path, e.what()));
    }
}

bool MainWindow::write_scores(const QString& path, QString* error) {
    // Composed in memory, then written whole or not at all.
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QTextStream out(&buffer);
    auto commit = [&] {
        out.flush();
        QString why;
        if (!writeFileChecked(path, bytes, "scores", &why)) return fail_with(error, why);
        return true;
    };
    if (path.endsWith(".json", Qt::CaseInsensitive)) {
        nlohmann::json j = {{"model", model_.name.toStdString()}, {"trace", trace_to_json(*trace_)}};
        nlohmann::json ex = nlohmann::json::array();
        for (const auto& e : explanations_) ex.push_back(explanation_to_json(e));
        j["explanations"] = ex;
        out << QString::fromStdString(j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace))
            << "\n";
        return commit();
    }
    auto csv = [](QString s) { return "\"" + s.replace("\"", "\"\"") + "\""; };
    out << "method,target,target_token,kind,position,row,col,token,score\n";
    for (const auto& e : explanations_) {
        const QString m = QString::fromStdString(e.method);
        const QString tt =
            csv(QString::fromStdString(trace_->tokens[static_cast<std::size_t>(e.target_position)].text));
        for (int r = 0; r < e.grid_h; ++r)
            for (int c = 0; c < e.grid_w && e.has_image_map(); ++c)
                out << m << ',' << e.target << ',' << tt << ",image,," << r << ',' << c << ",," << e.at(r, c)
                    << "\n";
        for (std::size_t i = 0; i < e.text_positions.size(); ++i)
            out << m << ',' << e.target << ',' << tt << ",text," << e.text_positions[i] << ",,,"
                << csv(QString::fromStdString(
                       trace_->tokens[static_cast<std::size_t>(e.text_positions[i])].text))
                << ',' << e.text_scores[i] << "\n";
    }
    return commit();
}

bool MainWindow::exportArrays(const QString& folder, QString* error) {
    if (!trace_ || explanations_.isEmpty())
        return fail_with(error, "No arrays to export: click an answer token first.");
    if (!QDir().mkpath(folder)) return fail_with(error, "Cannot create " + folder);
    int written = 0;
    for (const auto& e : explanations_) {
        try {
            validate_explanation(e, *trace_);
            written += static_cast<int>(
                write_explanation_arrays(folder.toStdString(), cat(e.method, "_t", e.target), e).size());
        } catch (const std::exception& ex) {
            return fail_with(error, "Cannot export the " + QString::fromStdString(e.method) +
                                        " arrays: " + QString::fromStdString(ex.what()));
        }
    }
    statusBar()->showMessage(QString("Wrote %1 .npy arrays to %2").arg(written).arg(folder), 5000);
    return true;
}

bool MainWindow::exportPlots(const QString& folder, QString* error) {
    if (!QDir().mkpath(folder)) return fail_with(error, "Cannot create " + folder);
    int written = 0;
    QStringList failures;
    for (auto it = panels_.begin(); it != panels_.end(); ++it) {
        MethodPanel* p = it.value();
        const QString base = folder + "/" + it.key();
        auto both = [&](auto* plot, const QString& name) {
            if (!plot || plot->isEmpty()) return;
            QString why;
            if (plot->exportPng(base + "_" + name + ".png", 0, 0, &why))
                ++written;
            else
                failures << why;
            if (plot->exportPdf(base + "_" + name + ".pdf", &why))
                ++written;
            else
                failures << why;
        };
        both(p->textBars(), "text_relevance");
        both(p->layerShares(), "layer_shares");
        both(p->headHeatmap(), "head_layer_heatmap");
        both(p->causalGraph(), "causal_graph");
        if (p->curves() && p->curves()->isVisible()) both(p->curves(), "deletion_insertion");
    }
    if (!failures.isEmpty())
        return fail_with(error, QString("%1 of %2 plot files could not be written:\n%3")
                                    .arg(failures.size())
                                    .arg(failures.size() + written)
                                    .arg(failures.join("\n")));
    if (written == 0) return fail_with(error, "No plots to export yet: click an answer token first.");
    statusBar()->showMessage(QString("Wrote %1 plot files to %2").arg(written).arg(folder), 5000);
    return true;
}

bool MainWindow::exportReport(const QString& path, QString* error) {
    if (!trace_ || target_ < 0)
        return fail_with(error, "Nothing to report yet: generate an answer and click a token.");
    if (target_ >= trace_->answer_size())
        return fail_with(error, QString("Cannot write the report: the selected token #%1 is outside the "
                                        "answer's %2 tokens.")
                                    .arg(target_)
                                    .arg(trace_->answer_size()));
    try {
        return write_report(path, error);
    } catch (const std::exception& e) {
        return fail_with(error, error_about(path, e.what()));
    }
}

bool MainWindow::write_report(const QString& path, QString* error) {
    ReportData d;
    if (!reportData(&d, error)) return false;
    if (!write_review_report(path, d, error)) return false;
    statusBar()->showMessage("Wrote " + path, 5000);
    return true;
}

bool MainWindow::reportData(ReportData* out, QString* error) {
    if (!trace_ || target_ < 0 || target_ >= trace_->answer_size())
        return fail_with(error, "Nothing to report yet: generate an answer and click a token.");
    // The report shows every method's map and their agreement: compute the ones not shown yet.
    if (!wait_for_all_methods(error)) return false;
    QString no_identity;
    const bool identified = waitForModelIdentity(&no_identity);
    if (!trace_ || target_ < 0 || target_ >= trace_->answer_size())  // changed while waiting
        return fail_with(error, "The answer changed while the report was prepared; nothing was written.");
    ReportData& d = *out;
    d = ReportData();
    d.model = QString("%1 (%2, %3)").arg(model_.name, model_.architecture, model_.dtype);
    d.question = QString::fromStdString(trace_->question);
    d.image_label = image_label_;
    d.created = QDateTime::currentDateTime().toString(Qt::ISODateWithMs) + " (" +
                QDateTime::currentDateTimeUtc().toString(Qt::ISODate) + ")";
    d.reviewer = reviewer_;
    d.software_version = QString::fromLatin1(software_version());
    if (identified) {
        d.model_identity = QString::fromStdString(model_identity_.sha256);
        for (const auto& f : model_identity_.files)
            d.model_files << QString("%1  %2 bytes  %3")
                                 .arg(QString::fromStdString(f.name))
                                 .arg(f.bytes)
                                 .arg(QString::fromStdString(f.sha256));
    }
    d.image_file_sha256 = image_file_sha256_;
    if (!image_.isNull())
        d.image_sha256 = QString::fromStdString(image_pixels_sha256(qimageToRgbMat(image_)));
    for (std::int64_t k = 0; k < trace_->answer_size(); ++k) {
        const QString t =
            QString::fromStdString(trace_->tokens[static_cast<std::size_t>(trace_->answer_begin + k)].text)
                .toHtmlEscaped();
        d.answer_html += k == target_ ? "<span style='background:#ffe08a'><b>" + t + "</b></span>" : t;
    }
    d.target_token = QString("#%1 '%2'")
                         .arg(target_)
                         .arg(QString::fromStdString(
                             trace_->tokens[static_cast<std::size_t>(trace_->answer_begin + target_)].text));
    if (trace_->has_image()) {
        d.image = rgbMatToQImage(trace_->image.model_view);
        OverlayStyle style;
        style.colormap = colormap_from_string(canvas_->colormap().toStdString());
        style.opacity = canvas_->opacity();
        style.threshold = canvas_->threshold();
        style.smooth = canvas_->smooth();
        for (auto it = panels_.begin(); it != panels_.end(); ++it) {
            const auto e = explanations_.find(it.key());
            if (e == explanations_.end() || !e->has_image_map()) continue;
            if (e->grid_h <= 0 || e->grid_w <= 0 ||
                e->image_map.size() !=
                    static_cast<std::size_t>(e->grid_h) * static_cast<std::size_t>(e->grid_w))
                continue;  // not a map of this trace's grid
            ReportData::MethodMap m;
            m.title = it.value()->title();
            m.details = QString("%1 ms").arg(e->time_ms, 0, 'f', 1);
            if (e->masking) m.details += e->masking->validated ? ", validated" : ", not validated";
            if (e->ground_truth)
                m.details +=
                    " · ground truth: " + QString::fromStdString(ground_truth_summary(*e->ground_truth));
            m.overlay = enlarged(rgbMatToQImage(
                render_overlay(trace_->image.model_view, e->image_map, e->grid_h, e->grid_w, style)));
            d.maps.push_back(m);
        }
    }
    d.consistency = compare_->summary();
    if (const auto& k = knockout_->result())
        d.interventions << QString("Knockout (%1 of %2 position(s)%3): answer '%4' -> '%5'; p('%6') %7 -> %8")
                               .arg(QString::fromStdString(k->spec.op))
                               .arg(k->spec.positions.size())
                               .arg(k->spec.op == "block" && !k->spec.layers.empty()
                                        ? QString(", %1 layer(s)").arg(k->spec.layers.size())
                                        : QString())
                               .arg(QString::fromStdString(k->answer_before),
                                    QString::fromStdString(k->answer_after), QString::fromStdString(k->token))
                               .arg(k->p_before, 0, 'f', 3)
                               .arg(k->p_after, 0, 'f', 3);
    d.defer = compare_->deferToHuman();
    d.notes = notes_->toPlainText();
    const auto& g = trace_->settings;
    d.settings =
        QString(
            "Generation: max %1 new tokens, temperature %2, top-p %3, seed %4. Prompt: %5 tokens (%6 image). "
            "Sightline session export.")
            .arg(g.max_new_tokens)
            .arg(g.temperature)
            .arg(g.top_p)
            .arg(g.seed)
            .arg(trace_->answer_begin)
            .arg(trace_->image_count);
    return true;
}

}  // namespace sightline::ui
