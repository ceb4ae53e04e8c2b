// Plot widgets: data reaches the plottables, clicks map to cells/bars/nodes, exports are valid files,
// empty states show. Each widget is also grabbed to /tmp/sightline_plots/*.png for a visual check.
#include <QDir>
#include <QFile>
#include <QGraphicsItem>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtMath>
#include <QtTest>

#include "ui/plots/causal_graph_items.h"
#include "ui/plots/causal_graph_view.h"
#include "ui/plots/curve_plot.h"
#include "ui/plots/head_layer_heatmap.h"
#include "ui/plots/layer_shares_plot.h"
#include "ui/plots/qcustomplot_wrapper.h"
#include "ui/plots/text_relevance_bars.h"
#include "ui/window/method_panel.h"

using namespace sightline::ui;

namespace {

const QString kShotDir = QStringLiteral("/tmp/sightline_plots");

// Shows `w` offscreen at a given size, lets QCustomPlot lay out, and saves a grab for inspection.
void showAt(QWidget* w, int width, int height) {
    w->resize(width, height);
    w->show();
    QVERIFY(QTest::qWaitForWindowExposed(w));
    if (auto* plot = w->findChild<QCustomPlot*>()) plot->replot();
}

void snapshot(QWidget* w, const QString& name) {
    if (auto* plot = w->findChild<QCustomPlot*>()) plot->replot();
    QVERIFY(w->grab().save(kShotDir + QLatin1Char('/') + name + QStringLiteral(".png")));
}

bool isPdf(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) && f.read(4) == "%PDF" && f.size() > 200;
}

QVector<QVector<double>> sampleMatrix(int layers, int heads) {
    QVector<QVector<double>> m(layers, QVector<double>(heads));
    for (int l = 0; l < layers; ++l)
        for (int h = 0; h < heads; ++h)
            m[l][h] = 0.5 + 0.45 * std::sin(0.7 * l + 1.3 * h) * std::cos(0.2 * l);
    return m;
}

int countItems(const QGraphicsScene* scene, int type) {
    int n = 0;
    for (const QGraphicsItem* item : scene->items()) n += item->type() == type ? 1 : 0;
    return n;
}

}  // namespace

class TestUiPlots : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() { QVERIFY(QDir().mkpath(kShotDir)); }

    void layerShares() {
        LayerSharesPlot plot;
        QVERIFY(plot.isEmpty());
        QVERIFY(plot.emptyStateText().contains(QStringLiteral("click an answer token")));
        showAt(&plot, 400, 250);
        snapshot(&plot, QStringLiteral("layer_shares_empty"));
        const int layers = 24;
        QVector<double> image(layers), prompt(layers), system(layers), answer(layers);
        for (int l = 0; l < layers; ++l) {
            image[l] = 0.15 + 0.5 * l / layers;
            system[l] = 0.3 - 0.2 * l / layers;
            answer[l] = 0.05;
            prompt[l] = 1.0 - image[l] - system[l] - answer[l];
        }
        plot.setShares(image, prompt, system, answer);
        QVERIFY(!plot.isEmpty());
        QCOMPARE(plot.layerCount(), layers);
        QCOMPARE(plot.customPlot()->plottableCount(), 4);
        QCOMPARE(plot.bars(0)->data()->size(), layers);
        QCOMPARE(plot.bars(0)->data()->at(5)->value, image[5]);
        QCOMPARE(plot.bars(3)->data()->at(23)->value, 0.05);
        QCOMPARE(plot.bars(1)->barBelow(), plot.bars(0));  // stacked
        QCOMPARE(plot.customPlot()->legend->itemCount(), 4);
        QCOMPARE(plot.bars(2)->name(), QStringLiteral("system"));
        QCOMPARE(plot.bars(0)->brush().color(), QColor(QStringLiteral("#e4572e")));
        QVERIFY(plot.customPlot()->xAxis->label().contains(QStringLiteral("(0-based)")));
        QCOMPARE(plot.customPlot()->yAxis->range().upper, 1.0);
        snapshot(&plot, QStringLiteral("layer_shares"));
        plot.setShares({0.2}, {0.8, 0.5}, {}, {});  // ragged input is padded
        QCOMPARE(plot.bars(2)->data()->size(), 2);
        plot.clear();
        QVERIFY(plot.isEmpty());
        QCOMPARE(plot.bars(0)->data()->size(), 0);
    }

    void heatmapData() {
        HeadLayerHeatmap map;
        QVERIFY(map.isEmpty());
        const auto m = sampleMatrix(6, 8);
        map.setMatrix(m);
        QCOMPARE(map.layerCount(), 6);
        QCOMPARE(map.headCount(), 8);
        QCOMPARE(map.colorMap()->data()->keySize(), 8);
        QCOMPARE(map.colorMap()->data()->valueSize(), 6);
        for (int l = 0; l < 6; ++l)
            for (int h = 0; h < 8; ++h) QCOMPARE(map.colorMap()->data()->cell(h, l), m[l][h]);
        QVERIFY(map.colorScale()->visible());
        QCOMPARE(map.colorMap()->gradient().color(0.0, QCPRange(0, 1)), QColor(0x44, 0x01, 0x54).rgb());
        QVERIFY(map.customPlot()->yAxis->label().contains(QStringLiteral("layer (0-based)")));
        QVERIFY(map.customPlot()->xAxis->label().contains(QStringLiteral("head (0-based)")));
        map.setMatrix({{1.0, 2.0}, {3.0}});  // ragged rows padded
        QCOMPARE(map.valueAt(1, 1), 0.0);
        QCOMPARE(map.colorMap()->dataRange().upper, 3.0);
        map.clear();
        QVERIFY(map.isEmpty());
        QVERIFY(map.emptyStateText().contains(QStringLiteral("click an answer token")));
    }

    void heatmapClick() {
        HeadLayerHeatmap map;
        showAt(&map, 400, 250);
        snapshot(&map, QStringLiteral("heatmap_empty"));
        map.setMatrix(sampleMatrix(24, 14));
        map.customPlot()->replot();
        QSignalSpy spy(&map, &HeadLayerHeatmap::cellClicked);
        QCustomPlot* plot = map.customPlot();
        const QPoint pixel(qRound(plot->xAxis->coordToPixel(5)), qRound(plot->yAxis->coordToPixel(17)));
        QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, pixel);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 17);
        QCOMPARE(spy.at(0).at(1).toInt(), 5);
        QCOMPARE(map.selectedLayer(), 17);
        QCOMPARE(map.selectedHead(), 5);
        QMouseEvent move(QEvent::MouseMove, QPointF(pixel), QPointF(plot->mapToGlobal(pixel)), Qt::NoButton,
                         Qt::NoButton, Qt::NoModifier);
        QCoreApplication::sendEvent(plot, &move);
        QVERIFY(map.hoverText().startsWith(QStringLiteral("layer 17, head 5: ")));
        snapshot(&map, QStringLiteral("heatmap"));
        QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, QPoint(2, 2));  // outside the axes
        QCOMPARE(spy.count(), 1);
        map.setSelectedCell(-1, -1);
        QCOMPARE(map.selectedLayer(), -1);
    }

    void textBarsLabels() {
        QCOMPARE(TextRelevanceBars::tickLabelFor(QStringLiteral("a\nb")), QStringLiteral("a\\nb"));
        QCOMPARE(TextRelevanceBars::tickLabelFor(QStringLiteral("\t")), QStringLiteral("\\t"));
        QCOMPARE(TextRelevanceBars::tickLabelFor(QString(QChar(0x1b))), QStringLiteral("\\x1b"));
        QCOMPARE(TextRelevanceBars::tickLabelFor(QStringLiteral(" ")), QString(QChar(0x2423)));
        const QString elided = TextRelevanceBars::tickLabelFor(QStringLiteral("supercalifragilistic"));
        QCOMPARE(elided.size(), 14);
        QVERIFY(elided.endsWith(QChar(0x2026)));
    }

    void textBars() {
        TextRelevanceBars bars;
        showAt(&bars, 400, 250);
        snapshot(&bars, QStringLiteral("text_bars_empty"));
        const QStringList tokens = {QStringLiteral("USER"),         QStringLiteral(":"),
                                    QStringLiteral("\n"),           QStringLiteral("What"),
                                    QStringLiteral("\u2581colour"), QStringLiteral("is"),
                                    QStringLiteral("the"),          QStringLiteral("interchangeability"),
                                    QStringLiteral("circle"),       QStringLiteral("?"),
                                    QStringLiteral("ASSISTANT")};
        QVector<double> scores = {0.02, 0.01, 0.05, 0.10, 0.62, 0.04, 0.08, 0.2, 0.91, 0.03, 0.06};
        bars.setScores(tokens, scores, 8);
        QCOMPARE(bars.barCount(), 11);
        QCOMPARE(bars.bars()->data()->size(), 11);
        QCOMPARE(bars.bars()->data()->at(4)->value, 0.62);
        QCOMPARE(bars.highlight(), 8);
        QCOMPARE(bars.highlightBars()->data()->size(), 1);
        QCOMPARE(bars.highlightBars()->data()->at(0)->key, 8.0);
        auto ticker = qSharedPointerCast<QCPAxisTickerText>(bars.customPlot()->xAxis->ticker());
        QCOMPARE(ticker->ticks().size(), 11);
        QCOMPARE(ticker->ticks().value(2.0), QStringLiteral("\\n"));
        QCOMPARE(ticker->ticks().value(8.0), QStringLiteral("circle"));
        QVERIFY(ticker->ticks().value(7.0).endsWith(QChar(0x2026)));
        QCOMPARE(bars.tickLabels().size(), 11);
        bars.customPlot()->replot();
        snapshot(&bars, QStringLiteral("text_bars"));

        QSignalSpy spy(&bars, &TextRelevanceBars::barClicked);
        QCustomPlot* plot = bars.customPlot();
        const QPoint pixel(qRound(plot->xAxis->coordToPixel(3)), qRound(plot->yAxis->coordToPixel(0.05)));
        QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, pixel);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 3);
        QCOMPARE(bars.highlight(), 3);
        bars.setScores(tokens, scores.mid(0, 5));  // shorter scores win
        QCOMPARE(bars.barCount(), 5);
        QCOMPARE(bars.highlight(), -1);
        QCOMPARE(bars.highlightBars()->data()->size(), 0);

        QStringList many;
        QVector<double> manyScores;
        for (int i = 0; i < 40; ++i) {
            many << QStringLiteral("tok%1").arg(i);
            manyScores << std::abs(std::sin(i * 0.37));
        }
        bars.setScores(many, manyScores, 12);
        QVERIFY(bars.labelStride() > 1);  // 40 labels do not fit in 400 px: thinned
        auto manyTicks = qSharedPointerCast<QCPAxisTickerText>(bars.customPlot()->xAxis->ticker())->ticks();
        QVERIFY(manyTicks.size() < 40);
        QCOMPARE(manyTicks.value(12.0), QStringLiteral("tok12"));  // the highlighted bar keeps its label
        snapshot(&bars, QStringLiteral("text_bars_many"));
        bars.customPlot()->xAxis->setRange(9.5, 19.5);  // zoomed in: every label shows
        bars.customPlot()->replot();
        QCOMPARE(bars.labelStride(), 1);
        snapshot(&bars, QStringLiteral("text_bars_zoomed"));
        bars.clear();
        QVERIFY(bars.isEmpty());
        QCOMPARE(bars.barCount(), 0);
    }

    void curves() {
        CurvePlot plot;
        showAt(&plot, 400, 250);
        snapshot(&plot, QStringLiteral("curves_empty"));
        QVector<double> x, del, ins;
        for (int i = 0; i <= 20; ++i) {
            x << i / 20.0;
            del << std::exp(-6.0 * i / 20.0);
            ins << 1.0 - std::exp(-5.0 * i / 20.0);
        }
        plot.addCurve(QStringLiteral("deletion"), x, del, 0.164);
        plot.addCurve(QStringLiteral("insertion"), x, ins, 0.8);
        QCOMPARE(plot.curveCount(), 2);
        QCOMPARE(plot.curve(0)->data()->size(), 21);
        QCOMPARE(plot.curve(1)->data()->at(20)->value, ins[20]);
        QCOMPARE(plot.curve(0)->name(), QStringLiteral("deletion (AUC 0.16)"));
        QCOMPARE(plot.customPlot()->legend->itemCount(), 2);
        auto* item = qobject_cast<QCPPlottableLegendItem*>(plot.customPlot()->legend->item(1));
        QVERIFY(item);
        QCOMPARE(item->plottable()->name(), QStringLiteral("insertion (AUC 0.80)"));
        QCOMPARE(plot.customPlot()->xAxis->label(), QStringLiteral("fraction of cells"));
        snapshot(&plot, QStringLiteral("curves"));
        plot.clear();
        QVERIFY(plot.isEmpty());
        QCOMPARE(plot.customPlot()->graphCount(), 0);
    }

    void exports() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        LayerSharesPlot shares;
        shares.setShares({0.5, 0.6}, {0.3, 0.2}, {0.1, 0.1}, {0.1, 0.1});
        HeadLayerHeatmap heatmap;
        heatmap.setMatrix(sampleMatrix(4, 4));
        TextRelevanceBars bars;
        bars.setScores({QStringLiteral("a"), QStringLiteral("b")}, {0.1, 0.2});
        CurvePlot curves;
        const QList<PlotWidget*> plots = {&shares, &heatmap, &bars, &curves};
        for (int i = 0; i < plots.size(); ++i) {
            const QString png = dir.filePath(QStringLiteral("p%1.png").arg(i));
            const QString pdf = dir.filePath(QStringLiteral("p%1.pdf").arg(i));
            QVERIFY(plots[i]->exportPng(png, 640, 400));
            if (i == 1) {
                QFile::remove(kShotDir + QStringLiteral("/export_heatmap.png"));
                QVERIFY(QFile::copy(png, kShotDir + QStringLiteral("/export_heatmap.png")));
            }
            const QImage image(png);
            QVERIFY(!image.isNull());
            QCOMPARE(image.size(), QSize(640, 400));
            QVERIFY(plots[i]->exportPng(png));  // default size
            QVERIFY(!QImage(png).isNull());
            QVERIFY(plots[i]->exportPdf(pdf));
            QVERIFY(isPdf(pdf));
        }
    }

    void causalGraph() {
        CausalGraphView view;
        QVERIFY(view.isEmpty());
        QVERIFY(view.headerText().contains(QStringLiteral("click an answer token")));
        showAt(&view, 400, 300);
        snapshot(&view, QStringLiteral("causal_empty"));
        const QVector<CausalNode> nodes = {{0, QStringLiteral("red"), QStringLiteral("target"), false},
                                           {1, QStringLiteral("img 3,4"), QStringLiteral("image"), true},
                                           {2, QStringLiteral("img 3,5"), QStringLiteral("image"), true},
                                           {3, QStringLiteral("colour"), QStringLiteral("text"), true},
                                           {4, QStringLiteral("img 0,0"), QStringLiteral("image"), false},
                                           {5, QStringLiteral("What"), QStringLiteral("text"), false},
                                           {6, QStringLiteral("img 7,1"), QStringLiteral("image"), false},
                                           {7, QStringLiteral("circle"), QStringLiteral("text"), false}};
        const auto e = [](int a, int b, const char* ma, const char* mb) {
            return CausalEdge{a, b, QString::fromLatin1(ma), QString::fromLatin1(mb)};
        };
        const QVector<CausalEdge> edges = {e(1, 0, "tail", "arrow"),   e(2, 0, "circle", "arrow"),
                                           e(3, 0, "circle", "arrow"), e(4, 1, "circle", "circle"),
                                           e(5, 3, "tail", "arrow"),   e(6, 2, "arrow", "arrow"),
                                           e(7, 0, "circle", "arrow"), e(9, 0, "tail", "arrow")};
        view.setGraph(nodes, edges, true, 0.4213, QStringLiteral("3 tokens: img 3,4, img 3,5, colour"));
        QVERIFY(!view.isEmpty());
        QCOMPARE(view.nodeItemCount(), 8);
        QCOMPARE(view.edgeItemCount(), 7);  // the edge to unknown node 9 is dropped
        QCOMPARE(countItems(view.scene(), CausalNodeItem::Type), 8);
        QCOMPARE(countItems(view.scene(), CausalEdgeItem::Type), 7);
        QVERIFY(
            view.headerText().contains(QStringLiteral("validated: masking these tokens changes the answer")));
        QVERIFY(view.headerText().contains(QStringLiteral("0.421")));
        QCOMPARE(view.nodeScenePos(0), QPointF(0, 0));
        const double inner = QLineF(QPointF(), view.nodeScenePos(1)).length();
        const double outer = QLineF(QPointF(), view.nodeScenePos(4)).length();
        QVERIFY(inner > 40.0 && outer > inner + 40.0);
        const QPointF before = view.nodeScenePos(6);
        snapshot(&view, QStringLiteral("causal"));

        QSignalSpy spy(&view, &CausalGraphView::nodeClicked);
        QTest::mouseClick(view.viewport(), Qt::LeftButton, Qt::NoModifier,
                          view.mapFromScene(view.nodeScenePos(3)));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), 3);

        QTemporaryDir dir;
        QVERIFY(view.exportPng(dir.filePath(QStringLiteral("g.png"))));
        QVERIFY(!QImage(dir.filePath(QStringLiteral("g.png"))).isNull());
        QVERIFY(view.exportPng(dir.filePath(QStringLiteral("g2.png")), 500, 300));
        QCOMPARE(QImage(dir.filePath(QStringLiteral("g2.png"))).size(), QSize(500, 300));
        QVERIFY(view.exportPdf(dir.filePath(QStringLiteral("g.pdf"))));
        QFile::remove(kShotDir + QStringLiteral("/export_causal.png"));
        QVERIFY(QFile::copy(dir.filePath(QStringLiteral("g.png")),
                            kShotDir + QStringLiteral("/export_causal.png")));
        QVERIFY(isPdf(dir.filePath(QStringLiteral("g.pdf"))));

        view.setGraph(nodes, edges, false, 0.02, QString());  // deterministic layout
        QCOMPARE(view.nodeScenePos(6), before);
        QVERIFY(
            view.headerText().contains(QStringLiteral("not validated: no candidate set changed the answer")));
        snapshot(&view, QStringLiteral("causal_not_validated"));
        QVector<CausalNode> many = {{100, QStringLiteral("dog"), QStringLiteral("target"), false}};
        QVector<CausalEdge> manyEdges;
        for (int i = 0; i < 22; ++i) {
            const bool image = i % 3 != 0;
            many.push_back(
                {i,
                 image ? QStringLiteral("img %1,%2").arg(i / 5).arg(i % 5) : QStringLiteral("tok\n%1").arg(i),
                 image ? QStringLiteral("image") : QStringLiteral("text"), i < 4});
            manyEdges.push_back(e(i, i < 4 ? 100 : i % 4, "circle", "arrow"));
        }
        view.setGraph(many, manyEdges, true, 0.61, QStringLiteral("4 tokens"));
        QCOMPARE(view.nodeItemCount(), 23);
        snapshot(&view, QStringLiteral("causal_large"));
        view.clear();
        QVERIFY(view.isEmpty());
        QCOMPARE(countItems(view.scene(), CausalNodeItem::Type), 0);
    }

    // A method panel draws a plot for each typed view an explanation carries, whatever the method: a
    // plugin's explanation with layer shares and a graph gets both plots, one without views gets none.
    void methodPanelChoosesPlotsByTheViewsPresent() {
        sightline::Trace trace;
        for (int i = 0; i < 4; ++i) {
            sightline::TraceToken t;
            t.text = "t" + std::to_string(i);
            t.role = i < 3 ? sightline::TokenRole::Prompt : sightline::TokenRole::Answer;
            trace.tokens.push_back(t);
        }
        trace.answer_begin = 3;
        ExplainerInfo info{"my_plugin", "My plugin", "A plugin method", {}};
        MethodPanel panel(info);
        sightline::Explanation plain;
        plain.method = "my_plugin";
        plain.target_position = 3;
        plain.text_positions = {0, 1, 2};
        plain.text_scores = {0.1f, 0.5f, 0.2f};
        panel.showExplanation(plain, trace);
        QVERIFY(!panel.layerShares() && !panel.headHeatmap() && !panel.causalGraph());

        sightline::Explanation rich = plain;
        rich.layer_shares = sightline::LayerShares{{0.5, 0.25}, {0.25, 0.25}, {0.125, 0.25}, {0.125, 0.25}};
        rich.head_layer = sightline::HeadLayerGrid{{{0.1, 0.9}, {0.4, 0.6}}};
        rich.graph = sightline::CausalGraphView{
            {{0, "t3", "target", 3, false}, {1, "t1", "text", 1, true}, {2, "t2", "text", 2, false}},
            {{1, 0, "tail", "arrow"}, {2, 0, "circle", "arrow"}}};
        rich.masking = sightline::MaskingCheck{true, {1}, 0.9, 0.2, "x", "found"};
        panel.showExplanation(rich, trace);
        QVERIFY(panel.layerShares() && panel.headHeatmap() && panel.causalGraph());
        QCOMPARE(panel.layerShares()->layerCount(), 2);
        QCOMPARE(panel.headHeatmap()->headCount(), 2);
        QCOMPARE(panel.causalGraph()->nodeItemCount(), 3);
        QCOMPARE(panel.causalGraph()->edgeItemCount(), 2);
        QVERIFY2(panel.statusLabel()->text().contains("validated"), qPrintable(panel.statusLabel()->text()));
        QSignalSpy cell(&panel, &MethodPanel::headLayerClicked);
        Q_EMIT panel.headHeatmap()->cellClicked(1, 0);
        QCOMPARE(cell.count(), 1);
        showAt(&panel, 420, 1400);
        snapshot(&panel, QStringLiteral("method_panel_views"));
        panel.clearResults();
        QCOMPARE(panel.layerShares()->layerCount(), 0);
    }
};

QTEST_MAIN(TestUiPlots)
#include "test_ui_plots.moc"
