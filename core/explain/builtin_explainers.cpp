// The built-in explainers, in the order the GUI shows them.
#include <memory>

#include "core/explain/attention_explainer.h"
#include "core/explain/causal_tracing.h"
#include "core/explain/cleann_explainer.h"
#include "core/explain/explainer.h"
#include "core/explain/logit_lens_explainer.h"
#include "core/explain/relevancy_explainer.h"
#include "core/explain/tam_explainer.h"

namespace sightline {

ExplainerRegistry ExplainerRegistry::with_builtins() {
    ExplainerRegistry r;
    r.add(std::make_shared<AttentionExplainer>());
    r.add(std::make_shared<RelevancyExplainer>());
    r.add(std::make_shared<TamExplainer>());
    r.add(std::make_shared<CleannExplainer>());
    r.add(std::make_shared<LogitLensExplainer>());
    r.add(std::make_shared<CausalTracingExplainer>());
    return r;
}

}  // namespace sightline
