// Renders the widgets in typical states to <temp>/sightline_widgets/*.png (QWidget::grab), for people to
// look at; the test only checks that the files were written.
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QTest>
#include <QVBoxLayout>
#include <cmath>

#include "test_ui_widgets.h"
#include "ui/widgets/image_canvas.h"
#include "ui/widgets/token_strip.h"
#include "widget_test_helpers.h"

using namespace sightline::test;
using sightline::ui::ImageCanvas;
using sightline::ui::TokenStrip;

namespace {

// A blob over the red ball of syntheticScene() on a gridH x gridW grid, in [0, 1].
QVector<float> ballMap(int gridH, int gridW) {
    QVector<float> m;
    for (int r = 0; r < gridH; ++r)
        for (int c = 0; c < gridW; ++c) {
            const double y = (r + 0.5) / gridH * 96, x = (c + 0.5) / gridW * 96;
            const double d2 = (x - 28) * (x - 28) + (y - 58) * (y - 58);
            const double d3 = (x - 68) * (x - 68) + (y - 56) * (y - 56);
            m.append(static_cast<float>(std::exp(-d2 / 300.0) + 0.35 * std::exp(-d3 / 200.0)));
        }
    return m;
}

void save(QWidget& w, const QString& name) {
    const QString path = QDir(screenshotDir()).filePath(name);
    QVERIFY2(w.grab().save(path), qPrintable(path));
}

}  // namespace

void TestUiWidgets::screenshots() {
    ImageCanvas canvas;
    canvas.resize(520, 520);
    canvas.show();
    save(canvas, QStringLiteral("canvas_placeholder.png"));

    canvas.setImage(syntheticScene(96));
    canvas.setMap(ballMap(12, 12), 12, 12);
    canvas.setShowGrid(true);
    canvas.setSelectedPatches({QPoint(3, 6), QPoint(4, 6), QPoint(3, 7), QPoint(4, 7), QPoint(5, 7)});
    save(canvas, QStringLiteral("canvas_jet_grid_selection.png"));
    QVERIFY(
        canvas.renderOverlay().save(QDir(screenshotDir()).filePath(QStringLiteral("overlay_native.png"))));

    canvas.setColormap(QStringLiteral("viridis"));
    canvas.setSmooth(false);
    canvas.setThreshold(0.3);
    canvas.setOpacity(0.65);
    canvas.setShowGrid(false);
    canvas.clearSelection();
    mouseMoveTo(&canvas, QPoint(300, 300));
    save(canvas, QStringLiteral("canvas_viridis_blocks_threshold_hover.png"));

    // Zoomed in on the ball, a rubber band in progress.
    canvas.setColormap(QStringLiteral("inferno"));
    canvas.setSmooth(true);
    canvas.setThreshold(0.0);
    canvas.setShowGrid(true);
    const QPoint ball = canvas.patchRect(7, 3).center().toPoint();
    wheel(&canvas, ball, 360);
    const QPoint from = canvas.patchRect(6, 2).center().toPoint();
    const QPoint to = canvas.patchRect(8, 4).center().toPoint();
    QTest::mousePress(&canvas, Qt::LeftButton, Qt::NoModifier, from);
    mouseMoveTo(&canvas, to, Qt::LeftButton);
    save(canvas, QStringLiteral("canvas_zoomed_rubber_band.png"));
    QTest::mouseRelease(&canvas, Qt::LeftButton, Qt::NoModifier, to);
    save(canvas, QStringLiteral("canvas_zoomed_selected.png"));

    // Token strips as the window shows them: the prompt (read-only) above the answer (scored).
    QWidget panel;
    auto* layout = new QVBoxLayout(&panel);
    auto* promptLabel = new QLabel(QStringLiteral("Prompt"));
    auto* prompt = new TokenStrip;
    prompt->setInteractive(false);
    prompt->setTokens({QStringLiteral("<s>"), QStringLiteral(" USER"), QStringLiteral(":"),
                       QStringLiteral(" <image>"), QStringLiteral("\n"), QStringLiteral("Where"),
                       QStringLiteral(" is"), QStringLiteral(" the"), QStringLiteral(" red"),
                       QStringLiteral(" ball"), QStringLiteral("?"), QStringLiteral(" ASSISTANT"),
                       QStringLiteral(":")});
    auto* answerLabel = new QLabel(QStringLiteral("Answer (click a token)"));
    auto* answer = new TokenStrip;
    answer->setTokens({QStringLiteral("The"), QStringLiteral(" red"), QStringLiteral(" ball"),
                       QStringLiteral(" is"), QStringLiteral(" left"), QStringLiteral(" of"),
                       QStringLiteral(" the"), QStringLiteral(" green"), QStringLiteral(" box"),
                       QStringLiteral(","), QStringLiteral(" below"), QStringLiteral(" the"),
                       QStringLiteral(" blue"), QStringLiteral(" tri"), QStringLiteral("angle"),
                       QStringLiteral("."), QStringLiteral("\t"), QStringLiteral("</s>")});
    answer->setScores({0.05f, 0.55f, 0.95f, 0.1f, 0.3f, 0.05f, 0.08f, 0.7f, 0.8f, 0.02f, 0.2f, 0.05f, 0.6f,
                       0.75f, 0.5f, 0.0f});
    answer->setCurrent(2);
    auto* emptyLabel = new QLabel(QStringLiteral("Empty"));
    auto* empty = new TokenStrip;
    empty->setPlaceholderText(QStringLiteral("The answer appears here after Generate"));
    for (QWidget* w : {static_cast<QWidget*>(promptLabel), static_cast<QWidget*>(prompt),
                       static_cast<QWidget*>(answerLabel), static_cast<QWidget*>(answer),
                       static_cast<QWidget*>(emptyLabel), static_cast<QWidget*>(empty)})
        layout->addWidget(w);
    layout->addStretch();
    panel.resize(430, 300);
    panel.show();
    answer->setFocus();
    QVERIFY(answer->height() == answer->heightForWidth(answer->width()));
    save(panel, QStringLiteral("token_strips.png"));
    panel.resize(260, 420);
    QCoreApplication::processEvents();  // let the layout settle
    save(panel, QStringLiteral("token_strips_narrow.png"));
}
