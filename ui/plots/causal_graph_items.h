#pragma once
// Scene items of CausalGraphView: a node (shape and colour by kind, thick outline when in the
// explanation set) and an edge whose two ends carry PAG marks (arrowhead, small circle or plain tail).
#include <QGraphicsItem>

#include "ui/plots/causal_graph.h"

namespace sightline::ui {

class CausalNodeItem : public QGraphicsItem {
  public:
    enum { Type = UserType + 701 };
    explicit CausalNodeItem(const CausalNode& node, QGraphicsItem* parent = nullptr);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    const CausalNode& node() const { return node_; }
    // Where the segment from this node's centre towards `scenePoint` leaves the node's outline.
    QPointF boundaryToward(const QPointF& scenePoint) const;
    QSizeF size() const { return rect_.size(); }

  private:
    bool elliptic() const { return node_.kind != QLatin1String("image"); }
    CausalNode node_;
    QString shownLabel_;
    QRectF rect_;
};

class CausalEdgeItem : public QGraphicsItem {
  public:
    enum { Type = UserType + 702 };
    CausalEdgeItem(const CausalNodeItem* a, const CausalNodeItem* b, const CausalEdge& edge);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;
    const CausalEdge& edge() const { return edge_; }

  private:
    CausalEdge edge_;
    QPointF p1_, p2_;  // endpoints on the two node outlines
};

}  // namespace sightline::ui
