#pragma once
// The main window: image canvas with the heatmap overlay, the prompt bar, the answer as clickable tokens,
// a panel per explainer plus a comparison tab, the prompt tokens coloured by score, review notes, and a
// status bar. All model work goes to the worker thread; every view is linked through the current token.
#include <QHash>
#include <QImage>
#include <QMainWindow>
#include <QStringList>

#include <optional>

#include "ui/window/demo_gallery.h"
#include "ui/worker/worker_host.h"
#include "ui/worker/worker_types.h"

class QTabWidget;
class QLabel;
class QComboBox;
class QPlainTextEdit;

namespace sightline::ui {

class ImageCanvas;
class TokenStrip;
class PromptBar;
class MethodPanel;
class ComparePanel;
class OverlayControls;
class SceneEvalDialog;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    struct Options {
        QString model_dir;        // empty: no model is loaded at start
        QString dtype = "auto";   // "auto", "f32" or "bf16"
        QStringList plugin_dirs;  // extra folders scanned for explainer plugins
        bool load_demo = true;    // put a demo scene and question in place once the model is ready
    };
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
    bool exportReport(const QString& path, QString* error = nullptr);   // PDF

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
    QTabWidget* tabs() const { return tabs_; }
    QComboBox* answerColouring() const { return answer_colour_; }
    QPlainTextEdit* notes() const { return notes_; }
    QLabel* banner() const { return banner_; }
    SceneEvalDialog* sceneEval() const { return scene_eval_; }

  Q_SIGNALS:
    void modelReadyChanged(bool ready);
    void generationFinished();
    void explanationShown(const QString& method);
    void idle();
    void errorShown(const QString& message);

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
    QVector<double> llr_;                       // visual relevance per answer token
    QVector<float> image_to_answer_;            // last image -> answer scores
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
    QLabel* status_model_ = nullptr;
    QLabel* status_timing_ = nullptr;
};

}  // namespace sightline::ui
