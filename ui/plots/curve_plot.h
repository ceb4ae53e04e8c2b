#pragma once
// CurvePlot: deletion / insertion curves (x = fraction of image cells removed or inserted, y = the
// normalised score of the target token); the legend shows each curve's area under the curve.
#include <QVector>

#include "ui/plots/plot_widget.h"

class QCPGraph;

namespace sightline::ui {

class CurvePlot : public PlotWidget {
    Q_OBJECT
  public:
    explicit CurvePlot(QWidget* parent = nullptr);

    // Adds one curve (x and y paired by index); returns its graph. Legend text: "name (AUC 0.42)".
    QCPGraph* addCurve(const QString& name, const QVector<double>& x, const QVector<double>& y, double auc);
    // The same plot for curves over layers (the logit lens, causal tracing): axis names, x fitted to the
    // data instead of [0, 1]; addLine() then adds a line with markers and its name alone in the legend.
    void setAxes(const QString& title, const QString& xLabel, const QString& yLabel);
    QCPGraph* addLine(const QString& name, const QVector<double>& x, const QVector<double>& y);
    int curveCount() const { return static_cast<int>(curves_.size()); }
    QCPGraph* curve(int index) const;
    static QString legendText(const QString& name, double auc);

  public Q_SLOTS:
    void clear();

  private:
    void rescale();
    QVector<QCPGraph*> curves_;
    bool fit_x_ = false;
};

}  // namespace sightline::ui
