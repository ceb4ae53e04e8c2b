// ImageCanvas painting: the image (overlay baked in), the patch grid, hover, selection and rubber band.
#include <QPainter>
#include <QPainterPath>
#include <QPen>
#include <cmath>

#include "ui/widgets/image_canvas.h"

namespace sightline::ui {
namespace {

const QColor kBackground(0x26, 0x28, 0x2c);
const QColor kFrame(255, 255, 255, 40);
const QColor kGridLine(255, 255, 255, 80);
const QColor kHover(255, 255, 255, 200);
const QColor kSelectFill(255, 214, 10, 55);
const QColor kSelectHalo(0, 0, 0, 170);
const QColor kSelectLine(255, 214, 10);
const QColor kOutline(120, 230, 255);
constexpr double kMinGridPitch = 4.0;  // screen pixels per patch below which the grid is not drawn

}  // namespace

void ImageCanvas::paintEvent(QPaintEvent* /*event*/) {
    QPainter p(this);
    p.fillRect(rect(), kBackground);
    if (image_.isNull()) {
        paintPlaceholder(p);
        return;
    }
    const QRectF target = view_.imageRect();
    // Upscaled small images stay crisp (each pixel a block, like the exported PNG); downscaling is smooth.
    p.setRenderHint(QPainter::SmoothPixmapTransform, view_.zoom() < 1.0);
    p.drawImage(target, display_);
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.setPen(QPen(kFrame, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(target.adjusted(-0.5, -0.5, 0.5, 0.5));

    p.setClipRect(target);
    paintOutlines(p);
    if (!view_.hasGrid()) return;
    if (showGrid_) paintGrid(p);
    paintSelection(p);
    if (drag_ == Drag::Band)
        paintBand(p);
    else if (hovered_.x() >= 0) {
        p.setRenderHint(QPainter::Antialiasing, false);
        p.setPen(QPen(kHover, 1, Qt::DotLine));
        p.setBrush(Qt::NoBrush);
        p.drawRect(view_.patchRect(hovered_.y(), hovered_.x()));
    }
}

void ImageCanvas::paintOutlines(QPainter& p) const {
    if (outlines_.isEmpty() || image_.isNull()) return;
    const QRectF target = view_.imageRect();
    const double sx = target.width() / image_.width();
    const double sy = target.height() / image_.height();
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setBrush(Qt::NoBrush);
    for (const QRectF& r : outlines_) {
        const QRectF w(target.left() + r.left() * sx, target.top() + r.top() * sy, r.width() * sx,
                       r.height() * sy);
        p.setPen(QPen(kSelectHalo, 3));
        p.drawRect(w);
        p.setPen(QPen(kOutline, 1.5, Qt::DashLine));
        p.drawRect(w);
    }
}

void ImageCanvas::paintPlaceholder(QPainter& p) const {
    p.setRenderHint(QPainter::Antialiasing, true);
    const QRectF zone = QRectF(rect()).adjusted(16, 16, -16, -16);
    if (zone.width() > 40 && zone.height() > 40) {
        p.setPen(QPen(QColor(255, 255, 255, 60), 1.5, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(zone, 10, 10);
    }
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 1.15);
    p.setFont(f);
    p.setPen(QColor(220, 220, 220));
    QRectF textRect = zone.adjusted(12, 0, -12, 0);
    p.drawText(textRect, Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
    p.setFont(font());
    p.setPen(QColor(160, 160, 160));
    const double below = QFontMetricsF(f).height() * 1.6;
    p.drawText(textRect.translated(0, below), Qt::AlignCenter | Qt::TextWordWrap,
               tr("or drop an image file here"));
}

void ImageCanvas::paintGrid(QPainter& p) const {
    const QRectF target = view_.imageRect();
    const double pitchX = target.width() / gridW_;
    const double pitchY = target.height() / gridH_;
    if (pitchX < kMinGridPitch || pitchY < kMinGridPitch) return;
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setPen(QPen(kGridLine, 0));  // cosmetic: one screen pixel at any zoom
    QVector<QLineF> lines;
    for (int c = 1; c < gridW_; ++c) {
        const double x = std::round(target.left() + c * pitchX);
        lines.append(QLineF(x, target.top(), x, target.bottom()));
    }
    for (int r = 1; r < gridH_; ++r) {
        const double y = std::round(target.top() + r * pitchY);
        lines.append(QLineF(target.left(), y, target.right(), y));
    }
    p.drawLines(lines);
}

void ImageCanvas::paintSelection(QPainter& p) const {
    // Fill every selected patch, then outline the border of the selected region (edges between a
    // selected and an unselected patch), dark halo under a bright line so it reads on any colormap.
    QVector<QLineF> edges;
    QPainterPath fill;
    for (int r = 0; r < gridH_; ++r) {
        for (int c = 0; c < gridW_; ++c) {
            if (!isSelected(r, c)) continue;
            const QRectF cell = view_.patchRect(r, c);
            fill.addRect(cell);
            if (!isSelected(r - 1, c)) edges.append(QLineF(cell.topLeft(), cell.topRight()));
            if (!isSelected(r + 1, c)) edges.append(QLineF(cell.bottomLeft(), cell.bottomRight()));
            if (!isSelected(r, c - 1)) edges.append(QLineF(cell.topLeft(), cell.bottomLeft()));
            if (!isSelected(r, c + 1)) edges.append(QLineF(cell.topRight(), cell.bottomRight()));
        }
    }
    if (edges.isEmpty()) return;
    p.setRenderHint(QPainter::Antialiasing, true);
    p.fillPath(fill.simplified(), kSelectFill);
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(kSelectHalo, 4.5, Qt::SolidLine, Qt::SquareCap));
    p.drawLines(edges);
    p.setPen(QPen(kSelectLine, 2.5, Qt::SolidLine, Qt::SquareCap));
    p.drawLines(edges);
}

void ImageCanvas::paintBand(QPainter& p) const {
    const QRectF band = QRectF(QPointF(pressPos_), QPointF(lastPos_)).normalized();
    const QRect patches = view_.patchesIn(band);
    p.setRenderHint(QPainter::Antialiasing, false);
    if (patches.isValid()) {  // the patches the band will select
        const QRectF first = view_.patchRect(patches.top(), patches.left());
        const QRectF last = view_.patchRect(patches.bottom(), patches.right());
        p.setPen(QPen(kSelectLine, 1.5, Qt::DashLine));
        p.setBrush(kSelectFill);
        p.drawRect(first.united(last));
    }
    p.setClipping(false);
    p.setPen(QPen(QColor(255, 255, 255, 220), 1, Qt::DashLine));
    p.setBrush(QColor(255, 255, 255, 25));
    p.drawRect(band);
}

}  // namespace sightline::ui
