#include "ui/window/knockout_panel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>

#include "core/explain/explainer.h"
#include "ui/plots/curve_plot.h"

namespace sightline::ui {

KnockoutPanel::KnockoutPanel(QWidget* parent) : QWidget(parent) {
    setObjectName("knockoutPanel");
    auto* v = new QVBoxLayout(this);
    auto* about = new QLabel(
        "Knock image patches or prompt tokens out and re-run the model. Drag on the image to brush "
        "patches; name prompt positions below. The clicked answer token's probability is read on the "
        "original answer; the new answer is generated greedily with the knockout on every step.");
    about->setWordWrap(true);
    about->setStyleSheet("color: palette(mid);");
    v->addWidget(about);

    auto* form = new QFormLayout;
    op_ = new QComboBox;
    op_->setObjectName("knockoutOp");
    op_->addItem("Block attention from the answer", "block");
    op_->addItem("Replace embeddings by the image mean", "mean");
    op_->addItem("Replace embeddings by a blurred image's", "blur");
    form->addRow("Intervention", op_);
    layers_ = new QLineEdit("all");
    layers_->setObjectName("knockoutLayers");
    layers_->setToolTip("Layers whose attention is blocked: all, or a list such as 0,2,5-7");
    form->addRow("Layers", layers_);
    window_ = new QSpinBox;
    window_->setObjectName("knockoutWindow");
    window_->setRange(0, 1);
    window_->setValue(1);
    window_->setToolTip("Per-layer curve: block this many consecutive layers at a time (0: no curve)");
    form->addRow("Window", window_);
    positions_ = new QLineEdit;
    positions_->setObjectName("knockoutPositions");
    positions_->setPlaceholderText("prompt positions, e.g. 150-153 (optional)");
    form->addRow("Prompt tokens", positions_);
    auto* patch_row = new QHBoxLayout;
    patches_label_ = new QLabel("no patches brushed");
    patches_label_->setObjectName("knockoutPatches");
    auto* clear = new QPushButton("Clear");
    patch_row->addWidget(patches_label_, 1);
    patch_row->addWidget(clear);
    form->addRow("Patches", patch_row);
    v->addLayout(form);
    run_ = new QPushButton("Knock out and re-run");
    run_->setObjectName("knockoutRun");
    v->addWidget(run_);
    result_label_ = new QLabel("No knockout run yet.");
    result_label_->setObjectName("knockoutResult");
    result_label_->setWordWrap(true);
    result_label_->setTextFormat(Qt::RichText);
    v->addWidget(result_label_);
    curve_ = new CurvePlot;
    curve_->setObjectName("knockoutCurve");
    curve_->hide();
    v->addWidget(curve_, 1);
    v->addStretch();

    connect(run_, &QPushButton::clicked, this, &KnockoutPanel::runRequested);
    connect(clear, &QPushButton::clicked, this, [this] {
        setPatches({});
        Q_EMIT clearPatchesRequested();
    });
    connect(op_, &QComboBox::currentIndexChanged, this, [this] {
        const bool block = op_->currentData().toString() == "block";
        layers_->setEnabled(block);
        window_->setEnabled(block);
    });
}

void KnockoutPanel::setModelShape(int layers, qint64 prompt_length) {
    layers_count_ = std::max(1, layers);
    prompt_length_ = prompt_length;
    window_->setRange(0, layers_count_);
}

void KnockoutPanel::setPatches(const QVector<QPoint>& cells) {
    patches_ = cells;
    patches_label_->setText(cells.isEmpty() ? "no patches brushed"
                                            : QString("%1 patch(es) brushed").arg(cells.size()));
}

void KnockoutPanel::togglePosition(qint64 position) {
    std::vector<int> list;
    try {
        const std::string text = positions_->text().trimmed().toStdString();
        if (!text.empty())
            list = parse_index_list(text, static_cast<int>(std::max<qint64>(prompt_length_ - 1, 0)),
                                    "positions");
    } catch (const std::exception&) {
        list.clear();  // a malformed field is replaced by the clicked token
    }
    const auto it = std::find(list.begin(), list.end(), static_cast<int>(position));
    if (it != list.end())
        list.erase(it);
    else
        list.push_back(static_cast<int>(position));
    std::sort(list.begin(), list.end());
    QStringList parts;
    for (int p : list) parts << QString::number(p);
    positions_->setText(parts.join(","));
}

KnockoutSpec KnockoutPanel::spec() const {
    KnockoutSpec s;
    s.op = op_->currentData().toString().toStdString();
    s.window = s.op == "block" ? window_->value() : 0;
    const std::string layers = layers_->text().trimmed().toStdString();
    if (s.op == "block" && !layers.empty() && layers != "all")
        s.layers = parse_index_list(layers, layers_count_ - 1, "layers");
    const std::string positions = positions_->text().trimmed().toStdString();
    if (!positions.empty())
        for (int p : parse_index_list(positions, static_cast<int>(std::max<qint64>(prompt_length_ - 1, 0)),
                                      "prompt positions"))
            s.positions.push_back(p);
    return s;
}

void KnockoutPanel::showBusy(bool busy) {
    run_->setEnabled(!busy);
    if (busy) result_label_->setText("Re-running with the knockout…");
}

void KnockoutPanel::showError(const QString& message) {
    run_->setEnabled(true);
    result_label_->setText("<span style='color:#c0392b'>" + message.toHtmlEscaped() + "</span>");
}

void KnockoutPanel::clearResult() {
    result_.reset();
    run_->setEnabled(true);
    result_label_->setText("No knockout run yet.");
    curve_->clear();
    curve_->hide();
}

void KnockoutPanel::showResult(const KnockoutResult& r) {
    result_ = r;
    run_->setEnabled(true);
    const auto esc = [](const std::string& s) { return QString::fromStdString(s).toHtmlEscaped(); };
    const double change = r.p_after - r.p_before;
    result_label_->setText(
        QString("<b>%1</b> of %2 position(s)<br>Before: <b>%3</b><br>After: <b>%4</b> %5<br>"
                "p('%6'): %7 → %8 (<span style='color:%9'>%10%11</span>), most likely now '%12'")
            .arg(esc(r.spec.op))
            .arg(r.spec.positions.size())
            .arg(esc(r.answer_before), esc(r.answer_after))
            .arg(r.answer_changed() ? "<span style='color:#c0392b'>(changed)</span>" : "(unchanged)")
            .arg(esc(r.token))
            .arg(r.p_before, 0, 'f', 3)
            .arg(r.p_after, 0, 'f', 3)
            .arg(change < 0 ? "#c0392b" : "#1e8449")
            .arg(change >= 0 ? "+" : "")
            .arg(change, 0, 'f', 3)
            .arg(esc(r.predicted_after)));
    curve_->clear();
    if (r.per_layer) {
        const auto& c = *r.per_layer;
        curve_->setAxes(QString::fromStdString(c.title), "first layer blocked", "probability");
        const QVector<double> x(c.layers.begin(), c.layers.end());
        for (std::size_t k = 0; k < c.values.size() && k < c.names.size(); ++k)
            curve_->addLine(QString::fromStdString(c.names[k]), x,
                            QVector<double>(c.values[k].begin(), c.values[k].end()));
        curve_->show();
    } else {
        curve_->hide();
    }
}

}  // namespace sightline::ui
