#pragma once
// Owns the model-worker thread and is the GUI's only door to it. Requests become queued functor calls on
// the worker with fresh job ids from the JobTracker; the worker's answers (signals carrying the id) come
// back here, where answers of superseded jobs are dropped and the rest are re-emitted as typed signals
// keyed by channel. The window never handles a job id.
#include <QObject>
#include <QPoint>
#include <QThread>
#include <QVector>
#include <memory>

#include "ui/worker/cancel_board.h"
#include "ui/worker/job_tracker.h"
#include "ui/worker/model_worker.h"

namespace sightline::ui {

class WorkerHost : public QObject {
    Q_OBJECT
  public:
    explicit WorkerHost(QObject* parent = nullptr);
    ~WorkerHost() override;

    ModelWorker* worker() const { return worker_; }
    const JobTracker& jobs() const { return jobs_; }
    void start();  // starts the thread (call after adding plugin explainers to worker())

    // Each request supersedes the previous one on its channel and returns the new job's id (for tests).
    quint64 loadModel(const QString& dir, const QString& dtype = "auto");  // cancels everything in flight
    quint64 generate(const GenerationJob& job);
    quint64 adoptTrace(const TracePtr& trace, const QImage& image);
    quint64 explain(const ExplainJob& job);  // channel JobKey::explain(job.method)
    quint64 imageToAnswer(const QVector<QPoint>& patches, const nlohmann::json& params);
    quint64 visualRelevance();
    // Knocks `spec`'s positions out for answer token `target` and re-runs (Explorer::knockout).
    quint64 knockout(qint64 target, const KnockoutSpec& spec);
    quint64 faithfulness(const QString& method, qint64 target, const nlohmann::json& params, int steps);
    quint64 evaluateScenes(int n, quint64 first_seed);
    void cancel(const JobKey& key) { jobs_.cancel(key); }
    void cancelAll() { jobs_.cancel_all(); }
    bool busy(const JobKey& key) const { return jobs_.busy(key); }

  Q_SIGNALS:
    // Answers of current jobs only.
    void modelLoaded(const sightline::ui::ModelInfo& info);
    void tokenStreamed(const sightline::ui::TracePtr& partial);
    // A new answer: generated (adopted = false) or a reopened session's trace adopted (adopted = true).
    void generated(const sightline::ui::TracePtr& trace, quint64 trace_serial, bool adopted);
    void explained(const sightline::Explanation& explanation);
    void imageToAnswerReady(const QVector<float>& scores);
    void visualRelevanceReady(const QVector<double>& llr);
    void knockoutReady(const KnockoutResult& result);
    void faithfulnessReady(const sightline::ui::FaithfulnessCurves& curves);
    void sceneEvalReady(const sightline::train::ToyEvalResult& result);
    void progress(const sightline::ui::JobKey& key, int done, int total);
    void stageProgress(const sightline::ui::JobKey& key, const QString& text, qint64 done, qint64 total);
    void failed(const sightline::ui::JobKey& key, const QString& message);
    void cancelled(const sightline::ui::JobKey& key);
    // After every final answer above (result, failure or cancellation) of a current job.
    void jobFinished(const sightline::ui::JobKey& key);

  private:
    // Connects a worker result signal: forwarded through `emit_typed` when its job is current.
    template <typename... Args, typename Emit>
    void forward(void (ModelWorker::*signal)(quint64, Args...), Emit emit_typed);

    CancelBoard board_;
    JobTracker jobs_{&board_};
    QThread thread_;
    ModelWorker* worker_;
};

}  // namespace sightline::ui
