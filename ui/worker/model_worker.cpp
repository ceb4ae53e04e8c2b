#include "ui/worker/model_worker.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <QThread>
#include <nlohmann/json.hpp>

#include "core/eval/ground_truth.h"
#include "core/explain/attention_explainer.h"
#include "core/explain/explanation_service.h"
#include "core/explain/trace_context.h"
#include "core/explain/visual_relevance.h"
#include "core/generate/generator.h"
#include "core/image/preprocess.h"
#include "core/io/torch_dtype.h"
#include "core/metrics/faithfulness.h"
#include "core/model/loaded_model.h"
#include "core/toy/sample.h"
#include "core/toy/task.h"
#include "core/train/toy_eval.h"
#include "core/util/error.h"
#include "ui/widgets/cv_qimage.h"

namespace sightline::ui {

ModelWorker::ModelWorker(CancelBoard* board, QObject* parent) : QObject(parent), board_(board) {}

ModelWorker::~ModelWorker() = default;

void ModelWorker::add_explainer(std::shared_ptr<const Explainer> explainer) {
    extra_explainers_.push_back(std::move(explainer));
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
        body(board_->flag(id).get());
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
    ModelInfo info;
    const auto& c = model_->config;
    info.name = QString::fromStdString(model_->name);
    info.dir = QString::fromStdString(model_->dir);
    info.architecture = QString::fromStdString(c.architecture);
    info.dtype = to_string(model_->model->dtype());
    info.threads = active_threads();
    info.parameters = model_->model->parameter_count();
    info.layers = static_cast<int>(c.text.num_hidden_layers);
    info.heads = static_cast<int>(c.text.num_attention_heads);
    info.multimodal = c.multimodal;
    info.grid_h = info.grid_w = c.multimodal ? static_cast<int>(c.vision.grid()) : 0;
    info.image_tokens = c.image_token_count();
    info.context = c.text.max_position_embeddings;
    info.load_ms = model_->load_ms;
    for (const auto& n : model_->notes) info.notes << QString::fromStdString(n);
    for (const auto& name : service_->registry().names()) {
        const auto e = service_->registry().get(name);
        info.explainers.push_back({QString::fromStdString(e->name()), QString::fromStdString(e->title()),
                                   QString::fromStdString(e->description()), e->params(c)});
    }
    return info;
}

void ModelWorker::loadModel(quint64 id, const QString& dir, const QString& dtype) {
    run_job(id, [&](const std::atomic<bool>* cancel) {
        const JobControl control = control_for(id, cancel);
        LoadOptions o;
        o.control = &control;
        if (!dtype.isEmpty() && dtype != "auto") o.dtype = parse_compute_dtype(dtype.toStdString());
        auto m = load_model(dir.toStdString(), o);
        context_.reset();
        trace_.reset();
        model_ = std::move(m);
        auto registry = ExplainerRegistry::with_builtins();
        for (const auto& e : extra_explainers_) registry.add(e);
        service_ = std::make_unique<ExplanationService>(std::move(registry));
        Q_EMIT modelLoaded(id, describe_model());
    });
}

void ModelWorker::generate(quint64 id, const GenerationJob& job) {
    run_job(id, [&](const std::atomic<bool>* cancel) {
        if (!model_) fail("no model is loaded");
        PromptRequest r;
        r.question = job.question.toStdString();
        r.image_label = job.image_label.toStdString();
        cv::Mat original;
        if (!job.image.isNull()) {
            original = qimageToRgbMat(job.image);
            r.image_rgb = original;
        }
        const JobControl control = control_for(id, cancel);
        GenerationCallbacks cb;
        cb.control = &control;
        cb.capture =
            true;  // attention rows, hidden states and embeddings: no capture pass on the first click
        cb.on_token = [&](const Trace& partial) {
            Q_EMIT tokenStreamed(id, std::make_shared<const Trace>(partial));
            return true;
        };
        Trace t = sightline::generate(*model_, prepare_prompt(*model_, r), job.settings, cb);
        if (t.stop_reason == "cancelled") throw CancelledError();
        trace_ = std::make_shared<const Trace>(std::move(t));
        original_image_ = original;
        context_ = std::make_unique<TraceContext>(*model_, trace_);
        ++trace_serial_;
        Q_EMIT generated(id, trace_, trace_serial_);
    });
}

void ModelWorker::adoptTrace(quint64 id, const TracePtr& trace, const QImage& image) {
    run_job(id, [&](const std::atomic<bool>*) {
        if (!model_) fail("no model is loaded");
        auto t = std::make_shared<Trace>(*trace);
        original_image_ = cv::Mat();
        if (t->image_begin >= 0) {
            if (image.isNull()) fail("the session's trace has an image but none was given");
            original_image_ = qimageToRgbMat(image);
            t->image = preprocess_image(original_image_, *model_->image_processor);
            t->pixel_values =
                at::from_blob(t->image.pixel_values.data(),
                              {1, t->image.channels, t->image.height, t->image.width}, at::kFloat)
                    .clone();
            t->image.pixel_values.clear();
            if (t->grid_h != model_->config.vision.grid())
                fail("the session was made with a model of a different image grid");
        }
        trace_ = t;
        context_ = std::make_unique<TraceContext>(*model_, trace_);
        ++trace_serial_;
        Q_EMIT generated(id, trace_, trace_serial_);
    });
}

void ModelWorker::explain(quint64 id, const ExplainJob& job) {
    run_job(id, [&](const std::atomic<bool>* cancel) {
        if (!context_) fail("generate an answer first");
        if (job.trace_serial != 0 && job.trace_serial != trace_serial_)
            throw CancelledError();  // for an old trace
        const JobControl control = control_for(id, cancel);
        context_->set_control(&control);
        const auto params = nlohmann::json::parse(job.params_json.toStdString());
        Explanation e = service_->explain(*context_, job.method.toStdString(), job.target, params);
        context_->set_control(nullptr);
        if (!job.scene_task.isEmpty() && e.has_image_map()) {
            if (const auto task = toy::parse_task(job.scene_task.toStdString())) {
                const toy::Sample scene = toy::make_sample(job.scene_seed, *task);
                e.extras["ground_truth"] = ground_truth_readout(
                    *model_, *trace_, scene, job.target, metrics::GridMap{e.grid_h, e.grid_w, e.image_map});
            }
        }
        Q_EMIT explained(id, e);
    });
    if (context_) context_->set_control(nullptr);
}

void ModelWorker::imageToAnswer(quint64 id, const QVector<QPoint>& patches, const QString& params_json) {
    run_job(id, [&](const std::atomic<bool>*) {
        if (!context_) fail("generate an answer first");
        const auto p = nlohmann::json::parse(params_json.toStdString());
        const auto spec = service_->registry().get("attention")->params(model_->config);
        const auto resolved = resolve_params("attention", spec, p);
        std::vector<std::pair<int, int>> cells;
        for (const auto& pt : patches) cells.emplace_back(pt.y(), pt.x());
        const auto scores = image_to_answer_scores(
            *context_, cells, resolved["layers"].get<std::vector<int>>(),
            resolved["heads"].get<std::vector<int>>(), resolved["aggregation"].get<std::string>());
        Q_EMIT imageToAnswerReady(id, QVector<float>(scores.begin(), scores.end()));
    });
}

void ModelWorker::visualRelevance(quint64 id) {
    run_job(id, [&](const std::atomic<bool>*) {
        if (!context_) fail("generate an answer first");
        const auto llr = visual_relevance(*model_, *trace_, original_image_);
        Q_EMIT visualRelevanceReady(id, QVector<double>(llr.begin(), llr.end()));
    });
}

void ModelWorker::faithfulness(quint64 id, const QString& method, qint64 target, const QString& params_json,
                               int steps) {
    run_job(id, [&](const std::atomic<bool>* cancel) {
        if (!context_ || !trace_->has_image())
            fail("deletion/insertion curves need an answer about an image");
        context_->set_cancel_flag(cancel);
        const Explanation e = service_->explain(*context_, method.toStdString(), target,
                                                nlohmann::json::parse(params_json.toStdString()));
        const std::int64_t pos = trace_->answer_begin + target;
        const cv::Mat view = trace_->image.model_view;
        const cv::Mat baseline = metrics::blurred_baseline(view);
        int calls = 0;
        const metrics::ProbabilityFn prob = [&](const cv::Mat& img) {
            if (cancel->load()) throw CancelledError();
            Q_EMIT progress(id, ++calls, 2 * (steps + 1));
            const PreprocessedImage p = preprocess_image(img, *model_->image_processor);
            const at::Tensor px = at::from_blob(const_cast<float*>(p.pixel_values.data()),
                                                {1, p.channels, p.height, p.width}, at::kFloat);
            at::NoGradGuard ng;
            const at::Tensor ids = context_->input_ids().narrow(1, 0, pos);
            const at::Tensor logits =
                model_->model->forward(ids, px, nullptr, nullptr, nullptr, LogitsMode::Last).logits[0][0];
            return at::softmax(logits, -1)[trace_->tokens[static_cast<std::size_t>(pos)].id].item<double>();
        };
        const metrics::GridMap map{e.grid_h, e.grid_w, e.image_map};
        const auto del = metrics::deletion_curve(map, steps, prob, view, baseline);
        const auto ins = metrics::insertion_curve(map, steps, prob, view, baseline);
        FaithfulnessCurves c;
        c.method = method;
        c.target = target;
        c.fraction = QVector<double>(del.fraction.begin(), del.fraction.end());
        c.deletion = QVector<double>(del.score.begin(), del.score.end());
        c.insertion = QVector<double>(ins.score.begin(), ins.score.end());
        c.deletion_auc = del.auc;
        c.insertion_auc = ins.auc;
        context_->set_cancel_flag(nullptr);
        Q_EMIT faithfulnessReady(id, c);
    });
    if (context_) context_->set_cancel_flag(nullptr);
}

void register_worker_types() {
    qRegisterMetaType<TracePtr>();
    qRegisterMetaType<GenerationJob>();
    qRegisterMetaType<ExplainJob>();
    qRegisterMetaType<ModelInfo>();
    qRegisterMetaType<FaithfulnessCurves>();
    qRegisterMetaType<sightline::Explanation>();
    qRegisterMetaType<QVector<float>>();
    qRegisterMetaType<QVector<double>>();
    qRegisterMetaType<QVector<QPoint>>();
}

void ModelWorker::evaluateScenes(quint64 id, int n, quint64 first_seed) {
    run_job(id, [&](const std::atomic<bool>* cancel) {
        if (!model_) fail("no model is loaded");
        if (!model_->config.multimodal)
            fail(model_->name, " is a text-only model; scene questions need images");
        train::ToyEvalOptions o;
        o.n = n;
        o.first_seed = first_seed;
        o.max_failures = n;
        o.cancel = cancel;
        o.progress = [&](int done, int total) { Q_EMIT progress(id, done, total); };
        const train::ToyEvalResult r = train::evaluate_toy(*model_, o);
        Q_EMIT sceneEvalReady(id, QString::fromStdString(r.to_json().dump()));
    });
}

}  // namespace sightline::ui
