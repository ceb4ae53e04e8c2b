#include "ui/plots/text_relevance_bars.h"

#include <QFontMetricsF>
#include <algorithm>
#include <cmath>

#include "ui/plots/plot_palette.h"
#include "ui/plots/qcustomplot_wrapper.h"

namespace sightline::ui {

namespace {
constexpr double kBarWidth = 0.75;
}

TextRelevanceBars::TextRelevanceBars(QWidget* parent)
    : PlotWidget(QStringLiteral("Text token relevance"), parent) {
    QCustomPlot* plot = customPlot();
    bars_ = new QCPBars(plot->xAxis, plot->yAxis);
    bars_->setName(QStringLiteral("relevance"));
    bars_->setWidth(kBarWidth);
    bars_->setBrush(palette::prompt());
    bars_->setPen(QPen(palette::prompt().darker(120), 0.8));
    highlightBars_ = new QCPBars(plot->xAxis, plot->yAxis);
    highlightBars_->setName(QStringLiteral("selected"));
    highlightBars_->setWidth(kBarWidth);
    highlightBars_->setBrush(palette::prompt().darker(175));
    highlightBars_->setPen(QPen(palette::highlight(), 1.6));

    plot->xAxis->setLabel(QStringLiteral("input text token"));
    plot->yAxis->setLabel(QStringLiteral("relevance"));
    plot->xAxis->setTickLabelRotation(60);
    plot->xAxis->setSubTicks(false);
    plot->xAxis->setTickLength(0, 3);
    plot->xAxis->grid()->setVisible(false);
    plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot->axisRect()->setRangeDrag(Qt::Horizontal);
    plot->axisRect()->setRangeZoom(Qt::Horizontal);

    connect(plot, &QCustomPlot::mousePress, this, &TextRelevanceBars::onPress);
    connect(plot, &QCustomPlot::mouseRelease, this, &TextRelevanceBars::onRelease);
    connect(plot, &QCustomPlot::beforeReplot, this, &TextRelevanceBars::updateTicks);
    clear();
}

QString TextRelevanceBars::tickLabelFor(const QString& token, int maxChars) {
    QString out;
    for (const QChar c : token) {
        if (c == QLatin1Char('\n')) {
            out += QStringLiteral("\\n");
        } else if (c == QLatin1Char('\t')) {
            out += QStringLiteral("\\t");
        } else if (c == QLatin1Char('\r')) {
            out += QStringLiteral("\\r");
        } else if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format) {
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        } else {
            out += c;
        }
    }
    if (out.trimmed().isEmpty()) out = out.isEmpty() ? QStringLiteral("\u2205") : QStringLiteral("\u2423");
    if (maxChars > 1 && out.size() > maxChars) out = out.left(maxChars - 1) + QChar(0x2026);
    return out;
}

void TextRelevanceBars::setScores(const QStringList& tokens, const QVector<double>& scores, int highlight) {
    const int n = static_cast<int>(std::min<qsizetype>(tokens.size(), scores.size()));
    if (n == 0) {
        clear();
        return;
    }
    scores_ = scores.mid(0, n);
    labels_.clear();
    QVector<double> keys(n);
    double lo = 0.0, hi = 0.0;
    for (int i = 0; i < n; ++i) {
        if (!std::isfinite(scores_[i])) scores_[i] = 0.0;
        keys[i] = i;
        labels_ << tickLabelFor(tokens[i]);
        lo = std::min(lo, scores_[i]);
        hi = std::max(hi, scores_[i]);
    }
    bars_->setData(keys, scores_, true);
    QCustomPlot* plot = customPlot();
    plot->xAxis->setRange(-0.6, n - 0.4);
    if (hi - lo < 1e-12) hi = lo + 1.0;
    const double pad = 0.05 * (hi - lo);
    plot->yAxis->setRange(lo < 0.0 ? lo - pad : 0.0, hi + pad);
    hideEmptyState();
    setHighlight(highlight);
}

void TextRelevanceBars::setHighlight(int index) {
    highlight_ = index >= 0 && index < barCount() ? index : -1;
    highlightBars_->data()->clear();
    if (highlight_ >= 0) highlightBars_->addData(highlight_, scores_[highlight_]);
    customPlot()->replot();
}

int TextRelevanceBars::labelStride() const {
    QCustomPlot* plot = customPlot();
    const double visibleBars = std::max(1.0, plot->xAxis->range().size());
    const double width = plot->axisRect()->width() > 20 ? plot->axisRect()->width() : plot->width() - 60.0;
    const double pixelsPerBar = std::max(1.0, width) / visibleBars;
    // Labels rotated by 60 degrees need about 1.2 line heights of horizontal room each.
    const double needed = 1.2 * QFontMetricsF(plot->xAxis->tickLabelFont()).height();
    return std::max(1, static_cast<int>(std::ceil(needed / pixelsPerBar)));
}

void TextRelevanceBars::updateTicks() {
    auto ticker = qSharedPointerCast<QCPAxisTickerText>(customPlot()->xAxis->ticker());
    ticker->clear();
    const int stride = labelStride();
    for (int i = 0; i < labels_.size(); ++i) {
        const bool nearHighlight = highlight_ >= 0 && i != highlight_ && std::abs(i - highlight_) < stride;
        if (i == highlight_ || (i % stride == 0 && !nearHighlight)) ticker->addTick(i, labels_[i]);
    }
}

int TextRelevanceBars::barAt(const QPointF& pixel) const {
    if (scores_.isEmpty()) return -1;
    QCustomPlot* plot = customPlot();
    if (!plot->axisRect()->rect().contains(pixel.toPoint())) return -1;
    const double x = plot->xAxis->pixelToCoord(pixel.x());
    const int index = static_cast<int>(std::lround(x));
    if (index < 0 || index >= barCount() || std::abs(x - index) > kBarWidth / 2) return -1;
    return index;
}

void TextRelevanceBars::clear() {
    scores_.clear();
    labels_.clear();
    highlight_ = -1;
    bars_->data()->clear();
    highlightBars_->data()->clear();
    QCustomPlot* plot = customPlot();
    plot->xAxis->setRange(-0.6, 4.6);
    plot->yAxis->setRange(0.0, 1.0);
    showEmptyState(palette::emptyMessage());
    plot->replot();
}

void TextRelevanceBars::onPress(QMouseEvent* event) {
    pressPos_ = event->position();
}

void TextRelevanceBars::onRelease(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    if ((event->position() - pressPos_).manhattanLength() > 4.0) return;
    const int index = barAt(event->position());
    if (index < 0) return;
    setHighlight(index);
    Q_EMIT barClicked(index);
}

}  // namespace sightline::ui
