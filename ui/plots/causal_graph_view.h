#pragma once
// CausalGraphView: draws a CLEANN causal explanation graph. The target token sits in the centre, the
// explanation set on an inner ring, every other node on an outer ring (deterministic order: image
// nodes, then text nodes, each by id). A header states whether the explanation was validated.
#include <QGraphicsView>
#include <QHash>
#include <QVector>

#include "ui/plots/causal_graph.h"

class QGraphicsTextItem;

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

    // Renders the scene (w x h pixels; 0 derives from the scene size, keeping its aspect ratio).
    bool exportPng(const QString& path, int w = 0, int h = 0) const;
    bool exportPdf(const QString& path) const;

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

  private:
    void addHeader(bool validated, double probabilityDrop, const QString& summary, double top, double width);
    void fit();

    QGraphicsScene* scene_ = nullptr;
    QGraphicsTextItem* header_ = nullptr;
    QHash<int, CausalNodeItem*> nodeItems_;
    int edgeCount_ = 0;
};

}  // namespace sightline::ui
