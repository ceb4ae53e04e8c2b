#include "ui/plots/layer_shares_plot.h"

#include <algorithm>

#include "ui/plots/plot_palette.h"
#include "ui/plots/qcustomplot_wrapper.h"

namespace sightline::ui {

LayerSharesPlot::LayerSharesPlot(QWidget* parent)
    : PlotWidget(QStringLiteral("Attention share per layer"), parent) {
    QCustomPlot* plot = customPlot();
    const QStringList names = {QStringLiteral("image"), QStringLiteral("prompt"), QStringLiteral("system"),
                               QStringLiteral("answer")};
    for (const QString& name : names) {
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(name);
        const QColor colour = palette::forRole(name);
        bars->setBrush(colour);
        bars->setPen(QPen(colour.darker(115), 0.8));
        bars->setWidth(0.8);
        if (!bars_.isEmpty()) bars->moveAbove(bars_.back());
        bars_.push_back(bars);
    }
    plot->xAxis->setLabel(QStringLiteral("layer (0-based)"));
    plot->yAxis->setLabel(QStringLiteral("attention share"));
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    plot->xAxis->setTicker(ticker);
    plot->xAxis->grid()->setVisible(false);
    plot->yAxis->setRange(0.0, 1.0);
    placeLegendBelow(4);
    polishLegendItems();
    clear();
}

QCPBars* LayerSharesPlot::bars(int role) const {
    return role >= 0 && role < bars_.size() ? bars_[role] : nullptr;
}

void LayerSharesPlot::setShares(const QVector<double>& image, const QVector<double>& prompt,
                                const QVector<double>& system, const QVector<double>& answer) {
    const QVector<const QVector<double>*> series = {&image, &prompt, &system, &answer};
    layers_ = 0;
    for (const auto* values : series) layers_ = std::max(layers_, static_cast<int>(values->size()));
    if (layers_ == 0) {
        clear();
        return;
    }
    QVector<double> keys(layers_);
    for (int l = 0; l < layers_; ++l) keys[l] = l;
    for (int role = 0; role < bars_.size(); ++role) {
        QVector<double> values = *series[role];
        values.resize(layers_);  // pads with 0
        for (double& v : values) v = std::clamp(v, 0.0, 1.0);
        bars_[role]->setData(keys, values, true);
    }
    QCustomPlot* plot = customPlot();
    plot->xAxis->setRange(-0.6, layers_ - 0.4);
    plot->yAxis->setRange(0.0, 1.0);
    hideEmptyState();
    plot->replot();
}

void LayerSharesPlot::clear() {
    layers_ = 0;
    for (QCPBars* bars : bars_) bars->data()->clear();
    customPlot()->xAxis->setRange(-0.6, 3.6);
    customPlot()->yAxis->setRange(0.0, 1.0);
    showEmptyState(palette::emptyMessage());
    customPlot()->replot();
}

}  // namespace sightline::ui
