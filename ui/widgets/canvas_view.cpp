#include "ui/widgets/canvas_view.h"

#include <algorithm>
#include <cmath>

namespace sightline::ui {

void CanvasView::setGridSize(int rows, int cols) {
    rows_ = std::max(0, rows);
    cols_ = std::max(0, cols);
}

double CanvasView::fitZoom() const {
    if (image_.isEmpty() || viewport_.isEmpty()) return 1.0;
    const double margin = std::min({kFitMargin, viewport_.width() / 8.0, viewport_.height() / 8.0});
    const double zx = (viewport_.width() - 2 * margin) / image_.width();
    const double zy = (viewport_.height() - 2 * margin) / image_.height();
    return std::max(1e-3, std::min(zx, zy));
}

double CanvasView::maxZoom() const {
    return std::max(fitZoom() * 32.0, 4.0);
}

void CanvasView::fit() {
    zoom_ = fitZoom();
    const QSizeF shown(image_.width() * zoom_, image_.height() * zoom_);
    offset_ = QPointF((viewport_.width() - shown.width()) / 2.0, (viewport_.height() - shown.height()) / 2.0);
}

void CanvasView::zoomAround(double factor, QPointF anchor) {
    if (image_.isEmpty() || !(factor > 0)) return;
    const QPointF fixed = toImage(anchor);
    zoom_ = std::clamp(zoom_ * factor, minZoom(), maxZoom());
    offset_ = anchor - fixed * zoom_;
    clampOffset();
}

void CanvasView::pan(QPointF delta) {
    offset_ += delta;
    clampOffset();
}

void CanvasView::clampOffset() {
    // Keep at least a strip of the image (up to 48 screen pixels in each direction) inside the viewport.
    const QRectF r = imageRect();
    const double keepX = std::min(48.0, r.width());
    const double keepY = std::min(48.0, r.height());
    offset_.setX(std::clamp(offset_.x(), keepX - r.width(), viewport_.width() - keepX));
    offset_.setY(std::clamp(offset_.y(), keepY - r.height(), viewport_.height() - keepY));
}

QRectF CanvasView::imageRect() const {
    return {offset_, QSizeF(image_.width() * zoom_, image_.height() * zoom_)};
}

QPointF CanvasView::toWidget(QPointF imagePoint) const {
    return offset_ + imagePoint * zoom_;
}

QPointF CanvasView::toImage(QPointF widgetPoint) const {
    return (widgetPoint - offset_) / zoom_;
}

QPoint CanvasView::patchAt(QPointF widgetPoint) const {
    if (!hasGrid()) return {-1, -1};
    const QPointF p = toImage(widgetPoint);
    if (p.x() < 0 || p.y() < 0 || p.x() >= image_.width() || p.y() >= image_.height()) return {-1, -1};
    const int col = std::min(cols_ - 1, static_cast<int>(std::floor(p.x() * cols_ / image_.width())));
    const int row = std::min(rows_ - 1, static_cast<int>(std::floor(p.y() * rows_ / image_.height())));
    return {col, row};
}

QRectF CanvasView::patchRect(int row, int col) const {
    if (!hasGrid()) return {};
    const double pw = static_cast<double>(image_.width()) / cols_;
    const double ph = static_cast<double>(image_.height()) / rows_;
    return {toWidget(QPointF(col * pw, row * ph)), QSizeF(pw * zoom_, ph * zoom_)};
}

QRect CanvasView::patchesIn(const QRectF& widgetRect) const {
    if (!hasGrid()) return {};
    // Not QRectF::intersected: a band of zero height or width (a straight drag) still touches patches.
    const QRectF band = widgetRect.normalized();
    const QRectF img = imageRect();
    if (band.right() < img.left() || band.left() >= img.right() || band.bottom() < img.top() ||
        band.top() >= img.bottom())
        return {};
    const QPointF a = toImage(QPointF(std::max(band.left(), img.left()), std::max(band.top(), img.top())));
    const QPointF b =
        toImage(QPointF(std::min(band.right(), img.right()), std::min(band.bottom(), img.bottom())));
    auto colOf = [&](double x) {
        return std::clamp(static_cast<int>(std::floor(x * cols_ / image_.width())), 0, cols_ - 1);
    };
    auto rowOf = [&](double y) {
        return std::clamp(static_cast<int>(std::floor(y * rows_ / image_.height())), 0, rows_ - 1);
    };
    // A band edge that lies exactly on a patch boundary does not touch the next patch.
    const double eps = 1e-9;
    const int c0 = colOf(a.x());
    const int r0 = rowOf(a.y());
    return QRect(QPoint(c0, r0), QPoint(std::max(c0, colOf(b.x() - eps)), std::max(r0, rowOf(b.y() - eps))));
}

}  // namespace sightline::ui
