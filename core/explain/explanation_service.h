#pragma once
// The front door to explainers: resolves parameters, times the call, and caches results per
// (trace, target, method, parameters) so a second request — a click back on a token — is instant.
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "core/explain/explainer.h"
#include "core/explain/trace_context.h"

namespace sightline {

class ExplanationService {
  public:
    explicit ExplanationService(ExplainerRegistry registry = ExplainerRegistry::with_builtins(),
                                std::size_t capacity = 512);
    const ExplainerRegistry& registry() const { return registry_; }
    ExplainerRegistry& registry() { return registry_; }

    // Throws sightline::Error for unknown methods/parameters or impossible targets; CancelledError
    // when the context's cancel flag is raised during the computation.
    Explanation explain(TraceContext& ctx, const std::string& method, std::int64_t target,
                        const nlohmann::json& params = nlohmann::json::object());
    bool cached(const TraceContext& ctx, const std::string& method, std::int64_t target,
                const nlohmann::json& params = nlohmann::json::object()) const;
    void clear();
    std::size_t size() const;

  private:
    std::string key(const TraceContext& ctx, const std::string& method, std::int64_t target,
                    const nlohmann::json& resolved) const;
    ExplainerRegistry registry_;
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::map<std::string, Explanation> cache_;
    std::deque<std::string> order_;
};

}  // namespace sightline
