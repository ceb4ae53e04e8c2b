#include "ui/worker/worker_host.h"

namespace sightline::ui {

template <typename... Args, typename Emit>
void WorkerHost::forward(void (ModelWorker::*signal)(quint64, Args...), Emit emit_typed) {
    // The worker emits on its thread; `this` lives on the GUI thread, so the call is queued.
    connect(worker_, signal, this, [this, emit_typed](quint64 id, Args... args) {
        const auto key = jobs_.take(id);
        if (!key) return;  // superseded: dropped
        emit_typed(*key, args...);
        Q_EMIT jobFinished(*key);
    });
}

WorkerHost::WorkerHost(QObject* parent) : QObject(parent), worker_(new ModelWorker(&board_)) {
    register_worker_types();
    thread_.setObjectName("model-worker");
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::started, worker_, &ModelWorker::initialize);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);

    forward(&ModelWorker::modelLoaded,
            [this](const JobKey&, const ModelInfo& info) { Q_EMIT modelLoaded(info); });
    forward(&ModelWorker::generated, [this](const JobKey& key, const TracePtr& trace, quint64 serial) {
        Q_EMIT generated(trace, serial, key.channel == Channel::Adopt);
    });
    forward(&ModelWorker::explained, [this](const JobKey&, const Explanation& e) { Q_EMIT explained(e); });
    forward(&ModelWorker::imageToAnswerReady,
            [this](const JobKey&, const QVector<float>& scores) { Q_EMIT imageToAnswerReady(scores); });
    forward(&ModelWorker::visualRelevanceReady,
            [this](const JobKey&, const QVector<double>& llr) { Q_EMIT visualRelevanceReady(llr); });
    forward(&ModelWorker::knockoutReady,
            [this](const JobKey&, const KnockoutResult& r) { Q_EMIT knockoutReady(r); });
    forward(&ModelWorker::faithfulnessReady,
            [this](const JobKey&, const FaithfulnessCurves& c) { Q_EMIT faithfulnessReady(c); });
    forward(&ModelWorker::sceneEvalReady,
            [this](const JobKey&, const train::ToyEvalResult& r) { Q_EMIT sceneEvalReady(r); });
    forward(&ModelWorker::failed,
            [this](const JobKey& key, const QString& message) { Q_EMIT failed(key, message); });
    forward(&ModelWorker::cancelled, [this](const JobKey& key) { Q_EMIT cancelled(key); });

    // Intermediate answers: forwarded while the job is current, without finishing it.
    connect(worker_, &ModelWorker::tokenStreamed, this, [this](quint64 id, const TracePtr& partial) {
        if (jobs_.key_of(id)) Q_EMIT tokenStreamed(partial);
    });
    connect(worker_, &ModelWorker::progress, this, [this](quint64 id, int done, int total) {
        if (const auto key = jobs_.key_of(id)) Q_EMIT progress(*key, done, total);
    });
    connect(worker_, &ModelWorker::stageProgress, this,
            [this](quint64 id, const QString& text, qint64 done, qint64 total) {
                if (const auto key = jobs_.key_of(id)) Q_EMIT stageProgress(*key, text, done, total);
            });
}

WorkerHost::~WorkerHost() {
    jobs_.cancel_all();
    thread_.quit();
    thread_.wait();
}

void WorkerHost::start() {
    thread_.start();
}

quint64 WorkerHost::loadModel(const QString& dir, const QString& dtype) {
    jobs_.cancel_all();
    const quint64 id = jobs_.start({Channel::Model, {}});
    QMetaObject::invokeMethod(
        worker_, [w = worker_, id, dir, dtype] { w->loadModel(id, dir, dtype); }, Qt::QueuedConnection);
    return id;
}

quint64 WorkerHost::generate(const GenerationJob& job) {
    jobs_.cancel({Channel::Adopt, {}});
    const quint64 id = jobs_.start({Channel::Generate, {}});
    QMetaObject::invokeMethod(
        worker_, [w = worker_, id, job] { w->generate(id, job); }, Qt::QueuedConnection);
    return id;
}

quint64 WorkerHost::adoptTrace(const TracePtr& trace, const QImage& image) {
    jobs_.cancel({Channel::Generate, {}});
    const quint64 id = jobs_.start({Channel::Adopt, {}});
    QMetaObject::invokeMethod(
        worker_, [w = worker_, id, trace, image] { w->adoptTrace(id, trace, image); }, Qt::QueuedConnection);
    return id;
}

quint64 WorkerHost::explain(const ExplainJob& job) {
    const quint64 id = jobs_.start(JobKey::explain(job.method));
    QMetaObject::invokeMethod(
        worker_, [w = worker_, id, job] { w->explain(id, job); }, Qt::QueuedConnection);
    return id;
}

quint64 WorkerHost::imageToAnswer(const QVector<QPoint>& patches, const nlohmann::json& params) {
    const quint64 id = jobs_.start({Channel::ImageToAnswer, {}});
    QMetaObject::invokeMethod(
        worker_, [w = worker_, id, patches, params] { w->imageToAnswer(id, patches, params); },
        Qt::QueuedConnection);
    return id;
}

quint64 WorkerHost::knockout(qint64 target, const KnockoutSpec& spec) {
    const quint64 id = jobs_.start({Channel::Knockout, {}});
    QMetaObject::invokeMethod(
        worker_, [w = worker_, id, target, spec] { w->knockout(id, target, spec); }, Qt::QueuedConnection);
    return id;
}

quint64 WorkerHost::visualRelevance() {
    const quint64 id = jobs_.start({Channel::VisualRelevance, {}});
    QMetaObject::invokeMethod(
        worker_, [w = worker_, id] { w->visualRelevance(id); }, Qt::QueuedConnection);
    return id;
}

quint64 WorkerHost::faithfulness(const QString& method, qint64 target, const nlohmann::json& params,
                                 int steps) {
    const quint64 id = jobs_.start({Channel::Faithfulness, {}});
    QMetaObject::invokeMethod(
        worker_,
        [w = worker_, id, method, target, params, steps] {
            w->faithfulness(id, method, target, params, steps);
        },
        Qt::QueuedConnection);
    return id;
}

quint64 WorkerHost::evaluateScenes(int n, quint64 first_seed) {
    const quint64 id = jobs_.start({Channel::SceneEval, {}});
    QMetaObject::invokeMethod(
        worker_, [w = worker_, id, n, first_seed] { w->evaluateScenes(id, n, first_seed); },
        Qt::QueuedConnection);
    return id;
}

}  // namespace sightline::ui
