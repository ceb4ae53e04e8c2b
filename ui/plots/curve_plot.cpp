#include "ui/plots/curve_plot.h"

#include <algorithm>
#include <cmath>

#include "ui/plots/plot_palette.h"
#include "ui/plots/qcustomplot_wrapper.h"

namespace sightline::ui {

namespace {

QColor curveColour(int index) {
    static const QVector<QColor> colours = {palette::image(),         palette::prompt(),
                                            palette::answer(),        QColor(0xb0, 0x7a, 0xa1),
                                            QColor(0xed, 0xc9, 0x48), palette::system()};
    return colours[index % colours.size()];
}

}  // namespace

CurvePlot::CurvePlot(QWidget* parent) : PlotWidget(QStringLiteral("Deletion / insertion curves"), parent) {
    QCustomPlot* plot = customPlot();
    plot->xAxis->setLabel(QStringLiteral("fraction of cells"));
    plot->yAxis->setLabel(QStringLiteral("normalised score"));
    placeLegendBelow(3);
    clear();
}

QString CurvePlot::legendText(const QString& name, double auc) {
    return QStringLiteral("%1 (AUC %2)").arg(name).arg(auc, 0, 'f', 2);
}

QCPGraph* CurvePlot::addCurve(const QString& name, const QVector<double>& x, const QVector<double>& y,
                              double auc) {
    QCustomPlot* plot = customPlot();
    auto* graph = plot->addGraph();
    graph->setName(legendText(name, auc));
    const QColor colour = curveColour(static_cast<int>(curves_.size()));
    graph->setPen(QPen(colour, 2.0));
    QColor fill = colour;
    fill.setAlpha(28);
    graph->setBrush(fill);
    const qsizetype n = std::min(x.size(), y.size());
    graph->setData(x.mid(0, n), y.mid(0, n));
    curves_.push_back(graph);
    polishLegendItems();
    hideEmptyState();
    rescale();
    plot->replot();
    return graph;
}

void CurvePlot::setAxes(const QString& title, const QString& xLabel, const QString& yLabel) {
    setTitle(title);
    customPlot()->xAxis->setLabel(xLabel);
    customPlot()->yAxis->setLabel(yLabel);
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();  // layers are whole numbers
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    customPlot()->xAxis->setTicker(ticker);
    fit_x_ = true;
}

QCPGraph* CurvePlot::addLine(const QString& name, const QVector<double>& x, const QVector<double>& y) {
    QCPGraph* graph = addCurve(name, x, y, 0.0);
    graph->setName(name);
    graph->setBrush(Qt::NoBrush);
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    polishLegendItems();
    customPlot()->replot();
    return graph;
}

QCPGraph* CurvePlot::curve(int index) const {
    return index >= 0 && index < curves_.size() ? curves_[index] : nullptr;
}

void CurvePlot::rescale() {
    double lo = 0.0, hi = 1.0;
    for (QCPGraph* g : curves_) {
        for (const QCPGraphData& d : *g->data()) {
            if (!std::isfinite(d.value)) continue;
            lo = std::min(lo, d.value);
            hi = std::max(hi, d.value);
        }
    }
    const double pad = 0.03 * (hi - lo);
    double x0 = 0.0, x1 = 1.0;
    if (fit_x_) {
        bool any = false;
        for (QCPGraph* g : curves_)
            for (const QCPGraphData& d : *g->data()) {
                x0 = any ? std::min(x0, d.key) : d.key;
                x1 = any ? std::max(x1, d.key) : d.key;
                any = true;
            }
        x0 -= 0.3;
        x1 += 0.3;
    }
    customPlot()->xAxis->setRange(x0, x1);
    customPlot()->yAxis->setRange(lo - (lo < 0.0 ? pad : 0.0), hi + pad);
}

void CurvePlot::clear() {
    customPlot()->clearGraphs();
    curves_.clear();
    rescale();
    showEmptyState(palette::emptyMessage());
    customPlot()->replot();
}

}  // namespace sightline::ui
