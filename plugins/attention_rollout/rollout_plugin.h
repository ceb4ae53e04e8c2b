#pragma once
// The Qt plugin object that exposes AttentionRolloutExplainer through the ExplainerPlugin interface.
#include <QObject>

#include "plugins/interface/explainer_plugin.h"

namespace sightline {

class RolloutPlugin : public QObject, public ExplainerPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SightlineExplainerPlugin_iid FILE "attention_rollout.json")
    Q_INTERFACES(sightline::ExplainerPlugin)
  public:
    std::vector<std::shared_ptr<const Explainer>> explainers() const override;
};

}  // namespace sightline
