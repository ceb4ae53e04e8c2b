#include "ui/plots/plot_widget.h"

#include "ui/widgets/file_output.h"

#include <QVBoxLayout>

#include "ui/plots/plot_palette.h"
#include "ui/plots/qcustomplot_wrapper.h"

namespace sightline::ui {

namespace {

void styleAxis(QCPAxis* axis) {
    QFont labelFont = axis->labelFont();
    labelFont.setPointSizeF(9.0);
    axis->setLabelFont(labelFont);
    QFont tickFont = axis->tickLabelFont();
    tickFont.setPointSizeF(8.0);
    axis->setTickLabelFont(tickFont);
    axis->setLabelColor(palette::axisText());
    axis->setTickLabelColor(palette::axisText());
    axis->setLabelPadding(3);
    axis->grid()->setPen(QPen(QColor(0xe3, 0xe3, 0xe3), 0, Qt::SolidLine));
    axis->grid()->setZeroLinePen(Qt::NoPen);
}

}  // namespace

PlotWidget::PlotWidget(const QString& title, QWidget* parent) : QWidget(parent) {
    plot_ = new QCustomPlot(this);
    plot_->setAntialiasedElements(QCP::aeAll);
    plot_->setNoAntialiasingOnDrag(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);

    styleAxis(plot_->xAxis);
    styleAxis(plot_->yAxis);
    plot_->axisRect()->setMinimumMargins(QMargins(4, 4, 8, 4));

    plot_->plotLayout()->insertRow(0);
    QFont titleFont = font();
    titleFont.setPointSizeF(10.0);
    titleFont.setBold(true);
    title_ = new QCPTextElement(plot_, title, titleFont);
    title_->setMargins(QMargins(4, 4, 4, 0));
    plot_->plotLayout()->addElement(0, 0, title_);

    emptyText_ = new QCPItemText(plot_);
    emptyText_->setClipToAxisRect(false);
    emptyText_->position->setType(QCPItemPosition::ptAxisRectRatio);
    emptyText_->position->setCoords(0.5, 0.5);
    emptyText_->setPositionAlignment(Qt::AlignCenter);
    emptyText_->setColor(palette::muted());
    QFont emptyFont = font();
    emptyFont.setPointSizeF(10.0);
    emptyFont.setItalic(true);
    emptyText_->setFont(emptyFont);
    emptyText_->setText(palette::emptyMessage());
}

PlotWidget::~PlotWidget() = default;

QString PlotWidget::title() const {
    return title_->text();
}

void PlotWidget::setTitle(const QString& title) {
    title_->setText(title);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString PlotWidget::emptyStateText() const {
    return empty_ ? emptyText_->text() : QString();
}

void PlotWidget::showEmptyState(const QString& message) {
    empty_ = true;
    emptyText_->setText(message);
    emptyText_->setVisible(true);
}

void PlotWidget::hideEmptyState() {
    empty_ = false;
    emptyText_->setVisible(false);
}

void PlotWidget::placeLegendBelow(int columns) {
    QCPLegend* legend = plot_->legend;
    legend->setVisible(true);
    auto* strip = new QCPLayoutGrid;
    plot_->plotLayout()->addElement(plot_->plotLayout()->rowCount(), 0, strip);
    strip->setMargins(QMargins(4, 0, 4, 2));
    strip->addElement(0, 0, legend);
    plot_->plotLayout()->setRowStretchFactor(plot_->plotLayout()->rowCount() - 1, 0.001);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(columns);
    legend->setBorderPen(Qt::NoPen);
    legend->setBrush(Qt::NoBrush);
    legend->setRowSpacing(0);
    legend->setColumnSpacing(10);
    legend->setIconSize(14, 10);
    QFont legendFont = font();
    legendFont.setPointSizeF(8.0);
    legend->setFont(legendFont);
}

void PlotWidget::polishLegendItems() {
    // Items clip to their own rect, which is exactly one text line tall: give descenders room.
    for (int i = 0; i < plot_->legend->itemCount(); ++i)
        plot_->legend->item(i)->setMargins(QMargins(0, 1, 0, 3));
}

QSize PlotWidget::exportSize(int w, int h) const {
    const QSize base = isVisible() ? plot_->size() : sizeHint();
    return {w > 0 ? w : base.width(), h > 0 ? h : base.height()};
}

bool PlotWidget::exportPng(const QString& path, int w, int h, QString* error) {
    const QSize size = exportSize(w, h);
    return saveImageChecked(path, plot_->toPixmap(size.width(), size.height()).toImage(), "PNG",
                            QStringLiteral("plot"), error);
}

bool PlotWidget::exportPdf(const QString& path, QString* error) {
    const QSize size = exportSize(0, 0);
    return writeThroughTempFile(
        path, QStringLiteral("plot"),
        [&](const QString& temp) {
            return plot_->savePdf(temp, size.width(), size.height(), QCP::epNoCosmetic,
                                  QStringLiteral("Sightline"), title());
        },
        error);
}

}  // namespace sightline::ui
