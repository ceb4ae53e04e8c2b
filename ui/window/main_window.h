#pragma once
// The main window: image canvas with the heatmap overlay, the prompt bar, the answer as clickable tokens,
// a panel per explainer plus a comparison tab, the prompt tokens coloured by score, review notes, and a
// status bar. All model work goes to the worker thread; every view is linked through the current token.
#include <QHash>
#include <QImage>
#include <QMainWindow>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "core/eval/image_truth.h"
#include "core/model/model_identity.h"

#include "ui/window/demo_gallery.h"
#include "ui/worker/worker_host.h"
#include "ui/worker/worker_types.h"

class QTabWidget;
class QLabel;
class QComboBox;
class QPlainTextEdit;
class QSettings;
class QTimer;
class QMenu;

namespace sightline {
struct Session;
}

namespace sightline::ui {

class ImageCanvas;
class TokenStrip;
class PromptBar;
class MethodPanel;
class ComparePanel;
class KnockoutPanel;
class OverlayControls;
class SceneEvalDialog;
class BatchResultsDialog;
struct BatchItemToOpen;
struct ReportData;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    struct Options {
        QString model_dir;        // empty: no model is loaded at start
        QString dtype = "auto";   // "auto", "f32" or "bf16"
        QStringList plugin_dirs;  // extra folders scanned for explainer plugins
        bool load_demo = true;    // put a demo scene and question in place once the model is ready
        // Autosave and crash recovery: the current session is saved to
        // <state_dir>/autosave-<pid>.sightline.json every `autosave_seconds` while it has unsaved
        // changes, and soon after every explanation; a clean close removes it, so one found at start
        // belongs to a run that crashed and is offered back. Empty: off (tests).
        QString state_dir;
        int autosave_seconds = 60;
        // Settings kept between runs (recent files and models, window layout, heatmap settings, dtype,
        // reviewer name): the platform's QSettings, or an INI file when settings_file is set. Off:
        // nothing is read or written (tests).
        bool persist_settings = false;
        QString settings_file;
    };
    // Answers a yes/no question (default: a QMessageBox); tests install their own.
    using ConfirmHandler = std::function<bool(const QString& title, const QString& text)>;
    enum class UnsavedChoice { Save, Discard, Cancel };
    // Asked before closing with unsaved changes; for Save it sets *path (default: a QMessageBox and
    // then a file dialog).
    using UnsavedPrompt = std::function<UnsavedChoice(QString* path)>;
    explicit MainWindow(const Options& options, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Actions (menus call these; so do tests and the scripted screenshot mode).
    void loadModel(const QString& dir);
    void loadModel(const QString& dir, const QString& dtype);  // "auto", "f32" or "bf16"
    bool openImageFile(const QString& path, QString* error = nullptr);
    void setImage(const QImage& image, const QString& label);
    void setQuestion(const QString& question);
    void startGeneration();
    void cancelAll();
    void selectTarget(int index);
    // Requests every method's explanation of the current token (the Compare tab and the report need them
    // all; a click otherwise computes only the visible tab's method).
    void computeAllMethods();
    // When on, every click computes every method (as the Compare tab does); off by default.
    void setComputeAllOnClick(bool on);
    bool computeAllOnClick() const { return compute_all_on_click_; }
    void setActiveMethod(const QString& method);
    void showDemoScene(int index);
    // Puts a scene-world scene and its own question in place (ground truth applies to its answer).
    void showScene(const DemoScene& scene);
    // Opens the scene-world accuracy dialog (Tools menu), created on first use.
    void showSceneEval();
    bool saveSession(const QString& path, QString* error = nullptr);
    bool openSession(const QString& path, QString* error = nullptr);
    bool exportOverlay(const QString& path, bool raw, QString* error = nullptr);
    bool exportScores(const QString& path, QString* error = nullptr);   // .csv or .json
    bool exportPlots(const QString& folder, QString* error = nullptr);  // PNG + PDF of every plot
    // Every array of every explanation shown, as NumPy .npy files in `folder`
    // (<method>_t<target>_<array>.npy: map, image_tokens, text_scores, text_positions, views).
    bool exportArrays(const QString& folder, QString* error = nullptr);
    // Runs the Knockout tab's intervention on the current token (the tab's Run button).
    void runKnockout();
    // Ground truth for the current (user's) image: a COCO-style JSON file or a folder of PNG masks
    // (core/eval/image_truth.h); every map is then scored against the object its token names.
    bool openGroundTruth(const QString& path, QString* error = nullptr);
    // Ground truth already read for the current image (a batch item's); scores what is shown.
    void setGroundTruth(ImageTruth truth);
    bool hasGroundTruth() const { return user_truth_.has_value(); }
    // Opens the batch results dialog (Tools menu), created on first use; `dir` (optional) is read.
    void showBatchResults(const QString& dir = {});
    // Opens a batch item in the explorer: its image, its question, its ground truth; then asks the model.
    bool openBatchItem(const BatchItemToOpen& item, QString* error = nullptr);
    bool exportReport(const QString& path, QString* error = nullptr);  // PDF
    // What the report shows (every method computed first); false with *error when it cannot be made.
    bool reportData(ReportData* data, QString* error = nullptr);

    // Review records: who reviewed, with which model and image.
    QString reviewerName() const { return reviewer_; }
    void setReviewerName(const QString& name);  // kept in the settings when they persist
    // The loaded model folder's identity (hashes of its files, computed in the background after
    // loading and cached); empty until computed. waitForModelIdentity runs the event loop until it is.
    const ModelIdentity& modelIdentity() const { return model_identity_; }
    bool waitForModelIdentity(QString* error = nullptr);
    QString imageFileSha256() const { return image_file_sha256_; }
    void setConfirmHandler(ConfirmHandler handler) { confirm_ = std::move(handler); }
    void setUnsavedPrompt(UnsavedPrompt prompt) { unsaved_prompt_ = std::move(prompt); }

    // Nothing lost: unsaved changes, autosave and recovery, recent files.
    bool hasUnsavedChanges() const { return unsaved_; }
    QString autosavePath() const;  // empty when autosave is off
    bool autosaveNow(QString* error = nullptr);
    // Autosaves left by runs that did not close (their process is gone), newest first.
    QStringList recoverableSessions() const;
    // Offers the newest recoverable session (confirm handler); opens it when accepted, deletes the
    // offered files when declined. True when a session was opened.
    bool offerRecovery();
    QStringList recentFiles(const QString& kind) const;  // "sessions", "images" or "models"
    QSettings* settings() const { return settings_.get(); }

    // State.
    bool modelReady() const { return model_ready_; }
    const ModelInfo& modelInfo() const { return model_; }
    TracePtr trace() const { return trace_; }
    int currentTarget() const { return target_; }
    QString activeMethod() const;
    const QHash<QString, Explanation>& explanations() const { return explanations_; }
    bool isIdle() const;
    QStringList busyChannels() const;  // worker channels with a job in flight
    int defaultTarget() const;         // first answer token that names an object (colour/shape), else 0

    // Widgets, for tests.
    WorkerHost* host() const { return host_; }
    ImageCanvas* canvas() const { return canvas_; }
    OverlayControls* overlayControls() const { return overlay_; }
    TokenStrip* answerStrip() const { return answer_; }
    TokenStrip* promptStrip() const { return prompt_tokens_; }
    PromptBar* promptBar() const { return prompt_bar_; }
    MethodPanel* panel(const QString& method) const { return panels_.value(method); }
    ComparePanel* comparePanel() const { return compare_; }
    KnockoutPanel* knockoutPanel() const { return knockout_; }
    QTabWidget* tabs() const { return tabs_; }
    QComboBox* answerColouring() const { return answer_colour_; }
    QPlainTextEdit* notes() const { return notes_; }
    QLabel* banner() const { return banner_; }
    SceneEvalDialog* sceneEval() const { return scene_eval_; }
    BatchResultsDialog* batchResults() const { return batch_results_; }

  Q_SIGNALS:
    void modelReadyChanged(bool ready);
    void generationFinished();
    void explanationShown(const QString& method);
    void idle();
    void errorShown(const QString& message);
    void autosaved(const QString& path);

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    void build_ui();
    void build_menus();
    void rebuild_panels();
    void connect_worker();
    void load_plugins(const QStringList& dirs);
    void request_explanation(const QString& method);
    void request_all_explanations();
    // The methods the visible tab shows (one panel, or all of them on the Compare tab) that are neither
    // computed for the current token nor in flight.
    void request_visible_explanations();
    void request_visual_relevance_if_shown();
    // Runs the event loop until every method's explanation of the current token is in (or a failure).
    bool wait_for_all_methods(QString* error);
    void show_active_map();
    void update_answer_colours();
    void update_status();
    void show_error(const QString& message);
    void check_idle();
    void restore_session_views();  // catches: a failure drops the session with a message
    void restore_session_views_unchecked();
    bool write_scores(const QString& path, QString* error);  // exportScores after its checks
    bool write_report(const QString& path, QString* error);  // exportReport after its checks
    Session current_session() const;                         // what saveSession and autosave write

    // Records, autosave and settings (main_window_records.cpp).
    void init_records();
    void mark_unsaved();
    void mark_saved();
    void schedule_autosave();
    void remove_own_autosave();
    void start_model_identity();
    void stop_model_identity();
    // Asks before a stored session is shown with a model whose identity differs; false: drop it.
    bool confirm_session_model(const ModelIdentity& recorded);  // a copy: the event loop may run
    void remember_recent(const QString& kind, const QString& path);
    void fill_recent_menu();
    void restore_window_settings();
    void save_window_settings();

    // Worker results.
    void on_model_loaded(const ModelInfo& info);
    void on_token_streamed(const TracePtr& partial);
    void on_generated(const TracePtr& trace, quint64 serial, bool adopted);
    void on_explained(const Explanation& e);
    void on_failed(const JobKey& key, const QString& message);
    void on_cancelled(const JobKey& key);

    Options options_;
    WorkerHost* host_;
    ModelInfo model_;
    bool model_ready_ = false;
    QImage image_;  // the original image
    QString image_label_;
    std::optional<DemoScene> demo_;         // the demo scene on the canvas, until another image replaces it
    std::optional<DemoScene> scene_truth_;  // the demo scene whose own question the current trace answers
    QString loading_dir_;
    TracePtr trace_;
    quint64 trace_serial_ = 0;
    int target_ = -1;
    QHash<QString, Explanation> explanations_;  // current target, by method
    QWidget* compare_tab_ = nullptr;
    KnockoutPanel* knockout_ = nullptr;
    QStringList compared_;
    std::optional<ImageTruth> user_truth_;  // the user's ground truth for the current image
    void apply_user_truth(
        Explanation& e) const;  // methods compared and computed together (not the on-demand instruments)
    QVector<double> llr_;       // visual relevance per answer token
    QVector<float> image_to_answer_;  // last image -> answer scores
    QStringList plugin_names_;
    bool was_busy_ = false;
    bool compute_all_on_click_ = false;
    struct PendingSession;
    std::unique_ptr<PendingSession> pending_session_;

    ImageCanvas* canvas_ = nullptr;
    OverlayControls* overlay_ = nullptr;
    TokenStrip* answer_ = nullptr;
    TokenStrip* prompt_tokens_ = nullptr;
    PromptBar* prompt_bar_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QHash<QString, MethodPanel*> panels_;
    ComparePanel* compare_ = nullptr;
    QComboBox* answer_colour_ = nullptr;
    QPlainTextEdit* notes_ = nullptr;
    QLabel* banner_ = nullptr;
    SceneEvalDialog* scene_eval_ = nullptr;
    BatchResultsDialog* batch_results_ = nullptr;
    QLabel* status_model_ = nullptr;
    QLabel* status_timing_ = nullptr;

    // Records, autosave and settings.
    std::unique_ptr<QSettings> settings_;
    QString reviewer_;
    ModelIdentity model_identity_;
    QString model_identity_error_;
    struct IdentityJob;
    std::shared_ptr<IdentityJob> identity_job_;
    QString image_file_sha256_;
    ConfirmHandler confirm_;
    UnsavedPrompt unsaved_prompt_;
    bool unsaved_ = false;
    bool restoring_ = false;  // a session is being put in place (not a user change)
    bool recovery_offered_ = false;
    QTimer* autosave_timer_ = nullptr;
    QTimer* autosave_soon_ = nullptr;
    QMenu* recent_menu_ = nullptr;
};

}  // namespace sightline::ui
