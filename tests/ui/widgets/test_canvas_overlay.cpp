// ImageCanvas rendering: renderOverlay()/renderMapOnly() equal the core's OpenCV functions pixel for pixel.
#include <QTest>
#include <vector>

#include "core/explain/overlay.h"
#include "test_ui_widgets.h"
#include "ui/widgets/image_canvas.h"
#include "widget_test_helpers.h"

using sightline::ui::ImageCanvas;
using namespace sightline::test;

namespace {
constexpr int kGrid = 6;
}  // namespace

void TestUiWidgets::overlayMatchesCore_data() {
    QTest::addColumn<QString>("colormap");
    QTest::addColumn<double>("opacity");
    QTest::addColumn<double>("threshold");
    QTest::addColumn<bool>("smooth");
    QTest::addColumn<bool>("grid");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    for (const std::string& name : sightline::colormap_names())
        for (double opacity : {0.0, 0.35, 0.5, 0.8, 1.0})
            for (bool smooth : {true, false}) {
                const QString cm = QString::fromStdString(name);
                QTest::addRow("%s_%.2f_%s", name.c_str(), opacity, smooth ? "smooth" : "blocks")
                    << cm << opacity << 0.0 << smooth << false << 48 << 48;
            }
    QTest::addRow("threshold") << "viridis" << 0.6 << 0.4 << true << false << 48 << 48;
    QTest::addRow("grid") << "magma" << 0.5 << 0.0 << false << true << 48 << 48;
    QTest::addRow("odd_width_padding") << "turbo" << 0.7 << 0.2 << true << true << 50 << 30;
}

void TestUiWidgets::overlayMatchesCore() {
    QFETCH(QString, colormap);
    QFETCH(double, opacity);
    QFETCH(double, threshold);
    QFETCH(bool, smooth);
    QFETCH(bool, grid);
    QFETCH(int, width);
    QFETCH(int, height);
    const RandomImage img = randomImage(width, height, 3);
    const QVector<float> map = randomMap(kGrid * kGrid, 5);

    ImageCanvas canvas;
    canvas.setImage(img.image);
    QVERIFY(canvas.setMap(map, kGrid, kGrid));
    canvas.setColormap(colormap);
    canvas.setOpacity(opacity);
    canvas.setThreshold(threshold);
    canvas.setSmooth(smooth);
    canvas.setShowGrid(grid);
    QCOMPARE(canvas.colormap(), colormap);

    sightline::OverlayStyle style;
    style.colormap = sightline::colormap_from_string(colormap.toStdString());
    style.opacity = opacity;
    style.threshold = threshold;
    style.smooth = smooth;
    style.grid_lines = grid;
    const cv::Mat want =
        sightline::render_overlay(img.mat, std::vector<float>(map.begin(), map.end()), kGrid, kGrid, style);
    const QString diff = firstDifference(canvas.renderOverlay(), want);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestUiWidgets::mapOnlyMatchesCore() {
    const RandomImage img = randomImage(48, 48, 3);
    const QVector<float> map = randomMap(kGrid * kGrid, 9);
    ImageCanvas canvas;
    canvas.setImage(img.image);
    canvas.setMap(map, kGrid, kGrid);
    canvas.setColormap(QStringLiteral("inferno"));
    canvas.setSmooth(false);
    const cv::Mat want = sightline::colorize_map(std::vector<float>(map.begin(), map.end()), kGrid, kGrid,
                                                 cv::Size(48, 48), sightline::Colormap::Inferno, false);
    const QString diff = firstDifference(canvas.renderMapOnly(), want);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestUiWidgets::overlayWithoutMapOrImage() {
    ImageCanvas canvas;
    QVERIFY(canvas.renderOverlay().isNull());
    QVERIFY(canvas.renderMapOnly().isNull());
    canvas.setMap(randomMap(4, 1), 2, 2);
    QCOMPARE(canvas.renderMapOnly().size(), QSize(2, 2));  // one pixel per patch without an image
    const RandomImage img = randomImage(20, 10, 1);
    canvas.setImage(img.image);
    canvas.clearMap();
    QVERIFY(!canvas.hasMap());
    QCOMPARE(canvas.gridSize(), QSize(2, 2));  // the grid outlives the map
    QVERIFY(firstDifference(canvas.renderOverlay(), img.mat).isEmpty());
}
