#pragma once
// ImageCanvas: the image the model saw, with a heatmap over its patch grid. The heatmap is coloured by
// the core's OpenCV overlay code (core/explain/overlay.h), so the canvas shows exactly what the CLI
// exports. Users select patches (click, Ctrl+click toggles, left drag = rubber band, Esc clears), zoom
// (wheel around the cursor, +/-, double-click or 0 fits) and pan (middle or right drag).
//
// Conventions: patches are QPoint(x = col, y = row); maps are row-major, values in [0, 1].
#include <QImage>
#include <QPoint>
#include <QString>
#include <QVector>
#include <QWidget>

#include "ui/widgets/canvas_view.h"

class QMimeData;

namespace sightline::ui {

class ImageCanvas : public QWidget {
    Q_OBJECT

  public:
    explicit ImageCanvas(QWidget* parent = nullptr);

    // The image the model saw (converted to RGB888 and deep-copied). Keeps the map, grid and selection:
    // the window clears them when it loads an unrelated picture. Fits the view.
    void setImage(const QImage& image);
    QImage image() const { return image_; }
    bool hasImage() const { return !image_.isNull(); }

    // A map over a gridH x gridW patch grid. Wrong input (values.size() != gridH * gridW, or a
    // non-positive grid) is ignored with a qWarning and returns false; the previous map stays.
    // A new grid size clears the selection.
    bool setMap(const QVector<float>& values, int gridH, int gridW);
    void clearMap();  // keeps the grid, so patches stay selectable
    bool hasMap() const { return !map_.isEmpty(); }
    QVector<float> mapValues() const { return map_; }
    // The patch grid without a map (patches can be clicked before any map exists). Clears the map when
    // its grid differs, and the selection when the grid changes.
    void setGridSize(int gridH, int gridW);
    QSize gridSize() const { return {gridW_, gridH_}; }  // width = columns, height = rows
    float valueAt(int row, int col) const;               // NaN without a map or outside the grid

    // Style (names from sightline::colormap_names(); unknown names are ignored with a qWarning).
    void setColormap(const QString& name);
    QString colormap() const { return colormap_; }
    void setOpacity(double opacity);  // clamped to [0, 1]
    double opacity() const { return opacity_; }
    void setThreshold(double threshold);  // clamped to [0, 1]
    double threshold() const { return threshold_; }
    void setShowGrid(bool show);
    bool showGrid() const { return showGrid_; }
    void setSmooth(bool smooth);
    bool smooth() const { return smooth_; }

    // At the image's native resolution, equal to sightline::render_overlay() for the current style
    // (grid lines included when shown). Without a map: the image; without an image: a null QImage.
    QImage renderOverlay() const;
    // The coloured map alone (colorize_map) at the image's size, or one pixel per patch without an image.
    // Null without a map.
    QImage renderMapOnly() const;

    // Selection, sorted row-major. Every change (user or code) emits patchesSelected.
    QVector<QPoint> selectedPatches() const;
    void setSelectedPatches(const QVector<QPoint>& patches);  // out-of-grid patches are dropped
    void clearSelection();

    // View geometry (widget coordinates), for the window and the tests.
    double zoom() const { return view_.zoom(); }
    QRectF imageRect() const { return view_.imageRect(); }
    QRectF patchRect(int row, int col) const { return view_.patchRect(row, col); }
    QPoint patchAt(const QPointF& pos) const { return view_.patchAt(pos); }  // (-1, -1) if none
    QString patchToolTip(int row, int col) const;                            // "patch (r, c): 0.83"

    // Rectangles in image pixel coordinates drawn as dashed outlines over the image (the tiles and views a
    // model cut the image into); an empty list removes them.
    void setOutlines(const QVector<QRectF>& rects);
    QVector<QRectF> outlines() const { return outlines_; }

    void setPlaceholderText(const QString& text);
    QString placeholderText() const { return placeholder_; }

    QSize sizeHint() const override { return {480, 480}; }
    QSize minimumSizeHint() const override { return {120, 120}; }

  public Q_SLOTS:
    void zoomIn();
    void zoomOut();
    void fitToWindow();

  Q_SIGNALS:
    void patchesSelected(const QVector<QPoint>& patches);
    // The patch under the mouse changed; (-1, -1, NaN) when the mouse leaves the image.
    void patchHovered(int row, int col, float value);
    void imageFileDropped(const QString& path);
    void zoomChanged(double zoom);

  protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

  private:
    enum class Drag { None, Press, Band, Pan };

    void rebuildDisplay();
    QImage renderOverlay(bool gridLines) const;
    void applyZoom(double factor, QPointF anchor);
    void setHovered(QPoint patch);
    void commitSelection(QVector<bool> selected);
    bool isSelected(int row, int col) const;
    static QString droppedImagePath(const QMimeData* mime);
    // Painting (image_canvas_paint.cpp).
    void paintPlaceholder(QPainter& p) const;
    void paintGrid(QPainter& p) const;
    void paintSelection(QPainter& p) const;
    void paintBand(QPainter& p) const;
    void paintOutlines(QPainter& p) const;

    QImage image_;    // RGB888
    QImage display_;  // the overlay without grid lines (lines are drawn crisply at screen resolution)
    QVector<float> map_;
    int gridH_ = 0;
    int gridW_ = 0;
    QString colormap_ = QStringLiteral("jet");
    double opacity_ = 0.5;
    double threshold_ = 0.0;
    bool showGrid_ = false;
    bool smooth_ = true;
    QString placeholder_;
    QVector<QRectF> outlines_;

    CanvasView view_;
    bool fitted_ = true;      // refit on resize until the user zooms or pans
    QVector<bool> selected_;  // gridH_ * gridW_
    QPoint hovered_{-1, -1};
    Drag drag_ = Drag::None;
    QPoint pressPos_;
    QPoint lastPos_;
    bool pressCtrl_ = false;
};

}  // namespace sightline::ui
