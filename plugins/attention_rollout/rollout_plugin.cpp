#include "plugins/attention_rollout/rollout_plugin.h"

#include "plugins/attention_rollout/attention_rollout.h"

namespace sightline {

std::vector<std::shared_ptr<const Explainer>> RolloutPlugin::explainers() const {
    return {std::make_shared<AttentionRolloutExplainer>()};
}

}  // namespace sightline
