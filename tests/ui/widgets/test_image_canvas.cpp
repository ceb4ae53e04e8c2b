// ImageCanvas interaction: patch selection, zoom and pan, hover, drops, bad input.
#include <QMimeData>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <cmath>

#include "test_ui_widgets.h"
#include "ui/widgets/image_canvas.h"
#include "widget_test_helpers.h"

using sightline::ui::ImageCanvas;
using namespace sightline::test;

namespace {

constexpr int kGrid = 6;

// A shown 400x400 canvas with a 48x48 image and a random 6x6 map.
struct Fixture {
    ImageCanvas canvas;
    Fixture() {
        canvas.resize(400, 400);
        canvas.setImage(randomImage(48, 48, 7).image);
        canvas.setMap(randomMap(kGrid * kGrid, 11), kGrid, kGrid);
        canvas.show();
    }
    QPoint at(int row, int col) const {
        return patchCentre(canvas.imageRect(), kGrid, kGrid, row, col).toPoint();
    }
};

}  // namespace

void TestUiWidgets::clickSelectsPatch_data() {
    QTest::addColumn<int>("row");
    QTest::addColumn<int>("col");
    for (auto [r, c] : {std::pair{0, 0}, {2, 3}, {5, 5}, {4, 1}, {0, 5}})
        QTest::addRow("r%d_c%d", r, c) << r << c;
}

void TestUiWidgets::clickSelectsPatch() {
    QFETCH(int, row);
    QFETCH(int, col);
    Fixture f;
    QSignalSpy spy(&f.canvas, &ImageCanvas::patchesSelected);
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::NoModifier, f.at(row, col));
    QCOMPARE(spy.count(), 1);
    const QVector<QPoint> want{QPoint(col, row)};
    QCOMPARE(spy.at(0).at(0).value<QVector<QPoint>>(), want);
    QCOMPARE(f.canvas.selectedPatches(), want);
    // Clicking the same patch again changes nothing, so nothing is emitted.
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::NoModifier, f.at(row, col));
    QCOMPARE(spy.count(), 1);
}

void TestUiWidgets::rubberBandSelectsRectangle() {
    Fixture f;
    QSignalSpy spy(&f.canvas, &ImageCanvas::patchesSelected);
    mouseDrag(&f.canvas, Qt::LeftButton, f.at(1, 1), f.at(3, 4));
    QCOMPARE(spy.count(), 1);
    QVector<QPoint> want;
    for (int r = 1; r <= 3; ++r)
        for (int c = 1; c <= 4; ++c) want.append(QPoint(c, r));
    QCOMPARE(f.canvas.selectedPatches(), want);

    // Dragged upwards from the margin outside the image: clamped to the image.
    mouseDrag(&f.canvas, Qt::LeftButton, f.at(1, 2), QPoint(2, 2));
    want.clear();
    for (int r = 0; r <= 1; ++r)
        for (int c = 0; c <= 2; ++c) want.append(QPoint(c, r));
    QCOMPARE(f.canvas.selectedPatches(), want);

    // Ctrl+drag adds to the selection.
    mouseDrag(&f.canvas, Qt::LeftButton, f.at(5, 4), f.at(5, 5), Qt::ControlModifier);
    want << QPoint(4, 5) << QPoint(5, 5);
    QCOMPARE(f.canvas.selectedPatches(), want);
    QCOMPARE(spy.count(), 3);
}

void TestUiWidgets::ctrlTogglesPatches() {
    Fixture f;
    QSignalSpy spy(&f.canvas, &ImageCanvas::patchesSelected);
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::NoModifier, f.at(1, 1));
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::ControlModifier, f.at(2, 2));
    QCOMPARE(f.canvas.selectedPatches(), (QVector<QPoint>{QPoint(1, 1), QPoint(2, 2)}));
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::ControlModifier, f.at(1, 1));
    QCOMPARE(f.canvas.selectedPatches(), (QVector<QPoint>{QPoint(2, 2)}));
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::NoModifier, f.at(3, 0));
    QCOMPARE(f.canvas.selectedPatches(), (QVector<QPoint>{QPoint(0, 3)}));
    QCOMPARE(spy.count(), 4);
    // A plain click outside the image clears; a Ctrl+click there keeps the selection.
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::ControlModifier, QPoint(2, 2));
    QCOMPARE(f.canvas.selectedPatches().size(), 1);
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::NoModifier, QPoint(2, 2));
    QVERIFY(f.canvas.selectedPatches().isEmpty());
    QCOMPARE(spy.count(), 5);
}

void TestUiWidgets::clickMappingSurvivesZoomAndPan() {
    Fixture f;
    const double fit = f.canvas.zoom();
    QVERIFY(fit > 7.0);  // 48 px image in a 400 px widget
    f.canvas.zoomIn();
    f.canvas.zoomIn();
    QVERIFY(qAbs(f.canvas.zoom() - fit * 1.25 * 1.25) < 1e-9);
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::NoModifier, f.at(2, 3));
    QCOMPARE(f.canvas.selectedPatches(), (QVector<QPoint>{QPoint(3, 2)}));

    // Right-drag pans by the drag distance.
    const QRectF before = f.canvas.imageRect();
    mouseDrag(&f.canvas, Qt::RightButton, QPoint(200, 200), QPoint(140, 160));
    QCOMPARE(f.canvas.imageRect().topLeft(), before.topLeft() + QPointF(-60, -40));
    QVERIFY(f.canvas.selectedPatches() == (QVector<QPoint>{QPoint(3, 2)}));  // panning selects nothing
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::NoModifier, f.at(3, 3));
    QCOMPARE(f.canvas.selectedPatches(), (QVector<QPoint>{QPoint(3, 3)}));

    // Middle-drag pans too; the view stays put on resize once the user zoomed.
    mouseDrag(&f.canvas, Qt::MiddleButton, QPoint(200, 200), QPoint(210, 190));
    f.canvas.zoomOut();
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::NoModifier, f.at(1, 4));
    QCOMPARE(f.canvas.selectedPatches(), (QVector<QPoint>{QPoint(4, 1)}));

    // fitToWindow and double-click restore the fitted view.
    f.canvas.fitToWindow();
    QCOMPARE(f.canvas.zoom(), fit);
    f.canvas.zoomIn();
    QTest::mouseDClick(&f.canvas, Qt::LeftButton, Qt::NoModifier, QPoint(200, 200));
    QCOMPARE(f.canvas.zoom(), fit);
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::NoModifier, f.at(5, 0));
    QCOMPARE(f.canvas.selectedPatches(), (QVector<QPoint>{QPoint(0, 5)}));
    // A fitted view refits when resized.
    f.canvas.resize(300, 200);
    QVERIFY(f.canvas.zoom() < fit);
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::NoModifier, f.at(4, 2));
    QCOMPARE(f.canvas.selectedPatches(), (QVector<QPoint>{QPoint(2, 4)}));
}

void TestUiWidgets::wheelZoomKeepsPointUnderCursor() {
    Fixture f;
    QSignalSpy zoomSpy(&f.canvas, &ImageCanvas::zoomChanged);
    const QPoint cursor = f.at(1, 4) + QPoint(3, -2);
    auto imagePointUnder = [&](QPoint p) {
        const QRectF r = f.canvas.imageRect();
        return QPointF((p.x() - r.left()) * 48 / r.width(), (p.y() - r.top()) * 48 / r.height());
    };
    const QPointF before = imagePointUnder(cursor);
    const double z0 = f.canvas.zoom();
    wheel(&f.canvas, cursor, 240);  // two notches in
    QVERIFY(qAbs(f.canvas.zoom() - z0 * 1.25 * 1.25) < 1e-9);
    QCOMPARE(zoomSpy.count(), 1);
    const QPointF after = imagePointUnder(cursor);
    QVERIFY2(QLineF(before, after).length() < 1e-6, "the image point under the cursor moved");
    QTest::mouseClick(&f.canvas, Qt::LeftButton, Qt::NoModifier, cursor);
    QCOMPARE(f.canvas.selectedPatches(), (QVector<QPoint>{QPoint(4, 1)}));
    wheel(&f.canvas, cursor, -120);
    QVERIFY(qAbs(f.canvas.zoom() - z0 * 1.25) < 1e-9);
}

void TestUiWidgets::zoomIsClamped() {
    Fixture f;
    const double fit = f.canvas.zoom();
    for (int i = 0; i < 100; ++i) f.canvas.zoomIn();
    QVERIFY(f.canvas.zoom() <= fit * 32 + 1e-9);
    QVERIFY(f.canvas.imageRect().intersects(QRectF(f.canvas.rect())));
    for (int i = 0; i < 200; ++i) f.canvas.zoomOut();
    QVERIFY(f.canvas.zoom() >= fit * 0.25 - 1e-9);
    QVERIFY(f.canvas.imageRect().intersects(QRectF(f.canvas.rect())));
    // Panning far away keeps a strip of the image in view.
    mouseDrag(&f.canvas, Qt::RightButton, QPoint(10, 10), QPoint(390, 390));
    mouseDrag(&f.canvas, Qt::RightButton, QPoint(10, 10), QPoint(390, 390));
    QVERIFY(f.canvas.imageRect().intersects(QRectF(f.canvas.rect())));
}

void TestUiWidgets::badMapIsRejected() {
    Fixture f;
    const QVector<float> good = f.canvas.mapValues();
    QCOMPARE(good.size(), kGrid * kGrid);
    const QRegularExpression warning(QStringLiteral("setMap: .* map ignored"));
    QTest::ignoreMessage(QtWarningMsg, warning);
    QVERIFY(!f.canvas.setMap(QVector<float>(35, 0.5f), kGrid, kGrid));
    QTest::ignoreMessage(QtWarningMsg, warning);
    QVERIFY(!f.canvas.setMap(QVector<float>(), 0, 0));
    QTest::ignoreMessage(QtWarningMsg, warning);
    QVERIFY(!f.canvas.setMap(QVector<float>(6, 0.5f), -2, -3));
    QCOMPARE(f.canvas.mapValues(), good);
    QCOMPARE(f.canvas.gridSize(), QSize(kGrid, kGrid));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("unknown colormap 'rainbow'")));
    f.canvas.setColormap(QStringLiteral("rainbow"));
    QCOMPARE(f.canvas.colormap(), QStringLiteral("jet"));
    QVERIFY(!f.canvas.renderOverlay().isNull());
}

void TestUiWidgets::hoverSignalAndToolTip() {
    Fixture f;
    QSignalSpy spy(&f.canvas, &ImageCanvas::patchHovered);
    mouseMoveTo(&f.canvas, f.at(2, 1));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), 2);
    QCOMPARE(spy.at(0).at(1).toInt(), 1);
    const float v = f.canvas.mapValues()[2 * kGrid + 1];
    QCOMPARE(spy.at(0).at(2).toFloat(), v);
    QCOMPARE(f.canvas.patchToolTip(2, 1), QStringLiteral("patch (2, 1): %1").arg(double(v), 0, 'f', 2));
    mouseMoveTo(&f.canvas, f.at(2, 1) + QPoint(1, 1));  // same patch: no new signal
    QCOMPARE(spy.count(), 1);
    mouseMoveTo(&f.canvas, QPoint(1, 1));  // off the image
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toInt(), -1);
    QVERIFY(std::isnan(spy.at(1).at(2).toFloat()));
    f.canvas.clearMap();
    mouseMoveTo(&f.canvas, f.at(0, 5));
    QVERIFY(std::isnan(spy.last().at(2).toFloat()));
    QCOMPARE(f.canvas.patchToolTip(0, 5), QStringLiteral("patch (0, 5)"));
}

void TestUiWidgets::escapeClearsSelection() {
    Fixture f;
    mouseDrag(&f.canvas, Qt::LeftButton, f.at(0, 0), f.at(1, 1));
    QCOMPARE(f.canvas.selectedPatches().size(), 4);
    QSignalSpy spy(&f.canvas, &ImageCanvas::patchesSelected);
    QTest::keyClick(&f.canvas, Qt::Key_Escape);
    QCOMPARE(spy.count(), 1);
    QVERIFY(spy.at(0).at(0).value<QVector<QPoint>>().isEmpty());
    QVERIFY(f.canvas.selectedPatches().isEmpty());
    f.canvas.setSelectedPatches({QPoint(5, 5), QPoint(9, 9)});  // (9, 9) is off the grid
    QCOMPARE(f.canvas.selectedPatches(), (QVector<QPoint>{QPoint(5, 5)}));
    f.canvas.clearSelection();
    QCOMPARE(spy.count(), 3);
}

void TestUiWidgets::gridWithoutMap() {
    ImageCanvas canvas;
    canvas.resize(300, 300);
    canvas.setImage(syntheticScene(96));
    canvas.show();
    QSignalSpy spy(&canvas, &ImageCanvas::patchesSelected);
    QTest::mouseClick(&canvas, Qt::LeftButton, Qt::NoModifier, QPoint(150, 150));
    QCOMPARE(spy.count(), 0);  // no grid yet: nothing to select
    canvas.setGridSize(4, 4);
    QTest::mouseClick(&canvas, Qt::LeftButton, Qt::NoModifier,
                      patchCentre(canvas.imageRect(), 4, 4, 3, 2).toPoint());
    QCOMPARE(canvas.selectedPatches(), (QVector<QPoint>{QPoint(2, 3)}));
    canvas.setMap(randomMap(16, 2), 4, 4);  // same grid: the selection stays
    QCOMPARE(canvas.selectedPatches().size(), 1);
    canvas.setMap(randomMap(36, 2), 6, 6);  // new grid: cleared (and announced)
    QVERIFY(canvas.selectedPatches().isEmpty());
    QCOMPARE(spy.count(), 2);
    QVERIFY(spy.last().at(0).value<QVector<QPoint>>().isEmpty());
}

void TestUiWidgets::dropImageFile() {
    ImageCanvas canvas;
    canvas.resize(200, 200);
    QVERIFY(canvas.acceptDrops());
    QSignalSpy spy(&canvas, &ImageCanvas::imageFileDropped);
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("scene.png"));
    QVERIFY(syntheticScene(32).save(png));
    auto tryDrop = [&](const QString& path) {
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&canvas, &enter);
        if (!enter.isAccepted()) return false;
        QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&canvas, &drop);
        return drop.isAccepted();
    };
    QVERIFY(!tryDrop(dir.filePath(QStringLiteral("notes.txt"))));
    QCOMPARE(spy.count(), 0);
    QVERIFY(tryDrop(png));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), png);
}
