#include "plugins/loader/plugin_loader.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QLibrary>
#include <QPluginLoader>
#include <QSet>

#include "core/util/resource_paths.h"
#include "plugins/interface/explainer_plugin.h"

namespace sightline {

QStringList default_plugin_dirs() {
    QStringList dirs;
    const QString env = qEnvironmentVariable("SIGHTLINE_PLUGIN_PATH");
    if (!env.isEmpty()) dirs << env.split(':', Qt::SkipEmptyParts);
    const QString exe = QString::fromStdString(executable_dir());
    dirs << exe + "/plugins" << exe + "/../lib/sightline/plugins";
    return dirs;
}

std::vector<LoadedPlugin> load_explainer_plugins(const QStringList& dirs, QStringList* errors) {
    std::vector<LoadedPlugin> out;
    QSet<QString> seen;
    for (const QString& d : dirs) {
        const QDir dir(d);
        if (!dir.exists()) continue;
        for (const QFileInfo& f : dir.entryInfoList(QDir::Files)) {
            const QString path = f.canonicalFilePath();
            if (!QLibrary::isLibrary(path) || seen.contains(path)) continue;
            seen.insert(path);
            QPluginLoader loader(path);
            const QJsonObject meta = loader.metaData();
            const QString iid = meta.value("IID").toString();
            if (iid.isEmpty()) continue;  // not a Qt plugin
            if (iid != SightlineExplainerPlugin_iid) {
                if (errors)
                    *errors << QString("%1: plugin interface %2 is not %3")
                                   .arg(path, iid, SightlineExplainerPlugin_iid);
                continue;
            }
            QObject* root = loader.instance();
            auto* plugin = root ? qobject_cast<ExplainerPlugin*>(root) : nullptr;
            if (!plugin) {
                if (errors) *errors << QString("%1: cannot load (%2)").arg(path, loader.errorString());
                continue;
            }
            const QJsonObject md = meta.value("MetaData").toObject();
            LoadedPlugin lp;
            lp.file = path;
            lp.name = md.value("name").toString(f.baseName());
            lp.version = md.value("version").toString();
            lp.explainers = plugin->explainers();
            out.push_back(std::move(lp));
        }
    }
    return out;
}

void add_plugin_explainers(ExplainerRegistry& registry, const QStringList& extra_dirs, QStringList* errors) {
    QStringList dirs = extra_dirs;
    dirs << default_plugin_dirs();
    for (const auto& p : load_explainer_plugins(dirs, errors))
        for (const auto& e : p.explainers) registry.add(e);
}

void add_plugin_explainers(Explorer& explorer, const QStringList& extra_dirs, QStringList* errors) {
    QStringList dirs = extra_dirs;
    dirs << default_plugin_dirs();
    for (const auto& p : load_explainer_plugins(dirs, errors))
        for (const auto& e : p.explainers) explorer.add_explainer(e);
}

}  // namespace sightline
