// CanvasView geometry and the cv::Mat <-> QImage conversion.
#include <QTest>

#include "test_ui_widgets.h"
#include "ui/widgets/canvas_view.h"
#include "ui/widgets/cv_qimage.h"

using sightline::ui::CanvasView;

void TestUiWidgets::viewPatchMapping() {
    CanvasView v;
    v.setImageSize(QSize(96, 48));
    v.setGridSize(4, 8);
    v.setViewport(QSize(208, 400));
    v.fit();
    QCOMPARE(v.zoom(), 2.0);  // (208 - 2 * 8) / 96
    QCOMPARE(v.imageRect(), QRectF(8, 152, 192, 96));
    QCOMPARE(v.patchAt(QPointF(8, 152)), QPoint(0, 0));
    QCOMPARE(v.patchAt(QPointF(199.9, 247.9)), QPoint(7, 3));
    QCOMPARE(v.patchAt(QPointF(200, 200)), QPoint(-1, -1));  // right edge is outside
    QCOMPARE(v.patchAt(QPointF(7.9, 200)), QPoint(-1, -1));
    QCOMPARE(v.patchRect(1, 2), QRectF(8 + 2 * 24, 152 + 24, 24, 24));
    // A band ending exactly on a patch boundary does not reach into the next patch.
    QCOMPARE(v.patchesIn(QRectF(QPointF(10, 160), QPointF(56, 176))), QRect(QPoint(0, 0), QPoint(1, 0)));
    QCOMPARE(v.patchesIn(QRectF(QPointF(0, 0), QPointF(400, 400))), QRect(0, 0, 8, 4));
    QVERIFY(!v.patchesIn(QRectF(0, 0, 5, 5)).isValid());
    QCOMPARE(v.patchesIn(QRectF(QPointF(20, 200), QPointF(90, 200))),
             QRect(QPoint(0, 2), QPoint(3, 2)));  // flat
    // Zooming around a point keeps it fixed.
    const QPointF anchor(50, 170);
    const QPointF before = v.toImage(anchor);
    v.zoomAround(3.0, anchor);
    QCOMPARE(v.zoom(), 6.0);
    QVERIFY(QLineF(v.toImage(anchor), before).length() < 1e-9);
    QCOMPARE(v.toImage(v.toWidget(QPointF(12.5, 7.25))), QPointF(12.5, 7.25));
    // No grid: no patches.
    v.setGridSize(0, 0);
    QVERIFY(!v.hasGrid());
    QCOMPARE(v.patchAt(anchor), QPoint(-1, -1));
}

void TestUiWidgets::cvQImageRoundTrip() {
    using namespace sightline::ui;
    // Width 5: QImage rows are padded to 8 bytes (15 -> 16), the Mat is a non-contiguous ROI.
    cv::Mat big(7, 9, CV_8UC3);
    for (int y = 0; y < big.rows; ++y)
        for (int x = 0; x < big.cols; ++x)
            big.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(x * 20), uchar(y * 30), uchar(x + y));
    const cv::Mat roi = big(cv::Rect(2, 1, 5, 4));
    QVERIFY(!roi.isContinuous());
    const QImage q = rgbMatToQImage(roi);
    QCOMPARE(q.format(), QImage::Format_RGB888);
    QCOMPARE(q.size(), QSize(5, 4));
    QCOMPARE(q.pixel(0, 0), qRgb(40, 30, 3));  // R-G-B order kept
    QCOMPARE(q.pixel(4, 3), qRgb(120, 120, 10));
    big.setTo(cv::Scalar(0, 0, 0));
    QCOMPARE(q.pixel(4, 3), qRgb(120, 120, 10));  // deep copy
    const cv::Mat back = qimageToRgbMat(q);
    QCOMPARE(back.type(), CV_8UC3);
    QCOMPARE(back.at<cv::Vec3b>(3, 4), cv::Vec3b(120, 120, 10));
    // Other formats are converted; alpha is dropped.
    QImage argb(3, 2, QImage::Format_ARGB32);
    argb.fill(qRgba(10, 20, 30, 255));
    QCOMPARE(qimageToRgbMat(argb).at<cv::Vec3b>(1, 2), cv::Vec3b(10, 20, 30));
    QVERIFY(rgbMatToQImage(cv::Mat(2, 2, CV_8UC1)).isNull());
    QVERIFY(qimageToRgbMat(QImage()).empty());
}
