#pragma once
// One tab per explainer: its description, parameter controls (built from ParamSpecs), a status line
// (time, cache, validation, budget, interference, ground truth) and its plots: text-token relevance bars
// for every method, and a plot for each typed view an explanation carries (per-layer attention shares,
// the heads x layers heatmap, the causal graph), made when a view first arrives — the panel never asks
// which method it shows; deletion/insertion curves on request.
#include <QWidget>

#include "ui/worker/worker_types.h"

class QLabel;
class QPushButton;
class QProgressBar;
class QVBoxLayout;

namespace sightline::ui {

class ParamForm;
class TextRelevanceBars;
class LayerSharesPlot;
class HeadLayerHeatmap;
class CausalGraphView;
class CurvePlot;

class MethodPanel : public QWidget {
    Q_OBJECT
  public:
    explicit MethodPanel(const ExplainerInfo& info, QWidget* parent = nullptr);
    QString method() const { return method_; }
    QString title() const { return title_; }
    ParamForm* form() const { return form_; }
    nlohmann::json params() const;  // the form's current values

    void showExplanation(const Explanation& e, const Trace& trace);
    void showBusy(bool busy);
    void showError(const QString& message);
    void showCurves(const FaithfulnessCurves& curves);
    void clearResults();
    void setProgress(int done, int total, const QString& text = {});  // text: the stage, in the status line

    // Plots (null until an explanation carried that view), for exports and tests.
    TextRelevanceBars* textBars() const { return text_bars_; }
    LayerSharesPlot* layerShares() const { return layer_shares_; }
    HeadLayerHeatmap* headHeatmap() const { return heatmap_; }
    CausalGraphView* causalGraph() const { return graph_; }
    CurvePlot* curves() const { return curves_; }
    CurvePlot* layerCurves() const { return layer_curves_; }
    // One heatmap per layers x positions table (causal tracing: one per kind of state), made on demand.
    QVector<HeadLayerHeatmap*> layerPositions() const { return layer_positions_; }
    QLabel* statusLabel() const { return status_; }

  Q_SIGNALS:
    void paramsChanged();
    void headLayerClicked(int layer, int head);
    void curvesRequested();

  private:
    LayerSharesPlot* ensure_layer_shares();
    HeadLayerHeatmap* ensure_heatmap();
    CausalGraphView* ensure_graph();
    CurvePlot* ensure_layer_curves();
    HeadLayerHeatmap* ensure_layer_positions(int index);

    QString method_, title_;
    ParamForm* form_ = nullptr;
    QLabel* status_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QPushButton* curves_button_ = nullptr;
    QVBoxLayout* plots_ = nullptr;
    TextRelevanceBars* text_bars_ = nullptr;
    LayerSharesPlot* layer_shares_ = nullptr;
    HeadLayerHeatmap* heatmap_ = nullptr;
    CausalGraphView* graph_ = nullptr;
    CurvePlot* curves_ = nullptr;
    CurvePlot* layer_curves_ = nullptr;
    QVector<HeadLayerHeatmap*> layer_positions_;
};

}  // namespace sightline::ui
