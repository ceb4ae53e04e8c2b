#pragma once
// Controls built from an explainer's ParamSpecs (spin boxes, check boxes, combo boxes, index-list line
// edits), so every method — built-in or plugin — gets its panel without GUI code of its own.
#include <QWidget>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/explain/explainer.h"

class QFormLayout;

namespace sightline::ui {

class ParamForm : public QWidget {
    Q_OBJECT
  public:
    explicit ParamForm(const std::vector<ParamSpec>& specs, QWidget* parent = nullptr);
    // Current values as a JSON object (IndexList values as their text, e.g. "all" or "0,2-3").
    nlohmann::json values() const;
    QString valuesJson() const { return QString::fromStdString(values().dump()); }
    // Sets controls from a JSON object (unknown keys ignored); emits changed() once.
    void setValues(const nlohmann::json& values);
    QWidget* control(const QString& name) const;

  Q_SIGNALS:
    void changed();

  private:
    struct Entry {
        ParamSpec spec;
        QWidget* widget;
    };
    std::vector<Entry> entries_;
    bool applying_ = false;
};

}  // namespace sightline::ui
