#pragma once
// Finds and loads explainer plugins from folders (Qt Core only; used by the GUI and the CLI).
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

#include "core/explain/explainer.h"
#include "core/explore/explorer.h"

namespace sightline {

struct LoadedPlugin {
    QString file;
    QString name;  // from the plugin's JSON metadata
    QString version;
    std::vector<std::shared_ptr<const Explainer>> explainers;
};

// $SIGHTLINE_PLUGIN_PATH (':'-separated), <exe>/plugins (build tree), <exe>/../lib/sightline/plugins
// (installed).
QStringList default_plugin_dirs();
// Scans every folder for shared libraries, loads those whose IID matches; problems (wrong IID, load
// failures) are appended to `errors` and skipped.
std::vector<LoadedPlugin> load_explainer_plugins(const QStringList& dirs, QStringList* errors = nullptr);
// Adds every plugin explainer to the registry (for the CLI).
void add_plugin_explainers(ExplainerRegistry& registry, const QStringList& extra_dirs = {},
                           QStringList* errors = nullptr);
// The same for an Explorer (kept across the models it loads).
void add_plugin_explainers(Explorer& explorer, const QStringList& extra_dirs = {},
                           QStringList* errors = nullptr);

}  // namespace sightline
