#pragma once
// Everything explainers share about one generated trace: the model, the trace, and tensors captured once
// by a single forward pass over prompt + answer (every LM layer's attention rows for the answer positions,
// the final hidden states, the LM input embeddings). Reused across clicks; re-runs (masking, relevancy)
// go through run_prefix().
#include <ATen/core/Tensor.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "core/generate/trace.h"
#include "core/model/hooks.h"
#include "core/model/loaded_model.h"

namespace sightline {

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
    // Non-image positions strictly before `before`.
    std::vector<std::int64_t> text_positions_before(std::int64_t before) const;
    // Scatters one value per image position onto the grid (class tokens skipped).
    std::vector<float> to_grid(const std::vector<float>& per_image_position) const;

    at::Tensor input_ids() const;  // [1, N]
    const at::Tensor& pixel_values() const { return trace_->pixel_values; }
    // Forward over positions [0, n) with options; returns the logits of the last position [V] (float32).
    at::Tensor run_prefix(std::int64_t n, const RunOptions* options = nullptr,
                          ActivationCache* cache = nullptr) const;

    // Cooperative cancellation for the current job (may be null).
    void set_cancel_flag(const std::atomic<bool>* flag) { cancel_ = flag; }
    void check_cancel() const;

  private:
    void capture();
    const LoadedModel& model_;
    std::shared_ptr<const Trace> trace_;
    std::uint64_t id_;
    bool captured_ = false;
    std::vector<at::Tensor> rows_;  // per layer [heads, N - row0, N]
    std::map<int, at::Tensor> full_;
    at::Tensor hidden_, embeds_;
    const std::atomic<bool>* cancel_ = nullptr;
};

}  // namespace sightline
