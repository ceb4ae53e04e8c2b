#include "core/model/hooks.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>

#include "core/util/error.h"

namespace sightline {

Intervention Intervention::replace(std::string hook, at::Tensor value, std::vector<std::int64_t> positions) {
    Intervention i;
    i.hook = std::move(hook);
    i.op = Op::Replace;
    i.value = std::move(value);
    i.positions = std::move(positions);
    return i;
}

Intervention Intervention::add(std::string hook, at::Tensor value, std::vector<std::int64_t> positions) {
    Intervention i = replace(std::move(hook), std::move(value), std::move(positions));
    i.op = Op::Add;
    return i;
}

Intervention Intervention::apply(std::string hook, HookFn fn) {
    Intervention i;
    i.hook = std::move(hook);
    i.op = Op::Apply;
    i.fn = std::move(fn);
    return i;
}

const at::Tensor& ActivationCache::get(const std::string& name) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) {
        std::string known;
        for (const auto& [k, v] : tensors_) known += (known.empty() ? "" : ", ") + k;
        fail("activation '", name, "' was not cached (cached: ", known.empty() ? "nothing" : known, ")");
    }
    return it->second;
}

std::vector<std::string> ActivationCache::names() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : tensors_) out.push_back(k);
    return out;
}

std::uint64_t ActivationCache::bytes() const {
    std::uint64_t n = 0;
    for (const auto& [k, v] : tensors_)
        if (v.defined()) n += static_cast<std::uint64_t>(v.numel()) * v.element_size();
    return n;
}

int hook_layer(const std::string& name) {
    const auto at = name.find("blocks.");
    if (at == std::string::npos) fail("hook '", name, "' names no block");
    const auto a = at + 7;
    const auto b = name.find('.', a);
    const std::string digits = name.substr(a, b == std::string::npos ? std::string::npos : b - a);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
        fail("hook '", name, "' names no block index");
    return std::stoi(digits);
}

bool glob_match(const std::string& pattern, const std::string& name) {
    // Iterative wildcard matching with backtracking to the last '*'.
    std::size_t p = 0, n = 0, star = std::string::npos, mark = 0;
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = n;
        } else if (p < pattern.size() && pattern[p] == name[n]) {
            ++p;
            ++n;
        } else if (star != std::string::npos) {
            p = star + 1;
            n = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

HookRunner::HookRunner(const RunOptions* options, ActivationCache* cache)
    : options_(options), cache_(cache), active_(options != nullptr && !options->empty()) {}

const HookRunner::Plan& HookRunner::plan_for(const std::string& name) {
    auto it = plans_.find(name);
    if (it != plans_.end()) return it->second;
    Plan plan;
    for (const auto& p : options_->cache) plan.cache = plan.cache || glob_match(p, name);
    for (const auto& p : options_->keep_grad) plan.keep_grad = plan.keep_grad || glob_match(p, name);
    for (const auto& iv : options_->interventions)
        if (glob_match(iv.hook, name)) plan.interventions.push_back(&iv);
    return plans_.emplace(name, std::move(plan)).first->second;
}

namespace {

at::Tensor local_index(const std::vector<std::int64_t>& positions, std::int64_t offset, std::int64_t len) {
    std::vector<std::int64_t> local;
    for (auto p : positions)
        if (p >= offset && p < offset + len) local.push_back(p - offset);
    return at::tensor(local, at::kLong);
}

at::Tensor apply_one(const Intervention& iv, at::Tensor t, const HookContext& ctx) {
    if (iv.op == Intervention::Op::Apply) {
        at::Tensor out = iv.fn(t, ctx);
        if (!out.defined() || out.sizes() != t.sizes())
            fail("intervention at ", ctx.name, " returned a tensor of the wrong shape");
        return out;
    }
    const auto len = t.size(ctx.position_axis);
    at::Tensor value = iv.value.to(t.scalar_type());
    if (iv.positions.empty()) {
        value = value.expand_as(t);
        return iv.op == Intervention::Op::Replace ? value.clone() : t + value;
    }
    const at::Tensor idx = local_index(iv.positions, ctx.position_offset, len);
    if (idx.numel() == 0) return t;  // none of the positions is in this pass (e.g. a later decode step)
    auto slice_shape = t.sizes().vec();
    slice_shape[ctx.position_axis] = idx.numel();
    try {
        value = value.expand(slice_shape);
    } catch (const std::exception&) {
        fail("intervention value for ", ctx.name, " does not broadcast to the selected positions");
    }
    return iv.op == Intervention::Op::Replace ? t.index_copy(ctx.position_axis, idx, value.contiguous())
                                              : t.index_add(ctx.position_axis, idx, value.contiguous());
}

}  // namespace

at::Tensor HookRunner::dispatch(const std::string& name, at::Tensor t, int axis, std::int64_t offset) {
    const Plan& plan = plan_for(name);
    const HookContext ctx{name, offset, axis};
    for (const Intervention* iv : plan.interventions) t = apply_one(*iv, std::move(t), ctx);
    if (plan.keep_grad && t.requires_grad() && !t.is_leaf()) t.retain_grad();
    if (plan.cache && cache_ != nullptr) cache_->put(name, t);
    return t;
}

void HookRunner::block_done(const char* tower, int layer, int layers) {
    if (options_ == nullptr || options_->control == nullptr) return;
    if (!options_->report_layers) {
        options_->control->check();
        return;
    }
    const bool lm = std::string(tower) == "lm";
    auto& meter = lm ? lm_meter_ : vision_meter_;
    if (!meter)
        meter = std::make_unique<StageMeter>(options_->control, lm ? options_->lm_stage : "vision encoding",
                                             layers);
    meter->step(layer + 1);
}

at::Tensor HookRunner::knockout_mask(const std::string& tower, int layer, std::int64_t q_offset,
                                     std::int64_t q_len, std::int64_t k_len) const {
    if (!active_ || options_->knockouts.empty()) return {};
    std::vector<std::pair<std::int64_t, std::int64_t>> cells;
    for (const auto& ko : options_->knockouts) {
        if (ko.tower != tower) continue;
        if (!ko.layers.empty() && std::find(ko.layers.begin(), ko.layers.end(), layer) == ko.layers.end())
            continue;
        for (const auto& [q, k] : ko.query_key)
            if (q >= q_offset && q < q_offset + q_len && k >= 0 && k < k_len)
                cells.emplace_back(q - q_offset, k);
    }
    if (cells.empty()) return {};
    at::Tensor mask = at::zeros({q_len, k_len}, at::kFloat);
    auto acc = mask.accessor<float, 2>();
    for (const auto& [q, k] : cells) acc[q][k] = -std::numeric_limits<float>::infinity();
    return mask;
}

}  // namespace sightline
