#pragma once
// Helpers for the widget tests: mouse drags and moves sent as events, and a synthetic scene.
#include <QImage>
#include <QPoint>
#include <QRectF>
#include <QString>
#include <QVector>
#include <QWidget>
#include <opencv2/core.hpp>

namespace sightline::test {

// A random RGB image built directly as a cv::Mat, and the same pixels as a QImage (built here, not with
// the widget's converter, so a conversion bug cannot hide itself).
struct RandomImage {
    cv::Mat mat;
    QImage image;
};
RandomImage randomImage(int w, int h, quint32 seed);
QVector<float> randomMap(int n, quint32 seed);  // uniform in [0, 1)
// The first differing pixel ("pixel x,y channel c: got a want b"), or empty when equal.
QString firstDifference(const QImage& got, const cv::Mat& want);

// Centre of patch (row, col) computed independently of the canvas's own mapping: from where the image
// lies on screen and the grid size only.
QPointF patchCentre(const QRectF& imageRect, int gridH, int gridW, int row, int col);
void mouseMoveTo(QWidget* w, QPoint pos, Qt::MouseButtons buttons = Qt::NoButton,
                 Qt::KeyboardModifiers mods = Qt::NoModifier);
// Press at `from`, a few moves, release at `to`.
void mouseDrag(QWidget* w, Qt::MouseButton button, QPoint from, QPoint to,
               Qt::KeyboardModifiers mods = Qt::NoModifier);
void wheel(QWidget* w, QPoint pos, int angleDeltaY);
// A 96x96-style scene: sky, ground, a red ball, a green box, a blue triangle.
QImage syntheticScene(int size);
QString screenshotDir();  // <temp>/sightline_widgets, created

}  // namespace sightline::test
