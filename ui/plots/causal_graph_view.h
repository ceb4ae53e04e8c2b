#pragma once
// CausalGraphView: draws a CLEANN causal explanation graph. The target token sits in the centre, the
// explanation set on an inner ring, every other node on an outer ring (deterministic order: image
// nodes, then text nodes, each by id). A header, drawn at a fixed readable size above the graph (and
// into exports), states whether the explanation was validated and the probability drop.
#include <QGraphicsView>
#include <QHash>
#include <QTextDocument>
#include <QVector>

#include "ui/plots/causal_graph.h"

namespace sightline::ui {

class CausalNodeItem;

class CausalGraphView : public QGraphicsView {
    Q_OBJECT
  public:
    explicit CausalGraphView(QWidget* parent = nullptr);

    void setGraph(const QVector<CausalNode>& nodes, const QVector<CausalEdge>& edges, bool validated,
                  double probabilityDrop, const QString& summary);

    bool isEmpty() const { return nodeItems_.isEmpty(); }
    int nodeItemCount() const { return static_cast<int>(nodeItems_.size()); }
    int edgeItemCount() const { return edgeCount_; }
    // Scene position of a node's centre (a null point for an unknown id).
    QPointF nodeScenePos(int id) const;
    // Plain text of the header (validation line, probability drop, summary) or of the empty state.
    QString headerText() const;

    // Renders header + graph (w x h pixels; 0 derives from the graph size, keeping the aspect ratio).
    bool exportPng(const QString& path, int w = 0, int h = 0, QString* error = nullptr) const;
    bool exportPdf(const QString& path, QString* error = nullptr) const;

    QSize sizeHint() const override { return {480, 360}; }
    QSize minimumSizeHint() const override { return {240, 180}; }

  public Q_SLOTS:
    void clear();

  Q_SIGNALS:
    void nodeClicked(int id);

  protected:
    void resizeEvent(QResizeEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void drawForeground(QPainter* painter, const QRectF& rect) override;

  private:
    void setHeader(bool validated, double probabilityDrop, const QString& summary);
    // Paints header and graph into `target` (in the painter's coordinates), scaling the graph only.
    void renderTo(QPainter* painter, const QRectF& target) const;
    double headerHeight(double width) const;
    QSizeF exportLogicalSize() const;
    void fit();

    QGraphicsScene* scene_ = nullptr;
    QRectF graphRect_;              // nodes and edges, scene coordinates
    mutable QTextDocument header_;  // laid out at the width it is drawn at
    QString emptyText_;             // non-empty while the empty state shows
    QHash<int, CausalNodeItem*> nodeItems_;
    int edgeCount_ = 0;
};

}  // namespace sightline::ui
