#include "ui/window/param_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <cmath>

namespace sightline::ui {

ParamForm::ParamForm(const std::vector<ParamSpec>& specs, QWidget* parent) : QWidget(parent) {
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    for (const auto& s : specs) {
        QWidget* w = nullptr;
        switch (s.kind) {
            case ParamKind::Int: {
                auto* box = new QSpinBox;
                box->setRange(s.min != s.max ? static_cast<int>(s.min) : -1000000,
                              s.min != s.max ? static_cast<int>(s.max) : 1000000);
                box->setValue(s.default_value.get<int>());
                connect(box, &QSpinBox::valueChanged, this, [this] {
                    if (!applying_) Q_EMIT changed();
                });
                w = box;
                break;
            }
            case ParamKind::Double: {
                auto* box = new QDoubleSpinBox;
                const double v = s.default_value.get<double>();
                const bool tiny = std::abs(v) > 0 && std::abs(v) < 1e-3;
                box->setDecimals(tiny ? 12 : 4);
                box->setRange(s.min != s.max ? s.min : -1e9, s.min != s.max ? s.max : 1e9);
                box->setSingleStep(tiny ? v : 0.05);
                box->setValue(v);
                connect(box, &QDoubleSpinBox::valueChanged, this, [this] {
                    if (!applying_) Q_EMIT changed();
                });
                w = box;
                break;
            }
            case ParamKind::Bool: {
                auto* box = new QCheckBox;
                box->setChecked(s.default_value.get<bool>());
                connect(box, &QCheckBox::toggled, this, [this] {
                    if (!applying_) Q_EMIT changed();
                });
                w = box;
                break;
            }
            case ParamKind::Choice: {
                auto* box = new QComboBox;
                for (const auto& c : s.choices) box->addItem(QString::fromStdString(c));
                box->setCurrentText(QString::fromStdString(s.default_value.get<std::string>()));
                connect(box, &QComboBox::currentTextChanged, this, [this] {
                    if (!applying_) Q_EMIT changed();
                });
                w = box;
                break;
            }
            case ParamKind::IndexList: {
                auto* edit = new QLineEdit(QString::fromStdString(s.default_value.get<std::string>()));
                edit->setPlaceholderText(QString("all, 3, 0,2 or 1-%1").arg(static_cast<int>(s.max)));
                edit->setValidator(
                    new QRegularExpressionValidator(QRegularExpression("all|[-0-9, ]*"), edit));
                connect(edit, &QLineEdit::editingFinished, this, [this] {
                    if (!applying_) Q_EMIT changed();
                });
                w = edit;
                break;
            }
        }
        w->setObjectName(QString::fromStdString(s.name));
        w->setToolTip(QString::fromStdString(s.help));
        form->addRow(QString::fromStdString(s.label), w);
        entries_.push_back({s, w});
    }
}

QWidget* ParamForm::control(const QString& name) const {
    for (const auto& e : entries_)
        if (QString::fromStdString(e.spec.name) == name) return e.widget;
    return nullptr;
}

nlohmann::json ParamForm::values() const {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& e : entries_) {
        const std::string& n = e.spec.name;
        switch (e.spec.kind) {
            case ParamKind::Int:
                j[n] = static_cast<QSpinBox*>(e.widget)->value();
                break;
            case ParamKind::Double:
                j[n] = static_cast<QDoubleSpinBox*>(e.widget)->value();
                break;
            case ParamKind::Bool:
                j[n] = static_cast<QCheckBox*>(e.widget)->isChecked();
                break;
            case ParamKind::Choice:
                j[n] = static_cast<QComboBox*>(e.widget)->currentText().toStdString();
                break;
            case ParamKind::IndexList: {
                const QString t = static_cast<QLineEdit*>(e.widget)->text().trimmed();
                j[n] = t.isEmpty() ? std::string("all") : t.toStdString();
                break;
            }
        }
    }
    return j;
}

void ParamForm::setValues(const nlohmann::json& v) {
    applying_ = true;
    for (const auto& e : entries_) {
        if (!v.contains(e.spec.name)) continue;
        const auto& x = v[e.spec.name];
        switch (e.spec.kind) {
            case ParamKind::Int:
                if (x.is_number()) static_cast<QSpinBox*>(e.widget)->setValue(x.get<int>());
                break;
            case ParamKind::Double:
                if (x.is_number()) static_cast<QDoubleSpinBox*>(e.widget)->setValue(x.get<double>());
                break;
            case ParamKind::Bool:
                if (x.is_boolean()) static_cast<QCheckBox*>(e.widget)->setChecked(x.get<bool>());
                break;
            case ParamKind::Choice:
                if (x.is_string())
                    static_cast<QComboBox*>(e.widget)->setCurrentText(
                        QString::fromStdString(x.get<std::string>()));
                break;
            case ParamKind::IndexList: {
                QString t;
                if (x.is_string())
                    t = QString::fromStdString(x.get<std::string>());
                else if (x.is_array()) {
                    QStringList parts;
                    for (const auto& i : x) parts << QString::number(i.get<int>());
                    t = parts.join(',');
                } else if (x.is_number_integer())
                    t = QString::number(x.get<int>());
                static_cast<QLineEdit*>(e.widget)->setText(t);
                break;
            }
        }
    }
    applying_ = false;
    Q_EMIT changed();
}

}  // namespace sightline::ui
