#include "ui/window/open_model_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <exception>

#include "core/model/load_plan.h"
#include "core/util/system_info.h"

namespace sightline::ui {

OpenModelDialog::OpenModelDialog(const QString& dir, const QString& dtype, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle("Open model folder");
    auto* v = new QVBoxLayout(this);
    auto* where = new QLabel("<b>" + dir.toHtmlEscaped() + "</b>");
    where->setWordWrap(true);
    v->addWidget(where);
    plan_ = new QLabel;
    plan_->setObjectName("loadPlan");
    plan_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    plan_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    plan_->setWordWrap(true);
    v->addWidget(plan_);
    dtype_ = new QComboBox;
    dtype_->setObjectName("dtype");
    auto* form = new QFormLayout;
    form->addRow("Compute dtype", dtype_);
    v->addLayout(form);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    load_ = buttons->addButton("Load", QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    v->addWidget(buttons);

    try {
        const LoadPlan plan = plan_load(dir.toStdString());
        plan_->setText(QString::fromStdString(plan.describe()));
        const auto label = [&](ComputeDType d) {
            return QString("%1 — about %2%3")
                .arg(QString::fromStdString(to_string(d)),
                     QString::fromStdString(format_bytes(plan.needed(d))),
                     plan.fits(d) ? "" : " (does not fit in the memory available)");
        };
        dtype_->addItem(QString("automatic: %1").arg(QString::fromStdString(to_string(plan.recommended))),
                        "auto");
        dtype_->addItem(label(ComputeDType::F32), "f32");
        dtype_->addItem(label(ComputeDType::BF16), "bf16");
        dtype_->addItem(QString("int8 weights — about %1%2")
                            .arg(QString::fromStdString(format_bytes(plan.needed_int8())),
                                 plan.fits_int8() ? "" : " (does not fit in the memory available)"),
                        "int8");
        const int i = dtype_->findData(dtype);
        dtype_->setCurrentIndex(i >= 0 ? i : 0);
        loadable_ = true;
    } catch (const std::exception& e) {
        plan_->setText("<span style='color:#c0392b'>This folder cannot be loaded: " +
                       QString::fromStdString(e.what()).toHtmlEscaped() + "</span>");
        plan_->setTextFormat(Qt::RichText);
        dtype_->setEnabled(false);
        load_->setEnabled(false);
    }
}

QString OpenModelDialog::dtype() const {
    return dtype_->currentData().toString();
}

}  // namespace sightline::ui
