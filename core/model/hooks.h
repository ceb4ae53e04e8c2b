#pragma once
// Hook points and interventions: the one mechanism every explainer is built on.
//
// Every interesting tensor of a forward pass has a TransformerLens/Prisma-style name, prefixed by tower:
//   vision.hook_embed, vision.blocks.{l}.hook_resid_pre|mid|post,
//   vision.blocks.{l}.hook_attn_out|hook_mlp_out, vision.blocks.{l}.attn.hook_q|k|v|z|attn_scores|pattern,
//   projector.hook_out, lm.hook_embed, lm.blocks.{l}.hook_resid_pre|mid|post,
//   lm.blocks.{l}.hook_attn_out|hook_mlp_out, lm.blocks.{l}.attn.hook_q|k|v|z|attn_scores|pattern,
//   lm.blocks.{l}.mlp.hook_post, lm.ln_final.hook_normalized.
// Axis orders: residual-like tensors [batch, pos, d]; q/k/v/z [batch, pos, head, d_head];
// attn_scores/pattern [batch, head, query, key].
//
// A forward pass takes RunOptions: which hooks to cache, which cached tensors keep their gradient, and
// interventions (replace / add / apply a function at a hook, optionally only at chosen positions) and
// attention knockouts (scores of chosen (query, key) pairs set to -inf in chosen layers before softmax).
// With no options the model only pays one branch per hook point.
#include <ATen/core/Tensor.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/util/progress.h"

namespace sightline {

struct HookContext {
    const std::string& name;
    std::int64_t position_offset;  // absolute position of index 0 along the position axis
    int position_axis;             // 1 for [batch, pos, ...], 2 for [batch, head, query, key]
};

using HookFn = std::function<at::Tensor(const at::Tensor& value, const HookContext& ctx)>;

struct Intervention {
    enum class Op { Replace, Add, Apply };
    std::string hook;  // exact name, or a glob pattern with '*'
    Op op = Op::Replace;
    at::Tensor value;                     // Replace/Add: broadcastable to the selected slice
    std::vector<std::int64_t> positions;  // absolute positions along the position axis; empty = all
    HookFn fn;                            // Apply: receives the whole tensor, returns its replacement

    static Intervention replace(std::string hook, at::Tensor value, std::vector<std::int64_t> positions = {});
    static Intervention add(std::string hook, at::Tensor value, std::vector<std::int64_t> positions = {});
    static Intervention apply(std::string hook, HookFn fn);
};

struct AttentionKnockout {
    std::string tower = "lm";                                      // "lm" or "vision"
    std::vector<int> layers;                                       // empty = every layer
    std::vector<std::pair<std::int64_t, std::int64_t>> query_key;  // absolute (query, key) positions
};

struct RunOptions {
    std::vector<std::string> cache;      // hook names or glob patterns whose tensors are stored
    std::vector<std::string> keep_grad;  // names/patterns of cached tensors that retain .grad
    std::vector<Intervention> interventions;
    std::vector<AttentionKnockout> knockouts;
    // Progress and cancellation inside one pass: after every block the runner checks the cancel flag and,
    // when `report_layers` is set, reports "<lm_stage>: layer l of L" (LM blocks) or "vision encoding"
    // (vision blocks). Costs nothing when null; does not make the hooks active.
    const JobControl* control = nullptr;
    bool report_layers = false;
    std::string lm_stage = "prefill";
    // Prefix-LM models (PaliGemma): how many leading positions are the prompt, which attends both ways.
    // -1: the whole input of a pass that starts at position 0 (a prompt's prefill). Passes over a prompt
    // and answer tokens must say where the prompt ends (TraceContext does, from the trace).
    std::int64_t prompt_length = -1;
    bool empty() const {
        return cache.empty() && keep_grad.empty() && interventions.empty() && knockouts.empty();
    }
};

// Tensors stored by name during a forward pass.
class ActivationCache {
  public:
    bool has(const std::string& name) const { return tensors_.count(name) != 0; }
    // Throws sightline::Error listing what is cached when `name` is absent.
    const at::Tensor& get(const std::string& name) const;
    void put(const std::string& name, at::Tensor t) { tensors_[name] = std::move(t); }
    std::vector<std::string> names() const;
    void clear() { tensors_.clear(); }
    std::size_t size() const { return tensors_.size(); }
    std::uint64_t bytes() const;

  private:
    std::map<std::string, at::Tensor> tensors_;
};

// '*' matches any run of characters (dots included).
bool glob_match(const std::string& pattern, const std::string& name);
// The block index in a per-layer hook name ("lm.blocks.12.attn.hook_pattern" -> 12); throws
// sightline::Error for a name without one.
int hook_layer(const std::string& name);

// Dispatches hook calls for one forward pass. Either pointer may be null.
class HookRunner {
  public:
    HookRunner(const RunOptions* options = nullptr, ActivationCache* cache = nullptr);
    bool active() const { return active_; }

    // Called by the model at every hook point; returns the tensor to use downstream.
    at::Tensor operator()(const std::string& name, at::Tensor t, int position_axis,
                          std::int64_t position_offset) {
        return active_ ? dispatch(name, std::move(t), position_axis, position_offset) : t;
    }
    // Called by the model after each block of a tower ("lm" or "vision"): checks for cancellation and
    // reports progress when the options ask for it.
    void block_done(const char* tower, int layer, int layers);
    // Additive mask [q_len, k_len] (0 or -inf) for the knockouts of (tower, layer), or an undefined tensor.
    at::Tensor knockout_mask(const std::string& tower, int layer, std::int64_t q_offset, std::int64_t q_len,
                             std::int64_t k_len) const;

  private:
    struct Plan {
        bool cache = false;
        bool keep_grad = false;
        std::vector<const Intervention*> interventions;
    };
    at::Tensor dispatch(const std::string& name, at::Tensor t, int axis, std::int64_t offset);
    const Plan& plan_for(const std::string& name);

    const RunOptions* options_;
    ActivationCache* cache_;
    bool active_;
    std::unordered_map<std::string, Plan> plans_;
    std::unique_ptr<StageMeter> lm_meter_, vision_meter_;
};

}  // namespace sightline
