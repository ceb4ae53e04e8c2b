#include "core/explain/trace_context.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/explain/explanation.h"
#include "core/generate/generation_capture.h"
#include "core/generate/prompt.h"
#include "core/metrics/faithfulness.h"
#include "core/util/error.h"
#include "core/util/system_info.h"

namespace sightline {
namespace {
std::atomic<std::uint64_t> next_id{1};

}  // namespace

TraceContext::TraceContext(const LoadedModel& model, std::shared_ptr<const Trace> trace)
    : model_(model), trace_(std::move(trace)), id_(next_id++) {
    if (!trace_) fail("no trace to explain");
    for (const auto& t : trace_->tokens)
        if (t.id < 0 || t.id >= model_.config.text.vocab_size)
            fail("the trace holds token id ", t.id, " which this model (", model_.name, ") does not have");
}

std::int64_t TraceContext::target_position(std::int64_t target) const {
    if (target < 0 || target >= trace_->answer_size())
        fail("target ", target, " is not an answer token (the answer has ", trace_->answer_size(),
             " tokens)");
    return trace_->answer_begin + target;
}

std::int64_t TraceContext::pattern_row0() const {
    return std::max<std::int64_t>(trace_->answer_begin - 1, 0);
}

void TraceContext::check_cancel() const {
    control_->check();
}

at::Tensor TraceContext::input_ids() const {
    return at::tensor(trace_->ids(), at::kLong).unsqueeze(0);
}

bool TraceContext::adopt_generation_capture() {
    const auto& c = trace_->capture;
    if (!c || c->row0 != pattern_row0() || c->positions() != length() ||
        c->rows.size() != static_cast<std::size_t>(layers()))
        return false;
    rows_ = c->rows;
    hidden_ = c->hidden;
    embeds_ = c->embeds;
    captured_ = true;
    from_generation_ = true;
    return true;
}

void TraceContext::capture() {
    if (captured_ || adopt_generation_capture()) return;
    const auto n = length();
    const auto row0 = pattern_row0();
    const std::uint64_t rows_bytes = static_cast<std::uint64_t>(layers()) * heads() * (n - row0) * n * 4;
    const std::uint64_t transient = static_cast<std::uint64_t>(heads()) * n * n * 4 * 3;
    ensure_memory_available(rows_bytes + transient, "capturing the trace's attention");
    rows_.assign(static_cast<std::size_t>(layers()), at::Tensor());
    RunOptions o;
    o.control = control_;
    o.report_layers = true;
    o.lm_stage = "capture pass";
    o.prompt_length = trace_->answer_begin;
    o.cache = {"lm.ln_final.hook_normalized", "lm.hook_embed"};
    o.interventions = {
        Intervention::apply("lm.blocks.*.attn.hook_pattern", [&](const at::Tensor& p, const HookContext& c) {
            rows_[static_cast<std::size_t>(hook_layer(c.name))] =
                p[0].narrow(1, row0, n - row0).to(at::kFloat).clone();
            return p;
        })};
    ActivationCache cache;
    at::NoGradGuard ng;
    model_.model->forward(input_ids(), trace_->pixel_values, &o, &cache, nullptr, LogitsMode::None);
    ++full_passes_;
    hidden_ = cache.get("lm.ln_final.hook_normalized")[0];
    embeds_ = cache.get("lm.hook_embed")[0];
    captured_ = true;
}

at::Tensor TraceContext::attention_row(int layer, std::int64_t query) {
    capture();
    if (layer < 0 || layer >= layers()) fail("layer ", layer, " out of range 0..", layers() - 1);
    const auto r = query - pattern_row0();
    if (r < 0 || query >= length()) fail("attention row ", query, " was not captured");
    return rows_[static_cast<std::size_t>(layer)].select(1, r);
}

const at::Tensor& TraceContext::full_pattern(int layer) {
    if (layer < 0 || layer >= layers()) fail("layer ", layer, " out of range 0..", layers() - 1);
    auto it = full_.find(layer);
    if (it != full_.end()) return it->second;
    const auto n = length();
    ensure_memory_available(static_cast<std::uint64_t>(heads()) * n * n * 4 * 2, "a full attention pattern");
    RunOptions o;
    o.control = control_;
    o.prompt_length = trace_->answer_begin;
    const std::string hook = "lm.blocks." + std::to_string(layer) + ".attn.hook_pattern";
    o.cache = {hook};
    ActivationCache cache;
    at::NoGradGuard ng;
    model_.model->forward(input_ids(), trace_->pixel_values, &o, &cache, nullptr, LogitsMode::None);
    ++full_passes_;
    return full_.emplace(layer, cache.get(hook)[0].to(at::kFloat)).first->second;
}

const at::Tensor& TraceContext::final_hidden() {
    capture();
    return hidden_;
}

const at::Tensor& TraceContext::input_embeddings() {
    capture();
    return embeds_;
}

at::Tensor head_class_logits(const LoadedModel& model, const at::Tensor& normed,
                             const std::vector<std::int64_t>& classes) {
    at::NoGradGuard ng;
    const at::Tensor idx = at::tensor(classes, at::kLong);
    // The LM head restricted to the requested rows of its weight.
    const at::Tensor head = model.model->decoder().head_weight().index_select(0, idx);
    return at::matmul(normed, head.t()).to(at::kFloat);
}

at::Tensor TraceContext::class_logits(const std::vector<std::int64_t>& classes) {
    return head_class_logits(model_, final_hidden(), classes);
}

TraceState* TraceContext::state(const std::string& key) const {
    const auto it = states_.find(key);
    return it == states_.end() ? nullptr : it->second.get();
}

void TraceContext::set_state(const std::string& key, std::unique_ptr<TraceState> state) {
    if (state)
        states_[key] = std::move(state);
    else
        states_.erase(key);
}

std::uint64_t TraceContext::state_bytes() const {
    std::uint64_t total = 0;
    for (const auto& [key, s] : states_) total += s->bytes();
    return total;
}

std::vector<std::int64_t> TraceContext::image_positions() const {
    std::vector<std::int64_t> out;
    for (std::int64_t i = 0; i < length(); ++i)
        if (trace_->tokens[static_cast<std::size_t>(i)].role == TokenRole::Image) out.push_back(i);
    return out;
}

std::vector<std::int64_t> TraceContext::text_positions_before(std::int64_t before) const {
    std::vector<std::int64_t> out;
    for (std::int64_t i = 0; i < std::min(before, length()); ++i)
        if (trace_->tokens[static_cast<std::size_t>(i)].role != TokenRole::Image) out.push_back(i);
    return out;
}

std::vector<std::int64_t> TraceContext::image_positions_at(int row, int col) const {
    const auto& t = *trace_;
    std::vector<std::int64_t> out;
    if (t.layout.empty() || t.layout.single_grid()) {
        const auto n = static_cast<std::int64_t>(t.tokens.size());
        for (std::int64_t i = t.image_begin; i >= 0 && i < t.image_begin + t.image_count && i < n; ++i) {
            const auto& tok = t.tokens[static_cast<std::size_t>(i)];
            if (tok.row == row && tok.col == col) out.push_back(i);
        }
        return out;
    }
    const double x = (col + 0.5) * t.layout.original_width / t.grid_w;
    const double y = (row + 0.5) * t.layout.original_height / t.grid_h;
    for (std::size_t k = 0; k < t.layout.tokens.size(); ++k) {
        const auto& place = t.layout.tokens[k];
        if (place.view < 0 || static_cast<std::size_t>(place.view) >= t.layout.views.size()) continue;
        const cv::Rect2d cell = t.layout.cell_rect(place.view, place.row, place.col);
        if (x >= cell.x && x < cell.x + cell.width && y >= cell.y && y < cell.y + cell.height)
            out.push_back(t.image_begin + static_cast<std::int64_t>(k));
    }
    return out;
}

std::vector<float> TraceContext::to_grid(const std::vector<float>& per_image_position) const {
    const auto& t = *trace_;
    if (!t.layout.empty()) {
        if (per_image_position.size() != t.layout.tokens.size())
            fail("to_grid: ", per_image_position.size(), " values for ", t.layout.tokens.size(),
                 " image positions");
        return compose_map(t.layout, per_image_position, cv::Size(t.grid_w, t.grid_h));
    }
    // A trace without a layout (made by hand): image positions carry their grid cell.
    if (t.grid_h <= 0 || t.grid_w <= 0 || t.grid_h > kMaxTraceGridSide || t.grid_w > kMaxTraceGridSide)
        fail("to_grid: the trace's ", t.grid_h, "x", t.grid_w, " map grid is not valid");
    std::vector<float> grid(static_cast<std::size_t>(t.grid_h) * static_cast<std::size_t>(t.grid_w), 0.0f);
    std::size_t k = 0;
    for (const auto& tok : t.tokens) {
        if (tok.role != TokenRole::Image) continue;
        if (k >= per_image_position.size()) fail("to_grid: fewer values than image positions");
        if (tok.row >= 0 || tok.col >= 0) {
            if (tok.row < 0 || tok.col < 0 || tok.row >= t.grid_h || tok.col >= t.grid_w)
                fail("to_grid: image patch (", tok.row, ", ", tok.col, ") is outside the ", t.grid_h, "x",
                     t.grid_w, " grid");
            grid[static_cast<std::size_t>(tok.row) * static_cast<std::size_t>(t.grid_w) +
                 static_cast<std::size_t>(tok.col)] = per_image_position[k];
        }
        ++k;
    }
    if (k != per_image_position.size()) fail("to_grid: more values than image positions");
    return grid;
}

void TraceContext::set_image_map(Explanation& e, const std::vector<float>& per_image_position) const {
    e.grid_h = trace_->grid_h;
    e.grid_w = trace_->grid_w;
    e.image_map = to_grid(per_image_position);
    e.image_tokens = per_image_position;
}

namespace {
ForwardOutput forward_prefix(const LoadedModel& model, const Trace& t, const at::Tensor& all_ids,
                             std::int64_t n, const RunOptions* options, const JobControl* control,
                             ActivationCache* cache, LogitsMode mode, const at::Tensor& pixel_override) {
    const auto length = static_cast<std::int64_t>(t.tokens.size());
    if (n <= 0 || n > length) fail("run_prefix: ", n, " positions requested of ", length);
    const at::Tensor ids = all_ids.narrow(1, 0, n);
    const bool whole_image = t.image_begin >= 0 && n >= t.image_begin + t.image_count;
    if (t.image_begin >= 0 && n > t.image_begin && !whole_image)
        fail("run_prefix: a prefix of ", n, " positions would cut the image in half");
    const ImageInput pixels =
        whole_image ? (pixel_override.defined() ? t.pixel_values.with_pixels(pixel_override) : t.pixel_values)
                    : ImageInput();
    RunOptions with_control = options != nullptr ? *options : RunOptions{};
    if (with_control.control == nullptr) with_control.control = control;
    with_control.prompt_length = t.answer_begin;  // prefix-LM models: the prompt attends both ways
    return model.model->forward(ids, pixels, &with_control, cache, nullptr, mode);
}
}  // namespace

at::Tensor TraceContext::run_prefix(std::int64_t n, const RunOptions* options, ActivationCache* cache,
                                    const at::Tensor& pixels) const {
    return forward_prefix(model_, *trace_, input_ids(), n, options, control_, cache, LogitsMode::Last, pixels)
        .logits[0][0];
}

at::Tensor TraceContext::blurred_pixels() const {
    if (!trace_->has_image()) fail("this answer has no image to blur");
    return prepare_model_image(model_, metrics::blurred_baseline(trace_->image.model_view)).input.pixels;
}

at::Tensor TraceContext::run_hidden(std::int64_t n, const RunOptions* options, ActivationCache* cache,
                                    const at::Tensor& pixels) const {
    return forward_prefix(model_, *trace_, input_ids(), n, options, control_, cache, LogitsMode::None, pixels)
        .hidden;
}

}  // namespace sightline
