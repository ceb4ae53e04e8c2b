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
    int curveCount() const { return static_cast<int>(curves_.size()); }
    QCPGraph* curve(int index) const;
    static QString legendText(const QString& name, double auc);

  public Q_SLOTS:
    void clear();

  private:
    void rescale();
    QVector<QCPGraph*> curves_;
};

}  // namespace sightline::ui
