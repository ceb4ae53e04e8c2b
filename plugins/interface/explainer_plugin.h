#pragma once
// The explainer plugin interface. A plugin is a Qt plugin (a shared library built with
// Q_PLUGIN_METADATA(IID SightlineExplainerPlugin_iid FILE "name.json")) whose root object implements
// ExplainerPlugin and hands out core explainers; they appear in the GUI's method tabs and in
// sightline-cli's --method list like the built-in ones. The IID carries the interface version: a plugin
// built against another version is refused by the loader with a clear message.
#include <QtPlugin>
#include <memory>
#include <vector>

#include "core/explain/explainer.h"

namespace sightline {

class ExplainerPlugin {
  public:
    virtual ~ExplainerPlugin() = default;
    virtual std::vector<std::shared_ptr<const Explainer>> explainers() const = 0;
};

}  // namespace sightline

#define SightlineExplainerPlugin_iid "org.sightline.ExplainerPlugin/1.0"
Q_DECLARE_INTERFACE(sightline::ExplainerPlugin, SightlineExplainerPlugin_iid)
