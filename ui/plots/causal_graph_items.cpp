#include "ui/plots/causal_graph_items.h"

#include <QCursor>
#include <QFontMetricsF>
#include <QPainter>
#include <QtMath>
#include <algorithm>
#include <cmath>

#include "ui/plots/plot_palette.h"

namespace sightline::ui {

namespace {

constexpr double kArrowLength = 11.0;
constexpr double kArrowHalfWidth = 5.0;
constexpr double kCircleRadius = 4.5;
constexpr int kMaxLabelChars = 14;

QFont nodeFont(const QString& kind) {
    QFont f;
    f.setPointSizeF(kind == QLatin1String("target") ? 10.0 : 9.0);
    f.setBold(kind == QLatin1String("target"));
    return f;
}

QString escapedLabel(const CausalNode& node) {
    QString s = node.label;
    s.replace(QLatin1Char('\n'), QStringLiteral("\\n")).replace(QLatin1Char('\t'), QStringLiteral("\\t"));
    if (s.trimmed().isEmpty())
        s = node.kind == QLatin1String("image") ? QStringLiteral("img #%1").arg(node.id)
                                                : QStringLiteral("#%1").arg(node.id);
    if (s.size() > kMaxLabelChars) s = s.left(kMaxLabelChars - 1) + QChar(0x2026);
    return s;
}

// Distance from the end point back along the line that an end mark occupies.
double markLength(const QString& mark) {
    if (mark == QLatin1String("arrow")) return kArrowLength;
    if (mark == QLatin1String("circle")) return 2.0 * kCircleRadius;
    return 0.0;
}

void drawMark(QPainter* painter, const QString& mark, const QPointF& tip, const QPointF& unitBack,
              const QColor& ink) {
    if (mark == QLatin1String("arrow")) {
        const QPointF normal(-unitBack.y(), unitBack.x());
        const QPointF base = tip + unitBack * kArrowLength;
        const QPolygonF head({tip, base + normal * kArrowHalfWidth, base - normal * kArrowHalfWidth});
        painter->setPen(QPen(ink, 1.0));
        painter->setBrush(ink);
        painter->drawPolygon(head);
    } else if (mark == QLatin1String("circle")) {
        painter->setPen(QPen(ink, 1.4));
        painter->setBrush(Qt::white);
        painter->drawEllipse(tip + unitBack * kCircleRadius, kCircleRadius, kCircleRadius);
    }
}

}  // namespace

CausalNodeItem::CausalNodeItem(const CausalNode& node, QGraphicsItem* parent)
    : QGraphicsItem(parent), node_(node), shownLabel_(escapedLabel(node)) {
    const QFontMetricsF fm(nodeFont(node_.kind));
    const bool target = node_.kind == QLatin1String("target");
    const double w =
        std::max(target ? 64.0 : 52.0, fm.horizontalAdvance(shownLabel_) + (elliptic() ? 24.0 : 14.0));
    const double h = target ? 44.0 : 28.0;
    rect_ = QRectF(-w / 2, -h / 2, w, h);
    setToolTip(QStringLiteral("%1 (%2)%3")
                   .arg(node_.label, node_.kind,
                        node_.inExplanation ? QStringLiteral(", in the explanation set") : QString()));
    setCursor(QCursor(Qt::PointingHandCursor));
    setZValue(1.0);
}

QRectF CausalNodeItem::boundingRect() const {
    return rect_.adjusted(-3, -3, 3, 3);
}

QPainterPath CausalNodeItem::shape() const {
    QPainterPath path;
    if (elliptic())
        path.addEllipse(rect_);
    else
        path.addRoundedRect(rect_, 5, 5);
    return path;
}

void CausalNodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    painter->setRenderHint(QPainter::Antialiasing);
    const QColor fill = palette::forRole(node_.kind);
    const QPen outline = node_.inExplanation ? QPen(palette::highlight(), 3.5) : QPen(fill.darker(140), 1.0);
    painter->setPen(outline);
    painter->setBrush(fill);
    painter->drawPath(shape());
    painter->setFont(nodeFont(node_.kind));
    painter->setPen(node_.kind == QLatin1String("text") ? QColor(0x10, 0x1a, 0x2a) : Qt::white);
    painter->drawText(rect_, Qt::AlignCenter, shownLabel_);
}

QPointF CausalNodeItem::boundaryToward(const QPointF& scenePoint) const {
    const QPointF c = scenePos();
    const QPointF d = scenePoint - c;
    const double a = rect_.width() / 2, b = rect_.height() / 2;
    if (std::abs(d.x()) < 1e-9 && std::abs(d.y()) < 1e-9) return c;
    double t;
    if (elliptic()) {
        t = 1.0 / std::sqrt((d.x() / a) * (d.x() / a) + (d.y() / b) * (d.y() / b));
    } else {
        const double tx = std::abs(d.x()) > 1e-9 ? a / std::abs(d.x()) : 1e9;
        const double ty = std::abs(d.y()) > 1e-9 ? b / std::abs(d.y()) : 1e9;
        t = std::min(tx, ty);
    }
    return c + d * t;
}

CausalEdgeItem::CausalEdgeItem(const CausalNodeItem* a, const CausalNodeItem* b, const CausalEdge& edge)
    : edge_(edge) {
    p1_ = a->boundaryToward(b->scenePos());
    p2_ = b->boundaryToward(a->scenePos());
    setToolTip(QStringLiteral("%1 %2-%3 %4").arg(a->node().label, edge.markA, edge.markB, b->node().label));
}

QRectF CausalEdgeItem::boundingRect() const {
    const double m = kArrowLength + 2.0;
    return QRectF(p1_, p2_).normalized().adjusted(-m, -m, m, m);
}

void CausalEdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    const QLineF line(p1_, p2_);
    if (line.length() < 1.0) return;
    painter->setRenderHint(QPainter::Antialiasing);
    const QColor ink(0x4a, 0x4a, 0x4a);
    const QPointF unit = (p2_ - p1_) / line.length();  // from a towards b
    const QPointF start = p1_ + unit * markLength(edge_.markA);
    const QPointF end = p2_ - unit * markLength(edge_.markB);
    painter->setPen(QPen(ink, 1.5));
    painter->drawLine(start, end);
    drawMark(painter, edge_.markA, p1_, unit, ink);
    drawMark(painter, edge_.markB, p2_, -unit, ink);
}

}  // namespace sightline::ui
