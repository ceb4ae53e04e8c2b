#include "core/explore/explorer.h"

#include <ATen/ATen.h>

#include "core/eval/ground_truth.h"
#include "core/explain/attention_explainer.h"
#include "core/explain/visual_relevance.h"
#include "core/image/preprocess.h"
#include "core/metrics/faithfulness.h"
#include "core/util/error.h"

namespace sightline {

double target_probability(const LoadedModel& model, const Trace& trace, std::int64_t position,
                          const cv::Mat& image_rgb) {
    if (position <= 0 || position >= static_cast<std::int64_t>(trace.tokens.size()))
        fail("target_probability: position ", position, " is outside the trace");
    const ImageInput pixels = prepare_model_image(model, image_rgb).input;
    const at::Tensor ids = at::tensor(trace.ids(), at::kLong).unsqueeze(0).narrow(1, 0, position);
    at::NoGradGuard ng;
    RunOptions o;
    o.prompt_length = trace.answer_begin;  // prefix-LM models
    const at::Tensor logits =
        model.model->forward(ids, pixels, &o, nullptr, nullptr, LogitsMode::Last).logits[0][0];
    return at::softmax(logits, -1)[trace.tokens[static_cast<std::size_t>(position)].id].item<double>();
}

namespace {
// Points the context at a job's control for the duration of one call.
class ControlScope {
  public:
    ControlScope(TraceContext& ctx, const JobControl* control) : ctx_(ctx) { ctx_.set_control(control); }
    ~ControlScope() { ctx_.set_control(nullptr); }
    ControlScope(const ControlScope&) = delete;
    ControlScope& operator=(const ControlScope&) = delete;

  private:
    TraceContext& ctx_;
};
}  // namespace

Explorer::Explorer() {
    reset_service();
}

Explorer::Explorer(std::unique_ptr<LoadedModel> model) {
    set_model(std::move(model));
}

Explorer::Explorer(const LoadedModel& borrowed) : model_(&borrowed) {
    reset_service();
}

Explorer::~Explorer() = default;

void Explorer::add_explainer(std::shared_ptr<const Explainer> explainer) {
    service_->registry().add(explainer);
    extra_.push_back(std::move(explainer));
}

void Explorer::reset_service() {
    auto registry = ExplainerRegistry::with_builtins();
    for (const auto& e : extra_) registry.add(e);
    service_ = std::make_unique<ExplanationService>(std::move(registry));
}

void Explorer::load(const std::string& dir, const LoadOptions& options) {
    set_model(load_model(dir, options));
}

void Explorer::set_model(std::unique_ptr<LoadedModel> model) {
    if (!model) fail("no model given");
    context_.reset();  // the context refers to the old model
    trace_.reset();
    original_image_ = cv::Mat();
    owned_ = std::move(model);
    model_ = owned_.get();
    reset_service();
}

const LoadedModel& Explorer::model() const {
    if (model_ == nullptr) fail("no model is loaded");
    return *model_;
}

ExplanationService& Explorer::service() {
    return *service_;
}

const ExplainerRegistry& Explorer::registry() const {
    return service_->registry();
}

const std::shared_ptr<const Trace>& Explorer::trace() const {
    if (!trace_) fail("generate an answer first");
    return trace_;
}

TraceContext& Explorer::context() {
    if (!context_) fail("generate an answer first");
    return *context_;
}

void Explorer::make_current(std::shared_ptr<const Trace> trace, cv::Mat original) {
    context_.reset();
    trace_ = std::move(trace);
    original_image_ = std::move(original);
    context_ = std::make_unique<TraceContext>(model(), trace_);
    ++trace_serial_;
}

std::shared_ptr<const Trace> Explorer::generate(const PromptRequest& request,
                                                const GenerationSettings& settings, const JobControl* control,
                                                std::function<bool(const Trace&)> on_token) {
    const LoadedModel& m = model();
    // What explainers keep for the current answer (relevancy's graph: gigabytes on a 7B model) is rebuilt on
    // demand: free it before the new generation needs the memory.
    if (context_) context_->release_states();
    GenerationCallbacks cb;
    cb.control = control;
    cb.capture = true;  // attention rows, hidden states and embeddings: no capture pass on the first click
    cb.on_token = std::move(on_token);
    Trace t = sightline::generate(m, prepare_prompt(m, request), settings, cb);
    if (t.stop_reason == "cancelled") throw CancelledError();
    make_current(std::make_shared<const Trace>(std::move(t)),
                 request.image_rgb ? request.image_rgb->clone() : cv::Mat());
    return trace_;
}

std::shared_ptr<const Trace> Explorer::adopt_trace(const Trace& trace, const cv::Mat& image_rgb) {
    const LoadedModel& m = model();
    auto t = std::make_shared<Trace>(trace);
    cv::Mat original;
    if (t->image_begin >= 0) {
        if (image_rgb.empty()) fail("the saved answer has an image but none was given");
        if (!m.config.multimodal || !m.image_processor) fail(m.name, " does not read images");
        original = image_rgb.clone();
        const int saved_h = t->grid_h, saved_w = t->grid_w;
        attach_image(m, original, *t);
        if (t->grid_h != saved_h || t->grid_w != saved_w ||
            static_cast<std::int64_t>(t->layout.tokens.size()) != t->image_count)
            fail("the saved answer was made with a model or image of a different image geometry (", saved_h,
                 "x", saved_w, " map grid, ", t->image_count, " image tokens; this model and image give ",
                 t->grid_h, "x", t->grid_w, ", ", t->layout.tokens.size(), ")");
    }
    validate_trace(*t);  // the image tokens' cells against this model's layout, roles, positions
    make_current(std::move(t), std::move(original));
    return trace_;
}

Explanation Explorer::explain(const std::string& method, std::int64_t target, const nlohmann::json& params,
                              const JobControl* control) {
    TraceContext& ctx = context();
    const ControlScope scope(ctx, control);
    return service_->explain(ctx, method, target, params);
}

GroundTruthReadout Explorer::ground_truth(const Explanation& e, const toy::Sample& scene) const {
    if (!e.has_image_map()) fail("the ", e.method, " explanation has no image map to score");
    return ground_truth_readout(model(), *trace(), scene, e.target,
                                metrics::GridMap{e.grid_h, e.grid_w, e.image_map});
}

std::vector<float> Explorer::image_to_answer(const std::vector<std::pair<int, int>>& cells,
                                             const nlohmann::json& attention_params) {
    TraceContext& ctx = context();
    const auto spec = registry().get("attention")->params(model().config);
    const auto resolved = resolve_params("attention", spec, attention_params);
    return image_to_answer_scores(ctx, cells, resolved["layers"].get<std::vector<int>>(),
                                  resolved["heads"].get<std::vector<int>>(),
                                  resolved["aggregation"].get<std::string>());
}

KnockoutResult Explorer::knockout(std::int64_t target, const KnockoutSpec& spec, const JobControl* control) {
    TraceContext& ctx = context();
    const ControlScope scope(ctx, control);
    return run_knockout(ctx, target, spec);
}

std::vector<double> Explorer::visual_relevance(const JobControl* control) {
    const auto& t = trace();
    if (control != nullptr) control->check();
    auto llr = sightline::visual_relevance(model(), *t, original_image_);
    if (control != nullptr) control->check();
    return llr;
}

FaithfulnessResult Explorer::faithfulness(const std::string& method, std::int64_t target,
                                          const nlohmann::json& params, int steps,
                                          const JobControl* control) {
    const auto& t = trace();
    if (!t->has_image()) fail("deletion/insertion curves need an answer about an image");
    if (steps < 1) fail("deletion/insertion curves need at least one step");
    const Explanation e = explain(method, target, params, control);
    const std::int64_t pos = context().target_position(target);
    const cv::Mat view = t->image.model_view;
    const cv::Mat baseline = metrics::blurred_baseline(view);
    std::int64_t calls = 0;
    const std::int64_t total = 2 * (static_cast<std::int64_t>(steps) + 1);
    const metrics::ProbabilityFn prob = [&](const cv::Mat& img) {
        if (control != nullptr) control->report(Progress{"faithfulness re-runs", ++calls, total, -1});
        return target_probability(model(), *t, pos, img);
    };
    const metrics::GridMap map{e.grid_h, e.grid_w, e.image_map};
    const auto del = metrics::deletion_curve(map, steps, prob, view, baseline);
    const auto ins = metrics::insertion_curve(map, steps, prob, view, baseline);
    FaithfulnessResult r;
    r.method = method;
    r.target = target;
    r.fraction = del.fraction;
    r.deletion = del.score;
    r.insertion = ins.score;
    r.deletion_auc = del.auc;
    r.insertion_auc = ins.auc;
    return r;
}

}  // namespace sightline
