#include "ui/plots/causal_graph_view.h"

#include <QBuffer>
#include <QImage>
#include <QMouseEvent>
#include <QPainter>
#include <QPdfWriter>
#include <QtMath>
#include <algorithm>
#include <cmath>

#include "ui/plots/causal_graph_items.h"
#include "ui/plots/plot_palette.h"
#include "ui/widgets/file_output.h"

namespace sightline::ui {

namespace {

constexpr double kRingGap = 22.0;  // free arc length between neighbouring nodes on a ring
constexpr double kMinInnerRadius = 90.0;
constexpr double kRingStep = 80.0;
constexpr double kFlatten = 0.72;  // rings are ellipses: nodes are wider than tall, views too
constexpr double kMargin = 8.0;
constexpr double kMaxZoom = 1.5;
constexpr double kMinExportWidth = 460.0;

int kindOrder(const QString& kind) {
    return kind == QLatin1String("image") ? 0 : 1;
}

// Radius at which `items` fit around a ring without touching, at least `minRadius`.
double ringRadius(const QVector<CausalNodeItem*>& items, double minRadius) {
    double circumference = 0.0;
    for (const CausalNodeItem* item : items) circumference += item->size().width() + kRingGap;
    return std::max(minRadius, circumference / (2.0 * M_PI * (1.0 + kFlatten) / 2.0));
}

void placeOnRing(const QVector<CausalNodeItem*>& items, double radius, double phase) {
    const int n = static_cast<int>(items.size());
    for (int i = 0; i < n; ++i) {
        const double angle = -M_PI / 2.0 + phase + 2.0 * M_PI * i / n;
        items[i]->setPos(radius * std::cos(angle), kFlatten * radius * std::sin(angle));
    }
}

QString titleHtml() {
    return QStringLiteral("<div style='font-size:10pt'><b>Causal explanation graph</b></div>");
}

QString swatch(const QColor& c, const QString& name) {
    return QStringLiteral("<span style='color:%1'>&#9632;</span>&nbsp;%2").arg(c.name(), name);
}

void drawEmptyText(QPainter* painter, const QRectF& rect, const QString& text, QFont font) {
    font.setPointSizeF(10.0);
    font.setItalic(true);
    painter->setFont(font);
    painter->setPen(palette::muted());
    painter->drawText(rect, Qt::AlignCenter, text);
}

}  // namespace

CausalGraphView::CausalGraphView(QWidget* parent) : QGraphicsView(parent), scene_(new QGraphicsScene(this)) {
    setScene(scene_);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setBackgroundBrush(Qt::white);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setViewportUpdateMode(QGraphicsView::FullViewportUpdate);
    setFrameShape(QFrame::NoFrame);
    header_.setDocumentMargin(0);
    clear();
}

void CausalGraphView::clear() {
    scene_->clear();
    nodeItems_.clear();
    edgeCount_ = 0;
    graphRect_ = QRectF();
    header_.setDefaultFont(font());
    header_.setHtml(titleHtml());
    emptyText_ = palette::emptyMessage();
    fit();
}

void CausalGraphView::setGraph(const QVector<CausalNode>& nodes, const QVector<CausalEdge>& edges,
                               bool validated, double probabilityDrop, const QString& summary) {
    scene_->clear();
    nodeItems_.clear();
    edgeCount_ = 0;
    emptyText_.clear();

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
    const double outerMin = inner.isEmpty() ? (target ? kMinInnerRadius : 0.0) : innerRadius + kRingStep;
    const double outerRadius = outer.isEmpty() ? 0.0 : ringRadius(outer, outerMin);
    // A crowded outer ring pushes the inner ring out too, so the centre does not stay cramped.
    const double innerRing =
        (!inner.isEmpty() && !outer.isEmpty()) ? std::max(innerRadius, 0.45 * outerRadius) : innerRadius;
    if (target) target->setPos(0, 0);
    placeOnRing(inner, innerRing, 0.0);
    placeOnRing(outer, outerRadius, outer.isEmpty() ? 0.0 : M_PI / outer.size());

    for (const CausalEdge& edge : edges) {
        const CausalNodeItem* a = nodeItems_.value(edge.a);
        const CausalNodeItem* b = nodeItems_.value(edge.b);
        if (!a || !b || a == b) continue;
        scene_->addItem(new CausalEdgeItem(a, b, edge));
        ++edgeCount_;
    }
    graphRect_ = scene_->itemsBoundingRect();
    if (graphRect_.isEmpty()) graphRect_ = QRectF(-60, -20, 120, 40);
    setHeader(validated, probabilityDrop, summary);
    fit();
}

void CausalGraphView::setHeader(bool validated, double probabilityDrop, const QString& summary) {
    const QString verdict =
        validated
            ? QStringLiteral("<b style='color:%1'>validated:</b> masking these tokens changes the answer")
                  .arg(palette::answer().darker(140).name())
            : QStringLiteral("<b style='color:%1'>not validated:</b> no candidate set changed the answer")
                  .arg(palette::muted().darker(130).name());
    QString html = titleHtml() + QStringLiteral("<div style='font-size:9pt'>%1</div>").arg(verdict);
    QString detail =
        QStringLiteral("probability drop <b>%1</b>").arg(QString::number(probabilityDrop, 'f', 3));
    if (!summary.trimmed().isEmpty()) detail += QStringLiteral(" &mdash; ") + summary.toHtmlEscaped();
    html += QStringLiteral("<div style='font-size:8pt; color:#444'>%1</div>").arg(detail);
    html += QStringLiteral(
                "<div style='font-size:8pt; color:#555'>%1 &nbsp; %2 &nbsp; %3 &nbsp; "
                "<b>thick outline</b> = explanation set</div>")
                .arg(swatch(palette::answer(), QStringLiteral("target")),
                     swatch(palette::image(), QStringLiteral("image")),
                     swatch(palette::prompt(), QStringLiteral("text")));
    header_.setDefaultFont(font());
    header_.setHtml(html);
}

QPointF CausalGraphView::nodeScenePos(int id) const {
    const CausalNodeItem* item = nodeItems_.value(id);
    return item ? item->scenePos() : QPointF();
}

QString CausalGraphView::headerText() const {
    return emptyText_.isEmpty() ? header_.toPlainText() : emptyText_;
}

double CausalGraphView::headerHeight(double width) const {
    if (header_.isEmpty()) return 0.0;
    header_.setTextWidth(std::max(50.0, width - 2.0 * kMargin));
    return header_.size().height() + kMargin;
}

void CausalGraphView::fit() {
    const double vw = viewport()->width(), vh = viewport()->height();
    if (vw < 2 || vh < 2) return;
    if (graphRect_.isEmpty()) {
        resetTransform();
        setSceneRect(QRectF(-vw / 2, -vh / 2, vw, vh));
        return;
    }
    // Scale the graph into the area under the header; the header itself is drawn unscaled.
    const double hh = headerHeight(vw);
    const double availW = vw - 2.0 * kMargin, availH = std::max(10.0, vh - hh - 2.0 * kMargin);
    const double s = std::min({availW / graphRect_.width(), availH / graphRect_.height(), kMaxZoom});
    setTransform(QTransform::fromScale(s, s));
    const double centreY = hh + kMargin + availH / 2.0;  // viewport y where the graph centre goes
    setSceneRect(QRectF(graphRect_.center().x() - vw / (2.0 * s), graphRect_.center().y() - centreY / s,
                        vw / s, vh / s));
}

void CausalGraphView::drawForeground(QPainter* painter, const QRectF&) {
    painter->save();
    painter->resetTransform();
    const QRectF area = viewport()->rect();
    if (!emptyText_.isEmpty()) drawEmptyText(painter, area, emptyText_, font());
    headerHeight(area.width());
    painter->translate(kMargin, kMargin);
    header_.drawContents(painter);
    painter->restore();
}

void CausalGraphView::renderTo(QPainter* painter, const QRectF& target) const {
    painter->fillRect(target, Qt::white);
    if (!emptyText_.isEmpty()) drawEmptyText(painter, target, emptyText_, font());
    const double hh = headerHeight(target.width());
    painter->save();
    painter->translate(target.topLeft() + QPointF(kMargin, kMargin));
    header_.drawContents(painter);
    painter->restore();
    if (graphRect_.isEmpty()) return;
    const QRectF graphArea(target.left() + kMargin, target.top() + hh + kMargin,
                           target.width() - 2.0 * kMargin, target.height() - hh - 2.0 * kMargin);
    const double s =
        std::min(graphArea.width() / graphRect_.width(), graphArea.height() / graphRect_.height());
    QRectF fitted(QPointF(), graphRect_.size() * s);
    fitted.moveCenter(graphArea.center());
    scene_->render(painter, fitted, graphRect_);
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

QSizeF CausalGraphView::exportLogicalSize() const {
    // The graph at 1:1 under a header laid out at that width.
    const double w = std::max(graphRect_.width() + 2.0 * kMargin, kMinExportWidth);
    return {w, headerHeight(w) + std::max(graphRect_.height(), 120.0) + 2.0 * kMargin};
}

bool CausalGraphView::exportPng(const QString& path, int w, int h, QString* error) const {
    const QSizeF logical = exportLogicalSize();
    const double logicalW = logical.width(), logicalH = logical.height();
    if (w <= 0 && h <= 0) w = static_cast<int>(std::lround(2.0 * logicalW));
    if (w <= 0) w = static_cast<int>(std::lround(h * logicalW / logicalH));
    if (h <= 0) h = static_cast<int>(std::lround(w * logicalH / logicalW));
    QImage image(std::max(1, w), std::max(1, h), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    const double k = std::min(image.width() / logicalW, image.height() / logicalH);
    painter.scale(k, k);
    renderTo(&painter, QRectF(0, 0, image.width() / k, image.height() / k));
    painter.end();
    return saveImageChecked(path, image, "PNG", QStringLiteral("causal graph"), error);
}

bool CausalGraphView::exportPdf(const QString& path, QString* error) const {
    const QSizeF logical = exportLogicalSize();
    const double logicalW = logical.width(), logicalH = logical.height();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setCreator(QStringLiteral("Sightline"));
    writer.setTitle(QStringLiteral("Causal explanation graph"));
    writer.setResolution(96);  // one logical pixel = 1/96 inch, as on screen
    writer.setPageSize(QPageSize(QSizeF(logicalW * 0.75, logicalH * 0.75), QPageSize::Point));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    QPainter painter;
    if (!painter.begin(&writer)) {
        if (error) *error = path + ": cannot render the causal graph";
        return false;
    }
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    renderTo(&painter, QRectF(0, 0, logicalW, logicalH));
    if (!painter.end()) {
        if (error) *error = path + ": cannot render the causal graph";
        return false;
    }
    return writeFileChecked(path, bytes, QStringLiteral("causal graph"), error);
}

}  // namespace sightline::ui
