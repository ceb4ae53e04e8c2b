#pragma once
// Value types that cross the GUI <-> model-worker thread boundary (registered Qt metatypes).
#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>
#include <memory>
#include <vector>

#include "core/explain/explainer.h"
#include "core/explain/explanation.h"
#include "core/explain/knockout_result.h"
#include "core/generate/trace.h"
#include "core/text/chat_template.h"
#include "core/train/toy_eval.h"

namespace sightline::ui {

using TracePtr = std::shared_ptr<const Trace>;

// What a job is for. A new job on a channel supersedes (cancels) the channel's previous one; explanations
// have one channel per method (JobKey::method), so a TAM request never cancels a relevancy one.
enum class Channel {
    Model,
    Generate,
    Adopt,
    Explain,
    ImageToAnswer,
    VisualRelevance,
    Faithfulness,
    SceneEval,
    Knockout
};

struct JobKey {
    Channel channel = Channel::Model;
    QString method;  // the explainer's registry name, for Channel::Explain; empty otherwise

    static JobKey explain(const QString& method) { return {Channel::Explain, method}; }
    friend bool operator==(const JobKey& a, const JobKey& b) {
        return a.channel == b.channel && a.method == b.method;
    }
    friend bool operator!=(const JobKey& a, const JobKey& b) { return !(a == b); }
};
size_t qHash(const JobKey& key, size_t seed = 0) noexcept;
// "generate", "explain:tam", ... (status lines, test messages).
QString to_string(const JobKey& key);

struct GenerationJob {
    QString question;
    QString system;               // system prompt for the chat template, empty for none
    std::vector<ChatTurn> turns;  // earlier user/assistant turns
    QImage image;                 // original image (any format; converted to RGB); null for text-only prompts
    QString image_label;
    GenerationSettings settings;
};

struct ExplainJob {
    QString method;
    qint64 target = 0;
    nlohmann::json params = nlohmann::json::object();
    quint64 trace_serial = 0;
    // When the trace answers a demo scene's own question about its own image: the scene (seed and task
    // name), so the worker scores the map against the ground-truth masks (Explanation::ground_truth).
    quint64 scene_seed = 0;
    QString scene_task;
};

struct ExplainerInfo {
    QString name, title, description;
    std::vector<ParamSpec> params;
    bool on_demand = false;  // an instrument: not compared, computed when its tab is shown
};

struct ModelInfo {
    QString name, dir, architecture, dtype;
    int threads = 0;
    qint64 parameters = 0;
    int layers = 0, heads = 0;
    bool multimodal = false;
    int grid_h = 0, grid_w = 0;
    qint64 image_tokens = 0;
    qint64 context = 0;
    double load_ms = 0;
    QStringList notes;
    QVector<ExplainerInfo> explainers;
};

// Deletion / insertion curves of one explanation (for the curve plot).
struct FaithfulnessCurves {
    QString method;
    qint64 target = 0;
    QVector<double> fraction, deletion, insertion;
    double deletion_auc = 0, insertion_auc = 0;
};

void register_worker_types();

}  // namespace sightline::ui

Q_DECLARE_METATYPE(sightline::ui::TracePtr)
Q_DECLARE_METATYPE(sightline::ui::GenerationJob)
Q_DECLARE_METATYPE(sightline::ui::ExplainJob)
Q_DECLARE_METATYPE(sightline::ui::ModelInfo)
Q_DECLARE_METATYPE(sightline::ui::FaithfulnessCurves)
Q_DECLARE_METATYPE(sightline::Explanation)
Q_DECLARE_METATYPE(sightline::KnockoutResult)
Q_DECLARE_METATYPE(sightline::ui::JobKey)
Q_DECLARE_METATYPE(sightline::train::ToyEvalResult)
