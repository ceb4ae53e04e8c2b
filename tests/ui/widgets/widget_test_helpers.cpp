#include "widget_test_helpers.h"

#include <QApplication>
#include <QDir>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QRandomGenerator>
#include <QTest>
#include <QWheelEvent>

namespace sightline::test {

RandomImage randomImage(int w, int h, quint32 seed) {
    QRandomGenerator rng(seed);
    RandomImage out{cv::Mat(h, w, CV_8UC3), QImage(w, h, QImage::Format_RGB888)};
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const int r = rng.bounded(256), g = rng.bounded(256), b = rng.bounded(256);
            out.mat.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(r), uchar(g), uchar(b));
            out.image.setPixel(x, y, qRgb(r, g, b));
        }
    return out;
}

QVector<float> randomMap(int n, quint32 seed) {
    QRandomGenerator rng(seed);
    QVector<float> m(n);
    for (float& v : m) v = static_cast<float>(rng.generateDouble());
    return m;
}

QString firstDifference(const QImage& got, const cv::Mat& want) {
    if (got.width() != want.cols || got.height() != want.rows || got.format() != QImage::Format_RGB888)
        return QStringLiteral("size/format differ");
    for (int y = 0; y < want.rows; ++y) {
        const uchar* g = got.constScanLine(y);
        const uchar* w = want.ptr<uchar>(y);
        for (int x = 0; x < want.cols * 3; ++x)
            if (g[x] != w[x])
                return QStringLiteral("pixel %1,%2 channel %3: got %4 want %5")
                    .arg(x / 3)
                    .arg(y)
                    .arg(x % 3)
                    .arg(g[x])
                    .arg(w[x]);
    }
    return {};
}

QPointF patchCentre(const QRectF& imageRect, int gridH, int gridW, int row, int col) {
    return {imageRect.left() + (col + 0.5) * imageRect.width() / gridW,
            imageRect.top() + (row + 0.5) * imageRect.height() / gridH};
}

void mouseMoveTo(QWidget* w, QPoint pos, Qt::MouseButtons buttons, Qt::KeyboardModifiers mods) {
    QMouseEvent move(QEvent::MouseMove, QPointF(pos), QPointF(w->mapToGlobal(pos)), Qt::NoButton, buttons,
                     mods);
    QApplication::sendEvent(w, &move);
}

void mouseDrag(QWidget* w, Qt::MouseButton button, QPoint from, QPoint to, Qt::KeyboardModifiers mods) {
    QTest::mousePress(w, button, mods, from);
    constexpr int kSteps = 6;
    for (int i = 1; i <= kSteps; ++i) mouseMoveTo(w, from + (to - from) * i / kSteps, button, mods);
    QTest::mouseRelease(w, button, mods, to);
}

void wheel(QWidget* w, QPoint pos, int angleDeltaY) {
    QWheelEvent e(QPointF(pos), QPointF(w->mapToGlobal(pos)), QPoint(), QPoint(0, angleDeltaY), Qt::NoButton,
                  Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

QImage syntheticScene(int size) {
    QImage img(size, size, QImage::Format_RGB888);
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing, true);
    const double s = size / 96.0;
    QLinearGradient sky(0, 0, 0, 60 * s);
    sky.setColorAt(0, QColor(120, 170, 230));
    sky.setColorAt(1, QColor(200, 220, 240));
    p.fillRect(QRectF(0, 0, size, 60 * s), sky);
    p.fillRect(QRectF(0, 60 * s, size, size - 60 * s), QColor(120, 160, 90));
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(210, 40, 40));
    p.drawEllipse(QPointF(28 * s, 58 * s), 14 * s, 14 * s);
    p.setBrush(QColor(40, 150, 60));
    p.drawRect(QRectF(56 * s, 44 * s, 24 * s, 24 * s));
    QPainterPath tri;
    tri.moveTo(70 * s, 10 * s);
    tri.lineTo(86 * s, 36 * s);
    tri.lineTo(54 * s, 36 * s);
    tri.closeSubpath();
    p.fillPath(tri, QColor(50, 70, 200));
    return img;
}

QString screenshotDir() {
    const QString dir = QDir::temp().filePath(QStringLiteral("sightline_widgets"));
    QDir().mkpath(dir);
    return dir;
}

}  // namespace sightline::test
