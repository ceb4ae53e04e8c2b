#include "ui/plots/head_layer_heatmap.h"

#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "ui/plots/plot_palette.h"
#include "ui/plots/qcustomplot_wrapper.h"

namespace sightline::ui {

namespace {

// Viridis: perceptually uniform and readable in greyscale print.
QCPColorGradient viridis() {
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.00, QColor(0x44, 0x01, 0x54));
    g.setColorStopAt(0.25, QColor(0x3b, 0x52, 0x8b));
    g.setColorStopAt(0.50, QColor(0x21, 0x91, 0x8c));
    g.setColorStopAt(0.75, QColor(0x5e, 0xc9, 0x62));
    g.setColorStopAt(1.00, QColor(0xfd, 0xe7, 0x25));
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    return g;
}

QSharedPointer<QCPAxisTickerFixed> integerTicker() {
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    return ticker;
}

}  // namespace

HeadLayerHeatmap::HeadLayerHeatmap(QWidget* parent)
    : PlotWidget(QStringLiteral("Answer \u2192 image attention per head"), parent) {
    QCustomPlot* plot = customPlot();
    plot->setMouseTracking(true);
    plot->xAxis->setLabel(QStringLiteral("head (0-based)"));
    plot->yAxis->setLabel(QStringLiteral("layer (0-based)"));
    plot->xAxis->setTicker(integerTicker());
    plot->yAxis->setTicker(integerTicker());
    plot->xAxis->grid()->setVisible(false);
    plot->yAxis->grid()->setVisible(false);

    map_ = new QCPColorMap(plot->xAxis, plot->yAxis);
    map_->setInterpolate(false);

    scale_ = new QCPColorScale(plot);
    scale_->setType(QCPAxis::atRight);
    scale_->setBarWidth(10);
    scale_->axis()->setLabel(QStringLiteral("attention"));
    QFont f = scale_->axis()->tickLabelFont();
    f.setPointSizeF(8.0);
    scale_->axis()->setTickLabelFont(f);
    scale_->axis()->setLabelFont(f);
    scale_->axis()->ticker()->setTickCount(4);
    map_->setColorScale(scale_);
    scale_->setGradient(viridis());  // the map takes its gradient from the scale
    plot->plotLayout()->addElement(1, 1, scale_);
    auto* group = new QCPMarginGroup(plot);
    plot->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    scale_->setMarginGroup(QCP::msTop | QCP::msBottom, group);

    // Two-tone outline (dark under light) so the selected cell reads on every gradient colour.
    for (const QPen& pen : {QPen(palette::highlight(), 4.0), QPen(Qt::white, 1.6)}) {
        auto* rect = new QCPItemRect(plot);
        rect->setPen(pen);
        rect->setBrush(Qt::NoBrush);
        rect->setSelectable(false);
        selection_.push_back(rect);
    }

    connect(plot, &QCustomPlot::mousePress, this, &HeadLayerHeatmap::onPress);
    connect(plot, &QCustomPlot::mouseRelease, this, &HeadLayerHeatmap::onRelease);
    connect(plot, &QCustomPlot::mouseMove, this, &HeadLayerHeatmap::onMove);
    clear();
}

void HeadLayerHeatmap::setLabels(const QString& title, const QString& columnAxis, const QString& valueName,
                                 const QVector<int>& rowLayers, const QStringList& columnLabels) {
    setTitle(title);
    customPlot()->xAxis->setLabel(columnAxis);
    scale_->axis()->setLabel(valueName);
    rowLayers_ = rowLayers;
    columnLabels_ = columnLabels;
    columnName_ = columnAxis;
    if (!rowLayers.isEmpty()) {
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (int r = 0; r < rowLayers.size(); ++r) ticker->addTick(r, QString::number(rowLayers[r]));
        customPlot()->yAxis->setTicker(ticker);
        customPlot()->yAxis->setLabel(QStringLiteral("layer"));
    }
}

void HeadLayerHeatmap::setMatrix(const QVector<QVector<double>>& layerMajor) {
    layers_ = static_cast<int>(layerMajor.size());
    heads_ = 0;
    for (const auto& row : layerMajor) heads_ = std::max(heads_, static_cast<int>(row.size()));
    if (layers_ == 0 || heads_ == 0) {
        clear();
        return;
    }
    values_ = layerMajor;
    double lo = 0.0, hi = 0.0;
    bool first = true;
    map_->data()->setSize(heads_, layers_);
    map_->data()->setRange(QCPRange(0, heads_ - 1), QCPRange(0, layers_ - 1));
    for (int l = 0; l < layers_; ++l) {
        values_[l].resize(heads_);  // pads ragged rows with 0
        for (int h = 0; h < heads_; ++h) {
            const double v = std::isfinite(values_[l][h]) ? values_[l][h] : 0.0;
            values_[l][h] = v;
            map_->data()->setCell(h, l, v);
            lo = first ? v : std::min(lo, v);
            hi = first ? v : std::max(hi, v);
            first = false;
        }
    }
    if (hi - lo < 1e-12) hi = lo + 1.0;
    map_->setDataRange(QCPRange(lo, hi));
    map_->setVisible(true);
    scale_->setVisible(true);
    QCustomPlot* plot = customPlot();
    plot->xAxis->setRange(-0.5, heads_ - 0.5);
    plot->yAxis->setRange(-0.5, layers_ - 0.5);
    hideEmptyState();
    setSelectedCell(-1, -1);
}

double HeadLayerHeatmap::valueAt(int layer, int head) const {
    if (layer < 0 || layer >= layers_ || head < 0 || head >= heads_) return 0.0;
    return values_[layer][head];
}

void HeadLayerHeatmap::setSelectedCell(int layer, int head) {
    const bool valid = layer >= 0 && head >= 0 && layer < layers_ && head < heads_;
    selLayer_ = valid ? layer : -1;
    selHead_ = valid ? head : -1;
    for (QCPItemRect* rect : selection_) {
        rect->setVisible(valid);
        rect->topLeft->setCoords(head - 0.5, layer + 0.5);
        rect->bottomRight->setCoords(head + 0.5, layer - 0.5);
    }
    customPlot()->replot();
}

bool HeadLayerHeatmap::cellAt(const QPointF& pixel, int* layer, int* head) const {
    if (layers_ == 0 || heads_ == 0) return false;
    QCustomPlot* plot = customPlot();
    if (!plot->axisRect()->rect().contains(pixel.toPoint())) return false;
    const int h = static_cast<int>(std::lround(plot->xAxis->pixelToCoord(pixel.x())));
    const int l = static_cast<int>(std::lround(plot->yAxis->pixelToCoord(pixel.y())));
    if (h < 0 || h >= heads_ || l < 0 || l >= layers_) return false;
    *layer = l;
    *head = h;
    return true;
}

void HeadLayerHeatmap::clear() {
    layers_ = heads_ = 0;
    values_.clear();
    hoverText_.clear();
    map_->data()->clear();
    map_->setVisible(false);
    scale_->setVisible(false);
    customPlot()->xAxis->setRange(-0.5, 7.5);
    customPlot()->yAxis->setRange(-0.5, 3.5);
    showEmptyState(palette::emptyMessage());
    setSelectedCell(-1, -1);
}

void HeadLayerHeatmap::onPress(QMouseEvent* event) {
    pressPos_ = event->position();
}

void HeadLayerHeatmap::onRelease(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    if ((event->position() - pressPos_).manhattanLength() > 4.0) return;
    int layer = -1, head = -1;
    if (!cellAt(event->position(), &layer, &head)) return;
    setSelectedCell(layer, head);
    Q_EMIT cellClicked(layer, head);
}

void HeadLayerHeatmap::onMove(QMouseEvent* event) {
    int layer = -1, head = -1;
    if (!cellAt(event->position(), &layer, &head)) {
        hoverText_.clear();
        QToolTip::hideText();
        return;
    }
    const double v = valueAt(layer, head);
    const int shownLayer = layer < rowLayers_.size() ? rowLayers_[layer] : layer;
    const QString column = head < columnLabels_.size() ? columnLabels_[head]
                                                       : QStringLiteral("%1 %2").arg(columnName_).arg(head);
    hoverText_ = QStringLiteral("layer %1, %2: %3").arg(shownLayer).arg(column).arg(v, 0, 'g', 3);
    QToolTip::showText(event->globalPosition().toPoint(), hoverText_, customPlot());
    Q_EMIT cellHovered(layer, head, v);
}

}  // namespace sightline::ui
