#pragma once
// Geometry of the image canvas: zoom and pan of an image inside a viewport, and the mapping between
// widget coordinates, image pixels and patches of a grid laid over the image. Plain value class, no
// widgets, so it can be tested and reused (for example by an export that draws the selection).
#include <QPoint>
#include <QRect>
#include <QRectF>
#include <QSize>

namespace sightline::ui {

class CanvasView {
  public:
    static constexpr double kZoomStep = 1.25;
    static constexpr double kFitMargin = 8.0;  // pixels left free around a fitted image

    void setImageSize(QSize size) { image_ = size; }
    void setGridSize(int rows, int cols);
    void setViewport(QSize size) { viewport_ = size; }
    QSize imageSize() const { return image_; }
    QSize gridSize() const { return {cols_, rows_}; }  // width = columns, height = rows
    bool hasGrid() const { return rows_ > 0 && cols_ > 0 && !image_.isEmpty(); }

    double zoom() const { return zoom_; }  // screen pixels per image pixel
    double fitZoom() const;
    double minZoom() const { return fitZoom() * 0.25; }
    double maxZoom() const;
    void fit();
    // Multiplies the zoom (clamped) keeping the image point under `anchor` (widget coordinates) fixed.
    void zoomAround(double factor, QPointF anchor);
    void pan(QPointF delta);

    QRectF imageRect() const;  // where the image lies, widget coordinates
    QPointF toWidget(QPointF imagePoint) const;
    QPointF toImage(QPointF widgetPoint) const;
    // Patch (x = col, y = row) under a widget point, or (-1, -1) outside the image or without a grid.
    QPoint patchAt(QPointF widgetPoint) const;
    QRectF patchRect(int row, int col) const;  // widget coordinates
    // Patches touched by a widget-space rectangle: a rect in patch units (x = cols, y = rows), or an
    // invalid QRect when the rectangle misses the image.
    QRect patchesIn(const QRectF& widgetRect) const;

  private:
    void clampOffset();

    QSize image_;
    QSize viewport_;
    int rows_ = 0;
    int cols_ = 0;
    double zoom_ = 1.0;
    QPointF offset_;  // widget position of the image's top-left corner
};

}  // namespace sightline::ui
