#pragma once
// HeadLayerHeatmap: answer -> image attention per (layer, head) as a colour map; rows are layers,
// columns are heads (both 0-based). Clicking a cell selects it and emits cellClicked(layer, head).
#include <QVector>

#include "ui/plots/plot_widget.h"

class QCPColorMap;
class QCPColorScale;
class QCPItemRect;
class QMouseEvent;

namespace sightline::ui {

class HeadLayerHeatmap : public PlotWidget {
    Q_OBJECT
  public:
    explicit HeadLayerHeatmap(QWidget* parent = nullptr);

    // layerMajor[layer][head]; ragged rows are padded with 0.
    void setMatrix(const QVector<QVector<double>>& layerMajor);
    // Shows another layers x columns table (causal tracing's layers x positions): the title, the column
    // axis's and the values' names, the layer each row stands for (ticks and hover text; empty: row i is
    // layer i) and a label per column for the hover text ("patches r0-1 c2-3").
    void setLabels(const QString& title, const QString& columnAxis, const QString& valueName,
                   const QVector<int>& rowLayers, const QStringList& columnLabels);
    int layerCount() const { return layers_; }
    int headCount() const { return heads_; }
    double valueAt(int layer, int head) const;

    // Highlights one cell; -1 (either index) clears the highlight.
    void setSelectedCell(int layer, int head);
    int selectedLayer() const { return selLayer_; }
    int selectedHead() const { return selHead_; }

    // Cell under a pixel of customPlot(), or false when outside the data.
    bool cellAt(const QPointF& pixel, int* layer, int* head) const;
    // "layer 3, head 5: 0.123" for the cell last hovered, empty when none.
    QString hoverText() const { return hoverText_; }

    QCPColorMap* colorMap() const { return map_; }
    QCPColorScale* colorScale() const { return scale_; }

  public Q_SLOTS:
    void clear();

  Q_SIGNALS:
    void cellClicked(int layer, int head);
    void cellHovered(int layer, int head, double value);

  private:
    void onPress(QMouseEvent* event);
    void onRelease(QMouseEvent* event);
    void onMove(QMouseEvent* event);

    QCPColorMap* map_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    QVector<QCPItemRect*> selection_;
    QVector<QVector<double>> values_;
    int layers_ = 0;
    int heads_ = 0;
    int selLayer_ = -1;
    int selHead_ = -1;
    QPointF pressPos_;
    QString hoverText_;
    QVector<int> rowLayers_;
    QStringList columnLabels_;
    QString columnName_ = QStringLiteral("head");
};

}  // namespace sightline::ui
