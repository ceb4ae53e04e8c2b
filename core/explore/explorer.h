#pragma once
// The Explorer: one loaded model, its explanation service (built-in methods and plugins) and the current
// answer (the trace and the context its explanations share), with every operation the app offers — load,
// generate, adopt a saved answer, explain, image-to-answer, visual relevance, deletion/insertion curves,
// ground truth on demo scenes — each taking a JobControl for progress and cancellation. Qt-free: the GUI
// worker is a thread adapter over it; the CLI commands and the evaluation use it directly.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/explain/explanation.h"
#include "core/explain/explanation_service.h"
#include "core/explain/knockout.h"
#include "core/explain/trace_context.h"
#include "core/generate/generator.h"
#include "core/model/loaded_model.h"
#include "core/toy/sample.h"
#include "core/util/progress.h"

namespace sightline {

// Probability of the token at `position` when the model sees `image_rgb` in place of the trace's image
// (teacher-forced over positions 0..position-1): the probe of the deletion/insertion curves.
double target_probability(const LoadedModel& model, const Trace& trace, std::int64_t position,
                          const cv::Mat& image_rgb);

struct FaithfulnessResult {
    std::string method;
    std::int64_t target = 0;
    std::vector<double> fraction, deletion, insertion;
    double deletion_auc = 0, insertion_auc = 0;
};

class Explorer {
  public:
    Explorer();
    // Owns `model`.
    explicit Explorer(std::unique_ptr<LoadedModel> model);
    // Uses a model that the caller keeps alive (the evaluation, tests).
    explicit Explorer(const LoadedModel& borrowed);
    ~Explorer();
    Explorer(const Explorer&) = delete;
    Explorer& operator=(const Explorer&) = delete;

    // Explainers beyond the built-in ones (plugins); kept across model loads.
    void add_explainer(std::shared_ptr<const Explainer> explainer);

    // Loads a model folder (replacing the model and dropping the answer). Progress and cancel through
    // options.control.
    void load(const std::string& dir, const LoadOptions& options = {});
    void set_model(std::unique_ptr<LoadedModel> model);
    bool has_model() const { return model_ != nullptr; }
    const LoadedModel& model() const;  // throws when no model is loaded
    ExplanationService& service();
    const ExplainerRegistry& registry() const;

    // Answers `request` (the attention rows the explainers need are recorded during generation, so the
    // first click needs no extra pass) and makes the answer current. `on_token` sees the growing trace
    // and returns false to stop. Throws CancelledError when cancelled.
    std::shared_ptr<const Trace> generate(const PromptRequest& request, const GenerationSettings& settings,
                                          const JobControl* control = nullptr,
                                          std::function<bool(const Trace&)> on_token = {});
    // Makes a saved answer current: its pixel values are recomputed from `image_rgb` (the session's image)
    // after checking that the trace fits this model.
    std::shared_ptr<const Trace> adopt_trace(const Trace& trace, const cv::Mat& image_rgb);
    bool has_trace() const { return trace_ != nullptr; }
    const std::shared_ptr<const Trace>& trace() const;  // throws when there is no answer
    // Increases with every new current answer (results for an older one are stale).
    std::uint64_t trace_serial() const { return trace_serial_; }
    TraceContext& context();
    const cv::Mat& original_image() const { return original_image_; }

    // One method on one answer token (cached per parameters by the service).
    Explanation explain(const std::string& method, std::int64_t target,
                        const nlohmann::json& params = nlohmann::json::object(),
                        const JobControl* control = nullptr);
    // The map of `e` against a demo scene's true object masks (ground_truth_readout).
    GroundTruthReadout ground_truth(const Explanation& e, const toy::Sample& scene) const;
    // Attention from every answer token to the given image cells ((row, col) pairs), with the attention
    // method's layer/head/aggregation parameters.
    std::vector<float> image_to_answer(const std::vector<std::pair<int, int>>& cells,
                                       const nlohmann::json& attention_params);
    // Knocks chosen positions out (attention blocked, or embeddings replaced) and re-runs: the token's
    // probability before and after, the per-layer curve and the new answer (run_knockout).
    KnockoutResult knockout(std::int64_t target, const KnockoutSpec& spec,
                            const JobControl* control = nullptr);
    // Log-likelihood ratio of every answer token, image against a blurred image (two teacher-forced
    // passes).
    std::vector<double> visual_relevance(const JobControl* control = nullptr);
    // Deletion and insertion curves of a method's map for one token; progress counts the re-runs.
    FaithfulnessResult faithfulness(const std::string& method, std::int64_t target,
                                    const nlohmann::json& params, int steps,
                                    const JobControl* control = nullptr);

  private:
    void reset_service();
    void make_current(std::shared_ptr<const Trace> trace, cv::Mat original);
    std::unique_ptr<LoadedModel> owned_;
    const LoadedModel* model_ = nullptr;
    std::vector<std::shared_ptr<const Explainer>> extra_;
    std::unique_ptr<ExplanationService> service_;
    std::shared_ptr<const Trace> trace_;
    std::unique_ptr<TraceContext> context_;
    std::uint64_t trace_serial_ = 0;
    cv::Mat original_image_;
};

}  // namespace sightline
