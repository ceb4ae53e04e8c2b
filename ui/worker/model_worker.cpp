#include "ui/worker/model_worker.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <QThread>
#include <nlohmann/json.hpp>

#include "core/explore/explorer.h"
#include "core/io/torch_dtype.h"
#include "core/model/loaded_model.h"
#include "core/toy/sample.h"
#include "core/toy/task.h"
#include "core/train/toy_eval.h"
#include "core/util/error.h"
#include "ui/widgets/cv_qimage.h"

namespace sightline::ui {

ModelWorker::ModelWorker(CancelBoard* board, QObject* parent)
    : QObject(parent), board_(board), explorer_(std::make_unique<Explorer>()) {}

ModelWorker::~ModelWorker() = default;

void ModelWorker::add_explainer(std::shared_ptr<const Explainer> explainer) {
    explorer_->add_explainer(std::move(explainer));
}

void ModelWorker::initialize() {
    configure_threads(0);
}

template <typename F>
void ModelWorker::run_job(quint64 id, F&& body) {
    if (board_->is_cancelled(id)) {  // superseded while queued: skip without work
        Q_EMIT cancelled(id);
        return;
    }
    try {
        const auto flag = board_->flag(id);
        const JobControl control = control_for(id, flag.get());
        body(control);
    } catch (const CancelledError&) {
        Q_EMIT cancelled(id);
    } catch (const std::exception& e) {
        Q_EMIT failed(id, QString::fromStdString(e.what()));
    }
}

JobControl ModelWorker::control_for(quint64 id, const std::atomic<bool>* cancel) {
    return JobControl(cancel, [this, id](const Progress& p) {
        Q_EMIT stageProgress(id, QString::fromStdString(p.describe()), p.done, p.total);
    });
}

ModelInfo ModelWorker::describe_model() const {
    const LoadedModel& m = explorer_->model();
    ModelInfo info;
    const auto& c = m.config;
    info.name = QString::fromStdString(m.name);
    info.dir = QString::fromStdString(m.dir);
    info.architecture = QString::fromStdString(c.architecture);
    info.dtype = to_string(m.model->dtype());
    if (m.model->int8_weights()) info.dtype += " + int8 weights";
    info.threads = active_threads();
    info.parameters = m.model->parameter_count();
    info.layers = static_cast<int>(c.text.num_hidden_layers);
    info.heads = static_cast<int>(c.text.num_attention_heads);
    info.multimodal = c.multimodal;
    info.grid_h = info.grid_w = c.multimodal ? static_cast<int>(c.image_grid()) : 0;
    info.image_tokens = c.image_token_count();
    info.context = c.text.max_position_embeddings;
    info.load_ms = m.load_ms;
    for (const auto& n : m.notes) info.notes << QString::fromStdString(n);
    for (const auto& name : explorer_->registry().names()) {
        const auto e = explorer_->registry().get(name);
        info.explainers.push_back({QString::fromStdString(e->name()), QString::fromStdString(e->title()),
                                   QString::fromStdString(e->description()), e->params(c), e->on_demand()});
    }
    return info;
}

void ModelWorker::loadModel(quint64 id, const QString& dir, const QString& dtype) {
    run_job(id, [&](const JobControl& control) {
        LoadOptions o = load_options_for(dtype.toStdString());
        o.control = &control;
        explorer_->load(dir.toStdString(), o);
        Q_EMIT modelLoaded(id, describe_model());
    });
}

void ModelWorker::generate(quint64 id, const GenerationJob& job) {
    run_job(id, [&](const JobControl& control) {
        PromptRequest r;
        r.question = job.question.toStdString();
        r.system = job.system.toStdString();
        r.turns = job.turns;
        r.image_label = job.image_label.toStdString();
        if (!job.image.isNull()) r.image_rgb = qimageToRgbMat(job.image);
        const auto trace = explorer_->generate(r, job.settings, &control, [&](const Trace& partial) {
            Q_EMIT tokenStreamed(id, std::make_shared<const Trace>(partial));
            return true;
        });
        Q_EMIT generated(id, trace, explorer_->trace_serial());
    });
}

void ModelWorker::adoptTrace(quint64 id, const TracePtr& trace, const QImage& image) {
    run_job(id, [&](const JobControl&) {
        if (!trace) fail("no answer to adopt");
        const auto adopted =
            explorer_->adopt_trace(*trace, image.isNull() ? cv::Mat() : qimageToRgbMat(image));
        Q_EMIT generated(id, adopted, explorer_->trace_serial());
    });
}

void ModelWorker::explain(quint64 id, const ExplainJob& job) {
    run_job(id, [&](const JobControl& control) {
        if (job.trace_serial != 0 && job.trace_serial != explorer_->trace_serial())
            throw CancelledError();  // for an old trace
        Explanation e = explorer_->explain(job.method.toStdString(), job.target, job.params, &control);
        if (!job.scene_task.isEmpty() && e.has_image_map()) {
            if (const auto task = toy::parse_task(job.scene_task.toStdString()))
                e.ground_truth = explorer_->ground_truth(e, toy::make_sample(job.scene_seed, *task));
        }
        Q_EMIT explained(id, e);
    });
}

void ModelWorker::imageToAnswer(quint64 id, const QVector<QPoint>& patches, const nlohmann::json& params) {
    run_job(id, [&](const JobControl&) {
        std::vector<std::pair<int, int>> cells;
        for (const auto& pt : patches) cells.emplace_back(pt.y(), pt.x());
        const auto scores = explorer_->image_to_answer(cells, params);
        Q_EMIT imageToAnswerReady(id, QVector<float>(scores.begin(), scores.end()));
    });
}

void ModelWorker::knockout(quint64 id, qint64 target, const KnockoutSpec& spec) {
    run_job(id, [&](const JobControl& control) {
        Q_EMIT knockoutReady(id, explorer_->knockout(target, spec, &control));
    });
}

void ModelWorker::visualRelevance(quint64 id) {
    run_job(id, [&](const JobControl& control) {
        const auto llr = explorer_->visual_relevance(&control);
        Q_EMIT visualRelevanceReady(id, QVector<double>(llr.begin(), llr.end()));
    });
}

void ModelWorker::faithfulness(quint64 id, const QString& method, qint64 target, const nlohmann::json& params,
                               int steps) {
    run_job(id, [&](const JobControl& job_control) {
        // The curves' re-runs are counted on the panel's own progress bar.
        const JobControl control(job_control.cancel_flag(), [this, id](const Progress& p) {
            if (p.stage == "faithfulness re-runs")
                Q_EMIT progress(id, static_cast<int>(p.done), static_cast<int>(p.total));
            else
                Q_EMIT stageProgress(id, QString::fromStdString(p.describe()), p.done, p.total);
        });
        const FaithfulnessResult r =
            explorer_->faithfulness(method.toStdString(), target, params, steps, &control);
        FaithfulnessCurves c;
        c.method = method;
        c.target = target;
        c.fraction = QVector<double>(r.fraction.begin(), r.fraction.end());
        c.deletion = QVector<double>(r.deletion.begin(), r.deletion.end());
        c.insertion = QVector<double>(r.insertion.begin(), r.insertion.end());
        c.deletion_auc = r.deletion_auc;
        c.insertion_auc = r.insertion_auc;
        Q_EMIT faithfulnessReady(id, c);
    });
}

size_t qHash(const JobKey& key, size_t seed) noexcept {
    return ::qHash(key.method, ::qHash(static_cast<int>(key.channel), seed));
}

QString to_string(const JobKey& key) {
    switch (key.channel) {
        case Channel::Model:
            return "model";
        case Channel::Generate:
            return "generate";
        case Channel::Adopt:
            return "adopt";
        case Channel::Explain:
            return "explain:" + key.method;
        case Channel::ImageToAnswer:
            return "image-to-answer";
        case Channel::VisualRelevance:
            return "visual-relevance";
        case Channel::Faithfulness:
            return "faithfulness";
        case Channel::SceneEval:
            return "scene-eval";
        case Channel::Knockout:
            return "knockout";
    }
    return "unknown";
}

void register_worker_types() {
    qRegisterMetaType<TracePtr>();
    qRegisterMetaType<GenerationJob>();
    qRegisterMetaType<ExplainJob>();
    qRegisterMetaType<ModelInfo>();
    qRegisterMetaType<FaithfulnessCurves>();
    qRegisterMetaType<sightline::Explanation>();
    qRegisterMetaType<sightline::KnockoutResult>();
    qRegisterMetaType<QVector<float>>();
    qRegisterMetaType<QVector<double>>();
    qRegisterMetaType<QVector<QPoint>>();
    qRegisterMetaType<JobKey>();
    qRegisterMetaType<train::ToyEvalResult>();
}

void ModelWorker::evaluateScenes(quint64 id, int n, quint64 first_seed) {
    run_job(id, [&](const JobControl& control) {
        const LoadedModel& m = explorer_->model();
        if (!m.config.multimodal) fail(m.name, " is a text-only model; scene questions need images");
        train::ToyEvalOptions o;
        o.n = n;
        o.first_seed = first_seed;
        o.max_failures = n;
        o.cancel = control.cancel_flag();
        o.progress = [&](int done, int total) { Q_EMIT progress(id, done, total); };
        const train::ToyEvalResult r = train::evaluate_toy(m, o);
        Q_EMIT sceneEvalReady(id, r);
    });
}

}  // namespace sightline::ui
