#pragma once
// Owns the model-worker thread: starts it, forwards requests as queued calls with fresh job ids from the
// JobTracker, exposes the worker's signals, cancels, and shuts the thread down cleanly.
#include <QObject>
#include <QThread>
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
    JobTracker& jobs() { return jobs_; }
    void start();  // starts the thread (call after adding plugin explainers to worker())

    quint64 loadModel(const QString& dir, const QString& dtype = "auto");
    quint64 generate(const GenerationJob& job);
    quint64 adoptTrace(const TracePtr& trace, const QImage& image);
    quint64 explain(const ExplainJob& job);  // channel "explain:<method>"
    quint64 imageToAnswer(const QVector<QPoint>& patches, const QString& params_json);
    quint64 visualRelevance();
    quint64 faithfulness(const QString& method, qint64 target, const QString& params_json, int steps);
    quint64 evaluateScenes(int n, quint64 first_seed);  // channel "scene-eval"
    void cancel(const QString& channel) { jobs_.cancel(channel); }

    static QString channel_for_method(const QString& method) { return "explain:" + method; }

  private:
    CancelBoard board_;
    JobTracker jobs_{&board_};
    QThread thread_;
    ModelWorker* worker_;
};

}  // namespace sightline::ui
