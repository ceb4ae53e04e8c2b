#include "ui/worker/worker_host.h"

namespace sightline::ui {

WorkerHost::WorkerHost(QObject* parent) : QObject(parent), worker_(new ModelWorker(&board_)) {
    register_worker_types();
    thread_.setObjectName("model-worker");
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::started, worker_, &ModelWorker::initialize);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
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
    const quint64 id = jobs_.start("model");
    QMetaObject::invokeMethod(worker_, "loadModel", Qt::QueuedConnection, Q_ARG(quint64, id),
                              Q_ARG(QString, dir), Q_ARG(QString, dtype));
    return id;
}

quint64 WorkerHost::generate(const GenerationJob& job) {
    for (const QString& ch : {QString("generate"), QString("adopt")}) jobs_.cancel(ch);
    const quint64 id = jobs_.start("generate");
    QMetaObject::invokeMethod(worker_, "generate", Qt::QueuedConnection, Q_ARG(quint64, id),
                              Q_ARG(sightline::ui::GenerationJob, job));
    return id;
}

quint64 WorkerHost::adoptTrace(const TracePtr& trace, const QImage& image) {
    jobs_.cancel("generate");
    const quint64 id = jobs_.start("adopt");
    QMetaObject::invokeMethod(worker_, "adoptTrace", Qt::QueuedConnection, Q_ARG(quint64, id),
                              Q_ARG(sightline::ui::TracePtr, trace), Q_ARG(QImage, image));
    return id;
}

quint64 WorkerHost::explain(const ExplainJob& job) {
    const quint64 id = jobs_.start(channel_for_method(job.method));
    QMetaObject::invokeMethod(worker_, "explain", Qt::QueuedConnection, Q_ARG(quint64, id),
                              Q_ARG(sightline::ui::ExplainJob, job));
    return id;
}

quint64 WorkerHost::imageToAnswer(const QVector<QPoint>& patches, const QString& params_json) {
    const quint64 id = jobs_.start("image-to-answer");
    QMetaObject::invokeMethod(worker_, "imageToAnswer", Qt::QueuedConnection, Q_ARG(quint64, id),
                              Q_ARG(QVector<QPoint>, patches), Q_ARG(QString, params_json));
    return id;
}

quint64 WorkerHost::visualRelevance() {
    const quint64 id = jobs_.start("visual-relevance");
    QMetaObject::invokeMethod(worker_, "visualRelevance", Qt::QueuedConnection, Q_ARG(quint64, id));
    return id;
}

quint64 WorkerHost::faithfulness(const QString& method, qint64 target, const QString& params_json,
                                 int steps) {
    const quint64 id = jobs_.start("faithfulness");
    QMetaObject::invokeMethod(worker_, "faithfulness", Qt::QueuedConnection, Q_ARG(quint64, id),
                              Q_ARG(QString, method), Q_ARG(qint64, target), Q_ARG(QString, params_json),
                              Q_ARG(int, steps));
    return id;
}

quint64 WorkerHost::evaluateScenes(int n, quint64 first_seed) {
    const quint64 id = jobs_.start("scene-eval");
    QMetaObject::invokeMethod(worker_, "evaluateScenes", Qt::QueuedConnection, Q_ARG(quint64, id),
                              Q_ARG(int, n), Q_ARG(quint64, first_seed));
    return id;
}

}  // namespace sightline::ui
