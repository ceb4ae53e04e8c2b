#pragma once
// The thread adapter over the core Explorer (core/explore/explorer.h), which owns the model, the
// explanation service and the current answer. It lives on its own QThread ("model-worker"); WorkerHost
// calls its methods as queued functors carrying a job id, and it answers with signals carrying the same id
// (WorkerHost drops the answers of superseded jobs and re-emits the rest by channel).
// Each job gets a JobControl: its cancel flag from the CancelBoard and its progress forwarded as
// stageProgress; nothing here blocks the GUI thread.
#include <QObject>
#include <QPoint>
#include <QVector>
#include <memory>

#include "core/util/progress.h"
#include "ui/worker/cancel_board.h"
#include "ui/worker/worker_types.h"

namespace sightline {
class Explorer;
class Explainer;
}  // namespace sightline

namespace sightline::ui {

class ModelWorker : public QObject {
    Q_OBJECT
  public:
    explicit ModelWorker(CancelBoard* board, QObject* parent = nullptr);
    ~ModelWorker() override;
    // Explainers from plugins, added to every service this worker creates (call before start).
    void add_explainer(std::shared_ptr<const Explainer> explainer);

    // Called on the worker thread only (queued by WorkerHost).
    void initialize();  // first call on the worker thread: thread count, grad mode
    void loadModel(quint64 id, const QString& dir, const QString& dtype);
    void generate(quint64 id, const sightline::ui::GenerationJob& job);
    // Adopts a trace produced elsewhere (a reopened session); the image is the original one.
    void adoptTrace(quint64 id, const sightline::ui::TracePtr& trace, const QImage& image);
    void explain(quint64 id, const sightline::ui::ExplainJob& job);
    void imageToAnswer(quint64 id, const QVector<QPoint>& patches, const nlohmann::json& params);
    void visualRelevance(quint64 id);
    void knockout(quint64 id, qint64 target, const KnockoutSpec& spec);
    void faithfulness(quint64 id, const QString& method, qint64 target, const nlohmann::json& params,
                      int steps);
    // Exact-match accuracy on held-out scene-world questions (train::evaluate_toy, balanced tasks), with
    // progress per question and every wrong answer listed.
    void evaluateScenes(quint64 id, int n, quint64 first_seed);

  Q_SIGNALS:
    void modelLoaded(quint64 id, const sightline::ui::ModelInfo& info);
    void tokenStreamed(quint64 id, const sightline::ui::TracePtr& partial);
    void generated(quint64 id, const sightline::ui::TracePtr& trace, quint64 trace_serial);
    void explained(quint64 id, const sightline::Explanation& explanation);
    void imageToAnswerReady(quint64 id, const QVector<float>& scores);
    void visualRelevanceReady(quint64 id, const QVector<double>& llr);
    void knockoutReady(quint64 id, const KnockoutResult& result);
    void faithfulnessReady(quint64 id, const sightline::ui::FaithfulnessCurves& curves);
    void sceneEvalReady(quint64 id, const sightline::train::ToyEvalResult& result);
    void progress(quint64 id, int done, int total);
    // Where a long job is (model load, vision encoding, prefill per layer, decode per token, the passes
    // an explainer runs): Progress::describe() text and the stage's step counts (total 0 = unknown).
    void stageProgress(quint64 id, const QString& text, qint64 done, qint64 total);
    void failed(quint64 id, const QString& message);
    void cancelled(quint64 id);

  private:
    template <typename F>
    void run_job(quint64 id, F&& body);
    // Cancellation from the job's flag and progress forwarded as stageProgress(id, ...).
    JobControl control_for(quint64 id, const std::atomic<bool>* cancel);
    ModelInfo describe_model() const;
    CancelBoard* board_;
    std::unique_ptr<Explorer> explorer_;
};

}  // namespace sightline::ui
