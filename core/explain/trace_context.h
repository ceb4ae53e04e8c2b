#pragma once
// Everything explainers share about one generated trace: the model, the trace, and tensors captured once
// (every LM layer's attention rows for the answer positions, the final hidden states, the LM input
// embeddings): taken from the trace when generation recorded them (GenerationCallbacks::capture), else by
// one forward pass over prompt + answer on first use. Reused across clicks; re-runs (masking, relevancy)
// go through run_prefix().
#include <ATen/core/Tensor.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/generate/trace.h"
#include "core/model/hooks.h"
#include "core/model/loaded_model.h"
#include "core/util/progress.h"

namespace sightline {

struct Explanation;

// State an explainer keeps for one trace between clicks (relevancy's prefix graph, for example). The
// context owns it, so it lives as long as the trace does; bytes() is what it holds, for reports.
struct TraceState {
    virtual ~TraceState() = default;
    virtual std::uint64_t bytes() const = 0;
};

// The LM head rows of `classes` applied to normalised hidden states `normed` [..., d]: logits
// [..., classes.size()] (float32). With the final hidden states these are the model's own logits (TAM's
// class activation is their ReLU); with an earlier layer's residual after the final norm, the logit lens.
at::Tensor head_class_logits(const LoadedModel& model, const at::Tensor& normed,
                             const std::vector<std::int64_t>& classes);

class TraceContext {
  public:
    TraceContext(const LoadedModel& model, std::shared_ptr<const Trace> trace);

    const LoadedModel& model() const { return model_; }
    const Trace& trace() const { return *trace_; }
    std::uint64_t id() const { return id_; }
    std::int64_t length() const { return static_cast<std::int64_t>(trace_->tokens.size()); }
    int layers() const { return static_cast<int>(model_.config.text.num_hidden_layers); }
    int heads() const { return static_cast<int>(model_.config.text.num_attention_heads); }

    // Sequence position of answer token `target`; throws for an index outside the answer.
    std::int64_t target_position(std::int64_t target) const;
    // Attention rows [heads, N] of `layer` for query position `query` (>= pattern_row0()).
    at::Tensor attention_row(int layer, std::int64_t query);
    std::int64_t pattern_row0() const;
    // Full attention pattern [heads, N, N] of one layer (captured on first use).
    const at::Tensor& full_pattern(int layer);
    // Final normalised hidden states [N, d] and the LM input embeddings [N, d] (image features merged).
    const at::Tensor& final_hidden();
    const at::Tensor& input_embeddings();
    // Pre-softmax logits of `classes` at every position: [N, classes.size()].
    at::Tensor class_logits(const std::vector<std::int64_t>& classes);

    // Positions by role.
    std::vector<std::int64_t> image_positions() const;
    // Image positions whose pixels lie under cell (row, col) of the map grid: that patch on single-grid
    // models; on multi-view models every view's token whose cell holds the map cell's centre.
    std::vector<std::int64_t> image_positions_at(int row, int col) const;
    // Non-image positions strictly before `before`.
    std::vector<std::int64_t> text_positions_before(std::int64_t before) const;
    // Draws one value per image position on the trace's map grid: compose_map() over the trace's layout
    // (class and newline tokens skipped; several views averaged where they overlap).
    std::vector<float> to_grid(const std::vector<float>& per_image_position) const;
    // Sets e's grid to the trace's map grid, e.image_map to to_grid(values) and keeps the values per image
    // position in e.image_tokens (so a viewer can redraw one view of a tiled image).
    void set_image_map(Explanation& e, const std::vector<float>& per_image_position) const;

    at::Tensor input_ids() const;  // [1, N]
    // The pixel values of the trace's image Gaussian-blurred (metrics::blurred_baseline of the view the
    // model saw) and prepared for the model: the "blurred image" of causal tracing and knockout.
    at::Tensor blurred_pixels() const;
    const at::Tensor& pixel_values() const { return trace_->pixel_values.pixels; }
    // Forward over positions [0, n) with options; returns the logits of the last position [V] (float32).
    // `pixels`, when defined, replaces the trace's pixel values (as in run_hidden).
    at::Tensor run_prefix(std::int64_t n, const RunOptions* options = nullptr,
                          ActivationCache* cache = nullptr, const at::Tensor& pixels = at::Tensor()) const;
    // The same forward without the LM head: the final normalised hidden states [1, n, d]. `pixels`, when
    // defined, replaces the trace's pixel values (a copy that requires grad, for example).
    at::Tensor run_hidden(std::int64_t n, const RunOptions* options = nullptr,
                          ActivationCache* cache = nullptr, const at::Tensor& pixels = at::Tensor()) const;

    // True once the shared tensors exist; `from_generation` tells whether they came with the trace.
    bool captured() const { return captured_; }
    bool captured_from_generation() const { return from_generation_; }
    // Forward passes over the whole sequence this context has run itself (the capture pass and full
    // patterns; re-runs of prefixes not counted).
    int full_passes() const { return full_passes_; }

    // Cooperative cancellation for the current job (may be null).
    void set_cancel_flag(const std::atomic<bool>* flag) {
        own_control_ = JobControl(flag, nullptr);
        control_ = &own_control_;
    }
    // Progress and cancellation for the current job (may be null): the passes this context runs report
    // per layer through it and stop within a layer when it is cancelled.
    void set_control(const JobControl* control) { control_ = control != nullptr ? control : &own_control_; }
    const JobControl* control() const { return control_; }
    const std::atomic<bool>* cancel_flag() const { return control_->cancel_flag(); }
    void check_cancel() const;

    // Explainer state kept with this trace, by key (null when absent).
    TraceState* state(const std::string& key) const;
    void set_state(const std::string& key, std::unique_ptr<TraceState> state);
    void release_state(const std::string& key) { states_.erase(key); }
    void release_states() { states_.clear(); }
    std::uint64_t state_bytes() const;

  private:
    void capture();
    bool adopt_generation_capture();
    bool from_generation_ = false;
    int full_passes_ = 0;
    const LoadedModel& model_;
    std::shared_ptr<const Trace> trace_;
    std::uint64_t id_;
    bool captured_ = false;
    std::vector<at::Tensor> rows_;  // per layer [heads, N - row0, N]
    std::map<int, at::Tensor> full_;
    at::Tensor hidden_, embeds_;
    std::map<std::string, std::unique_ptr<TraceState>> states_;
    JobControl own_control_;
    const JobControl* control_ = &own_control_;
};

}  // namespace sightline
