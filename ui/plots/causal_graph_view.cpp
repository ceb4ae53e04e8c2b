#include "ui/plots/causal_graph_view.h"

#include <QGraphicsTextItem>
#include <QImage>
#include <QMouseEvent>
#include <QPainter>
#include <QPdfWriter>
#include <QtMath>
#include <algorithm>
#include <cmath>

#include "ui/plots/causal_graph_items.h"
#include "ui/plots/plot_palette.h"

namespace sightline::ui {

namespace {

constexpr double kRingGap = 26.0;  // free arc length between neighbouring nodes on a ring
constexpr double kMinInnerRadius = 105.0;
constexpr double kRingStep = 95.0;
constexpr double kMaxZoom = 1.6;

int kindOrder(const QString& kind) {
    return kind == QLatin1String("image") ? 0 : 1;
}

// Radius at which `items` fit around a circle without touching, at least `minRadius`.
double ringRadius(const QVector<CausalNodeItem*>& items, double minRadius) {
    double circumference = 0.0;
    for (const CausalNodeItem* item : items) circumference += item->size().width() + kRingGap;
    return std::max(minRadius, circumference / (2.0 * M_PI));
}

void placeOnRing(const QVector<CausalNodeItem*>& items, double radius, double phase) {
    const int n = static_cast<int>(items.size());
    for (int i = 0; i < n; ++i) {
        const double angle = -M_PI / 2.0 + phase + 2.0 * M_PI * i / n;
        items[i]->setPos(radius * std::cos(angle), radius * std::sin(angle));
    }
}

QString swatch(const QColor& c, const QString& name) {
    return QStringLiteral("<span style='color:%1'>&#9632;</span> %2").arg(c.name(), name);
}

}  // namespace

CausalGraphView::CausalGraphView(QWidget* parent) : QGraphicsView(parent), scene_(new QGraphicsScene(this)) {
    setScene(scene_);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setBackgroundBrush(Qt::white);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setDragMode(QGraphicsView::NoDrag);
    setFrameShape(QFrame::NoFrame);
    clear();
}

void CausalGraphView::clear() {
    scene_->clear();
    nodeItems_.clear();
    edgeCount_ = 0;
    header_ = scene_->addText(palette::emptyMessage());
    QFont f = font();
    f.setPointSizeF(10.0);
    f.setItalic(true);
    header_->setFont(f);
    header_->setDefaultTextColor(palette::muted());
    const QRectF r = header_->boundingRect();
    header_->setPos(-r.width() / 2, -r.height() / 2);
    scene_->setSceneRect(QRectF(-160, -100, 320, 200));
    fit();
}

void CausalGraphView::setGraph(const QVector<CausalNode>& nodes, const QVector<CausalEdge>& edges,
                               bool validated, double probabilityDrop, const QString& summary) {
    scene_->clear();
    nodeItems_.clear();
    edgeCount_ = 0;
    header_ = nullptr;

    CausalNodeItem* target = nullptr;
    QVector<CausalNodeItem*> inner, outer;
    QVector<CausalNode> sorted = nodes;
    std::stable_sort(sorted.begin(), sorted.end(), [](const CausalNode& x, const CausalNode& y) {
        return std::make_pair(kindOrder(x.kind), x.id) < std::make_pair(kindOrder(y.kind), y.id);
    });
    for (const CausalNode& node : sorted) {
        if (nodeItems_.contains(node.id)) continue;  // duplicate ids: keep the first
        auto* item = new CausalNodeItem(node);
        scene_->addItem(item);
        nodeItems_.insert(node.id, item);
        if (node.kind == QLatin1String("target") && !target)
            target = item;
        else
            (node.inExplanation ? inner : outer).push_back(item);
    }
    const double innerRadius = inner.isEmpty() ? 0.0 : ringRadius(inner, target ? kMinInnerRadius : 0.0);
    const double outerMin = (inner.isEmpty() ? (target ? kMinInnerRadius : 0.0) : innerRadius + kRingStep);
    const double outerRadius = outer.isEmpty() ? innerRadius : ringRadius(outer, outerMin);
    if (target) target->setPos(0, 0);
    placeOnRing(inner, innerRadius, 0.0);
    placeOnRing(outer, outerRadius, outer.isEmpty() ? 0.0 : M_PI / outer.size());

    for (const CausalEdge& edge : edges) {
        const CausalNodeItem* a = nodeItems_.value(edge.a);
        const CausalNodeItem* b = nodeItems_.value(edge.b);
        if (!a || !b || a == b) continue;
        scene_->addItem(new CausalEdgeItem(a, b, edge));
        ++edgeCount_;
    }

    QRectF graphRect = scene_->itemsBoundingRect();
    if (graphRect.isEmpty()) graphRect = QRectF(-160, -60, 320, 120);
    const double width = std::max(graphRect.width(), 340.0);
    addHeader(validated, probabilityDrop, summary, graphRect.top() - 12.0, width);
    scene_->setSceneRect(scene_->itemsBoundingRect().adjusted(-12, -8, 12, 12));
    fit();
}

void CausalGraphView::addHeader(bool validated, double probabilityDrop, const QString& summary, double top,
                                double width) {
    const QString verdict =
        validated
            ? QStringLiteral("<b style='color:%1'>validated:</b> masking these tokens changes the answer")
                  .arg(palette::answer().darker(130).name())
            : QStringLiteral("<b style='color:%1'>not validated:</b> no candidate set changed the answer")
                  .arg(palette::muted().name());
    QString html = QStringLiteral("<div style='font-size:10pt'>%1</div>").arg(verdict);
    html += QStringLiteral("<div style='font-size:9pt'>probability drop: %1</div>")
                .arg(QString::number(probabilityDrop, 'f', 3));
    if (!summary.trimmed().isEmpty())
        html +=
            QStringLiteral("<div style='font-size:9pt; color:#555'>%1</div>").arg(summary.toHtmlEscaped());
    html += QStringLiteral(
                "<div style='font-size:8pt; color:#555'>%1 &nbsp; %2 &nbsp; %3 &nbsp; "
                "<b>thick outline</b> = explanation set</div>")
                .arg(swatch(palette::answer(), QStringLiteral("target")),
                     swatch(palette::image(), QStringLiteral("image")),
                     swatch(palette::prompt(), QStringLiteral("text")));
    header_ = scene_->addText(QString());
    header_->setHtml(html);
    header_->setTextWidth(width);
    const QRectF r = header_->boundingRect();
    header_->setPos(-width / 2.0, top - r.height());
}

QPointF CausalGraphView::nodeScenePos(int id) const {
    const CausalNodeItem* item = nodeItems_.value(id);
    return item ? item->scenePos() : QPointF();
}

QString CausalGraphView::headerText() const {
    return header_ ? header_->toPlainText() : QString();
}

void CausalGraphView::fit() {
    const QRectF rect = scene_->sceneRect();
    if (rect.isEmpty() || viewport()->width() < 2 || viewport()->height() < 2) return;
    fitInView(rect, Qt::KeepAspectRatio);
    if (transform().m11() > kMaxZoom) {
        setTransform(QTransform::fromScale(kMaxZoom, kMaxZoom));
        centerOn(rect.center());
    }
}

void CausalGraphView::resizeEvent(QResizeEvent* event) {
    QGraphicsView::resizeEvent(event);
    fit();
}

void CausalGraphView::showEvent(QShowEvent* event) {
    QGraphicsView::showEvent(event);
    fit();
}

void CausalGraphView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) {
        for (QGraphicsItem* item : items(event->position().toPoint())) {
            if (item->type() == CausalNodeItem::Type) {
                Q_EMIT nodeClicked(static_cast<CausalNodeItem*>(item)->node().id);
                event->accept();
                return;
            }
        }
    }
    QGraphicsView::mousePressEvent(event);
}

bool CausalGraphView::exportPng(const QString& path, int w, int h) const {
    const QRectF source = scene_->sceneRect();
    const double aspect = source.height() / std::max(1.0, source.width());
    if (w <= 0 && h <= 0) w = static_cast<int>(std::clamp(source.width() * 2.0, 600.0, 2000.0));
    if (w <= 0) w = static_cast<int>(std::lround(h / aspect));
    if (h <= 0) h = static_cast<int>(std::lround(w * aspect));
    QImage image(std::max(1, w), std::max(1, h), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    scene_->render(&painter, QRectF(image.rect()), source, Qt::KeepAspectRatio);
    painter.end();
    return image.save(path, "PNG");
}

bool CausalGraphView::exportPdf(const QString& path) const {
    const QRectF source = scene_->sceneRect();
    QPdfWriter writer(path);
    writer.setCreator(QStringLiteral("Sightline"));
    writer.setTitle(QStringLiteral("CLEANN causal explanation"));
    writer.setPageSize(QPageSize(source.size(), QPageSize::Point));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    writer.setResolution(72);
    QPainter painter;
    if (!painter.begin(&writer)) return false;
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    scene_->render(&painter, QRectF(), source, Qt::KeepAspectRatio);
    return painter.end();
}

}  // namespace sightline::ui
