#include "ui/window/method_panel.h"

#include <QGroupBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "core/eval/ground_truth.h"
#include "ui/plots/causal_graph_view.h"
#include "ui/plots/curve_plot.h"
#include "ui/plots/head_layer_heatmap.h"
#include "ui/plots/layer_shares_plot.h"
#include "ui/plots/text_relevance_bars.h"
#include "ui/window/param_form.h"

namespace sightline::ui {
namespace {

QVector<double> doubles(const std::vector<double>& v) {
    return QVector<double>(v.begin(), v.end());
}

}  // namespace

MethodPanel::MethodPanel(const ExplainerInfo& info, QWidget* parent)
    : QWidget(parent), method_(info.name), title_(info.title) {
    setObjectName("panel_" + info.name);
    auto* content = new QWidget;
    auto* v = new QVBoxLayout(content);
    auto* about = new QLabel(info.description);
    about->setWordWrap(true);
    about->setStyleSheet("color: palette(mid);");
    v->addWidget(about);
    auto* params = new QGroupBox("Parameters");
    auto* pv = new QVBoxLayout(params);
    form_ = new ParamForm(info.params);
    pv->addWidget(form_);
    v->addWidget(params);
    params->setVisible(!info.params.empty());
    status_ = new QLabel("Click an answer token to explain it.");
    status_->setObjectName("status_" + info.name);
    status_->setWordWrap(true);
    progress_ = new QProgressBar;
    progress_->setMaximumHeight(10);
    progress_->setTextVisible(false);
    progress_->setRange(0, 0);
    progress_->hide();
    v->addWidget(status_);
    v->addWidget(progress_);

    // Plots of the typed views (layer shares, heads x layers, causal graph) are made when an explanation
    // first carries that view, whichever method it comes from; they go in this slot, above the text bars.
    plots_ = new QVBoxLayout;
    plots_->setContentsMargins(0, 0, 0, 0);
    v->addLayout(plots_, 2);
    text_bars_ = new TextRelevanceBars;
    v->addWidget(text_bars_);
    curves_button_ = new QPushButton("Deletion / insertion curves");
    curves_button_->setObjectName("curves_" + info.name);
    curves_button_->setToolTip(
        "Blur the image cell by cell in the map's order (deletion) or reveal it (insertion) "
        "and track the token's probability");
    v->addWidget(curves_button_);
    curves_ = new CurvePlot;
    curves_->hide();
    v->addWidget(curves_);
    v->addStretch(1);

    auto* scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    connect(form_, &ParamForm::changed, this, &MethodPanel::paramsChanged);
    connect(curves_button_, &QPushButton::clicked, this, &MethodPanel::curvesRequested);
}

LayerSharesPlot* MethodPanel::ensure_layer_shares() {
    if (!layer_shares_) {
        layer_shares_ = new LayerSharesPlot;
        plots_->insertWidget(0, layer_shares_);
    }
    return layer_shares_;
}

HeadLayerHeatmap* MethodPanel::ensure_heatmap() {
    if (!heatmap_) {
        heatmap_ = new HeadLayerHeatmap;
        plots_->insertWidget(layer_shares_ ? 1 : 0, heatmap_);
        connect(heatmap_, &HeadLayerHeatmap::cellClicked, this, &MethodPanel::headLayerClicked);
    }
    return heatmap_;
}

CausalGraphView* MethodPanel::ensure_graph() {
    if (!graph_) {
        graph_ = new CausalGraphView;
        graph_->setMinimumHeight(300);
        plots_->addWidget(graph_, 2);
    }
    return graph_;
}

CurvePlot* MethodPanel::ensure_layer_curves() {
    if (!layer_curves_) {
        layer_curves_ = new CurvePlot;
        layer_curves_->setObjectName("layer_curves_" + method_);
        plots_->insertWidget(0, layer_curves_);
    }
    return layer_curves_;
}

HeadLayerHeatmap* MethodPanel::ensure_layer_positions(int index) {
    while (layer_positions_.size() <= index) {
        auto* plot = new HeadLayerHeatmap;
        plot->setObjectName(QString("layer_positions_%1_%2").arg(method_).arg(layer_positions_.size()));
        plot->setMinimumHeight(220);
        plots_->addWidget(plot, 1);
        layer_positions_.push_back(plot);
    }
    layer_positions_[index]->show();
    return layer_positions_[index];
}

nlohmann::json MethodPanel::params() const {
    return form_->values();
}

void MethodPanel::showBusy(bool busy) {
    progress_->setVisible(busy);
    if (busy) {
        progress_->setRange(0, 0);
        status_->setText("Computing…");
    }
}

void MethodPanel::setProgress(int done, int total, const QString& text) {
    progress_->setVisible(true);
    if (!text.isEmpty()) status_->setText("Computing… " + text.toHtmlEscaped());
    progress_->setRange(0, std::max(1, total));
    progress_->setValue(done);
}

void MethodPanel::showError(const QString& message) {
    showBusy(false);
    status_->setText("<span style='color:#c0392b'>" + message.toHtmlEscaped() + "</span>");
}

void MethodPanel::clearResults() {
    status_->setText("Click an answer token to explain it.");
    text_bars_->clear();
    if (layer_shares_) layer_shares_->clear();
    if (heatmap_) heatmap_->clear();
    if (layer_curves_) layer_curves_->clear();
    for (auto* plot : layer_positions_) plot->clear();
    if (graph_) graph_->clear();
    curves_->clear();
    curves_->hide();
}

void MethodPanel::showExplanation(const Explanation& e, const Trace& trace) {
    showBusy(false);
    // Explanations read from files were validated against their trace; check again before indexing.
    const auto n = static_cast<std::int64_t>(trace.tokens.size());
    const auto inside = [n](std::int64_t p) { return p >= 0 && p < n; };
    bool valid = inside(e.target_position) && e.text_positions.size() == e.text_scores.size();
    for (const auto p : e.text_positions) valid = valid && inside(p);
    if (!valid) {
        showError(QString("The %1 explanation names positions outside this answer; it is not shown.")
                      .arg(QString::fromStdString(e.method).left(80)));
        return;
    }
    const auto& tok = trace.tokens[static_cast<std::size_t>(e.target_position)];
    QString status = QString("Token %1 <b>%2</b> — %3 ms%4")
                         .arg(e.target)
                         .arg(QString::fromStdString(tok.text).toHtmlEscaped())
                         .arg(e.time_ms, 0, 'f', 1)
                         .arg(e.from_cache ? " (cached)" : "");
    QStringList labels;
    QVector<double> scores;
    for (std::size_t i = 0; i < e.text_positions.size(); ++i) {
        labels << QString::fromStdString(trace.tokens[static_cast<std::size_t>(e.text_positions[i])].text);
        scores << static_cast<double>(e.text_scores[i]);
    }
    text_bars_->setScores(labels, scores);
    if (e.layer_shares) {
        const auto& s = *e.layer_shares;
        ensure_layer_shares()->setShares(doubles(s.image), doubles(s.prompt), doubles(s.system),
                                         doubles(s.answer));
    }
    if (e.head_layer) {
        QVector<QVector<double>> m;
        for (const auto& row : e.head_layer->values) m << doubles(row);
        ensure_heatmap()->setMatrix(m);
    }
    if (e.layer_curves) {
        const auto& c = *e.layer_curves;
        CurvePlot* plot = ensure_layer_curves();
        plot->clear();
        plot->setAxes(QString::fromStdString(c.title), "layer", QString::fromStdString(c.y_label));
        const QVector<double> x(c.layers.begin(), c.layers.end());
        for (std::size_t k = 0; k < c.values.size() && k < c.names.size(); ++k)
            plot->addLine(QString::fromStdString(c.names[k]), x, doubles(c.values[k]));
    }
    for (int k = 0; k < static_cast<int>(e.layer_positions.size()); ++k) {
        const auto& g = e.layer_positions[static_cast<std::size_t>(k)];
        QVector<QVector<double>> m;
        for (const auto& row : g.values) m << doubles(row);
        QStringList columns;
        for (const auto& c : g.columns) columns << QString::fromStdString(c);
        HeadLayerHeatmap* plot = ensure_layer_positions(k);
        plot->setLabels(QString::fromStdString(g.title), "position (image regions, then text)", "effect",
                        QVector<int>(g.layers.begin(), g.layers.end()), columns);
        plot->setMatrix(m);
    }
    for (int k = static_cast<int>(e.layer_positions.size()); k < layer_positions_.size(); ++k)
        layer_positions_[k]->hide();  // fewer tables than the last explanation had
    const MaskingCheck* masking = e.masking ? &*e.masking : nullptr;
    if (e.graph) {
        QVector<CausalNode> nodes;
        for (const auto& node : e.graph->nodes)
            nodes.push_back({node.id, QString::fromStdString(node.label), QString::fromStdString(node.kind),
                             node.highlighted});
        QVector<CausalEdge> edges;
        for (const auto& ed : e.graph->edges)
            edges.push_back(
                {ed.from, ed.to, QString::fromStdString(ed.mark_from), QString::fromStdString(ed.mark_to)});
        ensure_graph()->setGraph(nodes, edges, masking && masking->validated,
                                 masking ? masking->probability_drop() : 0.0,
                                 masking ? QString::fromStdString(masking->message) : QString());
    }
    if (masking)
        status += masking->validated
                      ? QString(" — <b>validated</b>: masking %1 token(s) changes it to '%2'")
                            .arg(masking->positions.size())
                            .arg(QString::fromStdString(masking->masked_prediction).toHtmlEscaped())
                      : QString(" — <b>not validated</b>");
    if (e.budget)  // the search budget used (scaled up on big models)
        status +=
            QString(" (budget %1 s%2)")
                .arg(e.budget->budget_ms / 1000.0, 0, 'f', 1)
                .arg(e.budget->scaled
                         ? QString(", %1 re-runs of %2 s")
                               .arg(e.budget->budget_ms / std::max(1.0, e.budget->forward_ms), 0, 'f', 0)
                               .arg(e.budget->forward_ms / 1000.0, 0, 'f', 1)
                         : QString());
    if (e.interference) status += QString(" — interference α = %1").arg(e.interference->alpha, 0, 'f', 3);
    if (e.ground_truth) {  // demo scenes: the map against the object's true mask
        const auto& gt = *e.ground_truth;
        const QString line = QString::fromStdString(ground_truth_summary(gt)).toHtmlEscaped();
        const QString colour = !gt.applicable ? "#7f8c8d" : gt.pointing_hit ? "#1e8449" : "#c0392b";
        status += QString("<br><span style='color:%1'>Ground truth: %2</span>").arg(colour, line);
    }
    status_->setText(status);
}

void MethodPanel::showCurves(const FaithfulnessCurves& c) {
    progress_->hide();
    curves_->clear();
    curves_->addCurve("deletion", c.fraction, c.deletion, c.deletion_auc);
    curves_->addCurve("insertion", c.fraction, c.insertion, c.insertion_auc);
    curves_->show();
}

}  // namespace sightline::ui
