#include "core/train/adamw.h"

#include <ATen/ATen.h>

#include <cmath>

#include "core/util/error.h"

namespace sightline::train {

AdamW::AdamW(NamedTensors params, AdamWOptions options) : params_(std::move(params)), o_(options) {
    for (const auto& [name, p] : params_) {
        m_.push_back(at::zeros_like(p));
        v_.push_back(at::zeros_like(p));
    }
}

void AdamW::zero_grad() {
    for (auto& [name, p] : params_) {
        at::Tensor g = p.mutable_grad();
        if (g.defined()) g.zero_();
    }
}

double AdamW::clip_grad_norm(double max_norm) {
    at::NoGradGuard ng;
    double total = 0;
    for (auto& [name, p] : params_)
        if (p.grad().defined()) total += p.grad().pow(2).sum().item<double>();
    const double norm = std::sqrt(total);
    if (norm > max_norm && norm > 0)
        for (auto& [name, p] : params_)
            if (p.grad().defined()) p.mutable_grad().mul_(max_norm / norm);
    return norm;
}

void AdamW::step(double lr) {
    at::NoGradGuard ng;
    ++steps_;
    const double bc1 = 1.0 - std::pow(o_.beta1, static_cast<double>(steps_));
    const double bc2 = 1.0 - std::pow(o_.beta2, static_cast<double>(steps_));
    for (std::size_t i = 0; i < params_.size(); ++i) {
        at::Tensor& p = params_[i].second;
        const at::Tensor g = p.grad();
        if (!g.defined()) continue;
        if (p.dim() >= 2 && o_.weight_decay > 0) p.mul_(1.0 - lr * o_.weight_decay);
        m_[i].mul_(o_.beta1).add_(g, 1.0 - o_.beta1);
        v_[i].mul_(o_.beta2).addcmul_(g, g, 1.0 - o_.beta2);
        const at::Tensor denom = (v_[i] / bc2).sqrt_().add_(o_.eps);
        p.addcdiv_(m_[i], denom, -lr / bc1);
    }
}

NamedTensors AdamW::state() const {
    NamedTensors out;
    for (std::size_t i = 0; i < params_.size(); ++i) {
        out.emplace_back("exp_avg." + params_[i].first, m_[i]);
        out.emplace_back("exp_avg_sq." + params_[i].first, v_[i]);
    }
    out.emplace_back("step", at::tensor({steps_}, at::kLong));
    return out;
}

void AdamW::load_state(const std::map<std::string, at::Tensor>& state) {
    at::NoGradGuard ng;
    for (std::size_t i = 0; i < params_.size(); ++i) {
        const auto m = state.find("exp_avg." + params_[i].first);
        const auto v = state.find("exp_avg_sq." + params_[i].first);
        if (m == state.end() || v == state.end()) fail("optimizer state has no entry for ", params_[i].first);
        if (m->second.sizes() != m_[i].sizes())
            fail("optimizer state for ", params_[i].first, " has the wrong shape");
        m_[i].copy_(m->second);
        v_[i].copy_(v->second);
    }
    const auto s = state.find("step");
    if (s == state.end()) fail("optimizer state has no step count");
    steps_ = s->second.item<std::int64_t>();
}

}  // namespace sightline::train
