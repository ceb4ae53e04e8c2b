#include "core/explain/explanation_service.h"

#include "core/util/error.h"
#include "core/util/stopwatch.h"

namespace sightline {

ExplanationService::ExplanationService(ExplainerRegistry registry, std::size_t capacity)
    : registry_(std::move(registry)), capacity_(capacity) {}

std::string ExplanationService::key(const TraceContext& ctx, const std::string& method, std::int64_t target,
                                    const nlohmann::json& resolved) const {
    return cat(ctx.id(), "|", method, "|", target, "|", resolved.dump());
}

Explanation ExplanationService::explain(TraceContext& ctx, const std::string& method, std::int64_t target,
                                        const nlohmann::json& params) {
    const auto explainer = registry_.get(method);
    const nlohmann::json resolved = resolve_params(method, explainer->params(ctx.model().config), params);
    const std::string k = key(ctx, method, target, resolved);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto it = cache_.find(k);
        if (it != cache_.end()) {
            Explanation e = it->second;
            e.from_cache = true;
            return e;
        }
    }
    ctx.target_position(target);  // validates the index with a clear message
    Stopwatch clock;
    Explanation e = explainer->explain(ctx, target, resolved);
    e.time_ms = clock.elapsed_ms();
    e.method = method;
    e.params = resolved;
    std::lock_guard<std::mutex> lock(mutex_);
    if (cache_.emplace(k, e).second) order_.push_back(k);
    while (order_.size() > capacity_) {
        cache_.erase(order_.front());
        order_.pop_front();
    }
    return e;
}

bool ExplanationService::cached(const TraceContext& ctx, const std::string& method, std::int64_t target,
                                const nlohmann::json& params) const {
    const auto explainer = registry_.get(method);
    const nlohmann::json resolved = resolve_params(method, explainer->params(ctx.model().config), params);
    std::lock_guard<std::mutex> lock(mutex_);
    return cache_.count(key(ctx, method, target, resolved)) != 0;
}

void ExplanationService::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    cache_.clear();
    order_.clear();
}

std::size_t ExplanationService::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cache_.size();
}

}  // namespace sightline
