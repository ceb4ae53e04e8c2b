#include "ui/widgets/image_canvas.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <vector>

#include "core/explain/overlay.h"
#include "ui/widgets/cv_qimage.h"

namespace sightline::ui {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

}  // namespace

ImageCanvas::ImageCanvas(QWidget* parent)
    : QWidget(parent), placeholder_(tr("Open an image or pick a demo scene")) {
    setMouseTracking(true);
    setAcceptDrops(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    view_.setViewport(size());
}

// ---- image and map ------------------------------------------------------------------------------

void ImageCanvas::setImage(const QImage& image) {
    image_ = image.isNull() ? QImage() : image.convertToFormat(QImage::Format_RGB888);
    view_.setImageSize(image_.size());
    rebuildDisplay();
    fitToWindow();
}

bool ImageCanvas::setMap(const QVector<float>& values, int gridH, int gridW) {
    if (gridH <= 0 || gridW <= 0 || values.size() != static_cast<qsizetype>(gridH) * gridW) {
        qWarning("ImageCanvas::setMap: %lld values do not fit a %dx%d grid; map ignored",
                 static_cast<long long>(values.size()), gridH, gridW);
        return false;
    }
    setGridSize(gridH, gridW);
    map_ = values;
    rebuildDisplay();
    update();
    return true;
}

void ImageCanvas::clearMap() {
    if (map_.isEmpty()) return;
    map_.clear();
    rebuildDisplay();
    update();
}

void ImageCanvas::setGridSize(int gridH, int gridW) {
    if (gridH <= 0 || gridW <= 0) gridH = gridW = 0;
    if (gridH == gridH_ && gridW == gridW_) return;
    const bool hadSelection = selected_.contains(true);
    gridH_ = gridH;
    gridW_ = gridW;
    map_.clear();
    selected_ = QVector<bool>(static_cast<qsizetype>(gridH) * gridW, false);
    hovered_ = {-1, -1};
    view_.setGridSize(gridH, gridW);
    rebuildDisplay();
    update();
    if (hadSelection) Q_EMIT patchesSelected({});
}

float ImageCanvas::valueAt(int row, int col) const {
    if (map_.isEmpty() || row < 0 || col < 0 || row >= gridH_ || col >= gridW_) return kNaN;
    return map_[row * gridW_ + col];
}

// ---- style and rendering -------------------------------------------------------------------------

void ImageCanvas::setColormap(const QString& name) {
    try {
        colormap_from_string(name.toStdString());
    } catch (const std::exception& e) {
        qWarning("ImageCanvas::setColormap: %s", e.what());
        return;
    }
    if (name == colormap_) return;
    colormap_ = name;
    rebuildDisplay();
    update();
}

void ImageCanvas::setOpacity(double opacity) {
    opacity = std::clamp(opacity, 0.0, 1.0);
    if (opacity == opacity_) return;
    opacity_ = opacity;
    rebuildDisplay();
    update();
}

void ImageCanvas::setThreshold(double threshold) {
    threshold = std::clamp(threshold, 0.0, 1.0);
    if (threshold == threshold_) return;
    threshold_ = threshold;
    rebuildDisplay();
    update();
}

void ImageCanvas::setShowGrid(bool show) {
    if (show == showGrid_) return;
    showGrid_ = show;
    update();  // on screen the grid is drawn by paintGrid, not baked into display_
}

void ImageCanvas::setSmooth(bool smooth) {
    if (smooth == smooth_) return;
    smooth_ = smooth;
    rebuildDisplay();
    update();
}

namespace {
OverlayStyle makeStyle(const QString& colormap, double opacity, double threshold, bool smooth, bool grid) {
    OverlayStyle s;
    s.colormap = colormap_from_string(colormap.toStdString());
    s.opacity = opacity;
    s.threshold = threshold;
    s.smooth = smooth;
    s.grid_lines = grid;
    return s;
}
}  // namespace

QImage ImageCanvas::renderOverlay() const {
    return renderOverlay(showGrid_);
}

QImage ImageCanvas::renderOverlay(bool gridLines) const {
    if (image_.isNull()) return {};
    if (map_.isEmpty()) return image_.copy();
    try {
        const std::vector<float> map(map_.begin(), map_.end());
        const OverlayStyle style = makeStyle(colormap_, opacity_, threshold_, smooth_, gridLines);
        return rgbMatToQImage(render_overlay(qimageToRgbMat(image_), map, gridH_, gridW_, style));
    } catch (const std::exception& e) {
        qWarning("ImageCanvas::renderOverlay: %s", e.what());
        return image_.copy();
    }
}

QImage ImageCanvas::renderMapOnly() const {
    if (map_.isEmpty()) return {};
    const cv::Size size =
        image_.isNull() ? cv::Size(gridW_, gridH_) : cv::Size(image_.width(), image_.height());
    try {
        const std::vector<float> map(map_.begin(), map_.end());
        const Colormap cmap = colormap_from_string(colormap_.toStdString());
        return rgbMatToQImage(colorize_map(map, gridH_, gridW_, size, cmap, smooth_));
    } catch (const std::exception& e) {
        qWarning("ImageCanvas::renderMapOnly: %s", e.what());
        return {};
    }
}

void ImageCanvas::rebuildDisplay() {
    // On screen the grid lines are painted at screen resolution (paintGrid), not baked in.
    display_ = (image_.isNull() || map_.isEmpty()) ? image_ : renderOverlay(false);
}

// ---- selection -------------------------------------------------------------------------------------

bool ImageCanvas::isSelected(int row, int col) const {
    return row >= 0 && col >= 0 && row < gridH_ && col < gridW_ && selected_[row * gridW_ + col];
}

QVector<QPoint> ImageCanvas::selectedPatches() const {
    QVector<QPoint> out;
    for (int r = 0; r < gridH_; ++r)
        for (int c = 0; c < gridW_; ++c)
            if (selected_[r * gridW_ + c]) out.append(QPoint(c, r));
    return out;
}

void ImageCanvas::setSelectedPatches(const QVector<QPoint>& patches) {
    QVector<bool> next(selected_.size(), false);
    for (const QPoint& p : patches)
        if (p.x() >= 0 && p.y() >= 0 && p.x() < gridW_ && p.y() < gridH_) next[p.y() * gridW_ + p.x()] = true;
    commitSelection(std::move(next));
}

void ImageCanvas::clearSelection() {
    commitSelection(QVector<bool>(selected_.size(), false));
}

void ImageCanvas::commitSelection(QVector<bool> selected) {
    if (selected == selected_) return;
    selected_ = std::move(selected);
    update();
    Q_EMIT patchesSelected(selectedPatches());
}

// ---- view -----------------------------------------------------------------------------------------

void ImageCanvas::zoomIn() {
    applyZoom(CanvasView::kZoomStep, QRectF(rect()).center());
}

void ImageCanvas::zoomOut() {
    applyZoom(1.0 / CanvasView::kZoomStep, QRectF(rect()).center());
}

void ImageCanvas::fitToWindow() {
    fitted_ = true;
    view_.setViewport(size());
    view_.fit();
    update();
    Q_EMIT zoomChanged(view_.zoom());
}

void ImageCanvas::applyZoom(double factor, QPointF anchor) {
    if (image_.isNull()) return;
    const double before = view_.zoom();
    view_.zoomAround(factor, anchor);
    fitted_ = false;
    update();
    if (view_.zoom() != before) Q_EMIT zoomChanged(view_.zoom());
}

void ImageCanvas::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    view_.setViewport(size());
    if (fitted_)
        view_.fit();
    else
        view_.pan({});  // re-clamp
}

void ImageCanvas::setOutlines(const QVector<QRectF>& rects) {
    outlines_ = rects;
    update();
}

void ImageCanvas::setPlaceholderText(const QString& text) {
    placeholder_ = text;
    update();
}

QString ImageCanvas::patchToolTip(int row, int col) const {
    const float v = valueAt(row, col);
    const QString where = tr("patch (%1, %2)").arg(row).arg(col);
    return std::isnan(v) ? where : QStringLiteral("%1: %2").arg(where).arg(static_cast<double>(v), 0, 'f', 2);
}

}  // namespace sightline::ui
