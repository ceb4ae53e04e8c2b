#pragma once
// LayerSharesPlot: for the selected answer token, the share of its attention that goes to image,
// prompt, system and answer tokens at each LM layer, as stacked bars (x = layer, 0-based).
#include <QVector>

#include "ui/plots/plot_widget.h"

class QCPBars;

namespace sightline::ui {

class LayerSharesPlot : public PlotWidget {
    Q_OBJECT
  public:
    explicit LayerSharesPlot(QWidget* parent = nullptr);

    // One value per layer for each role; shorter vectors are padded with 0. Values are shares in [0, 1].
    void setShares(const QVector<double>& image, const QVector<double>& prompt, const QVector<double>& system,
                   const QVector<double>& answer);
    int layerCount() const { return layers_; }

    // The bars of one role: 0 image, 1 prompt, 2 system, 3 answer (bottom to top).
    QCPBars* bars(int role) const;

  public Q_SLOTS:
    void clear();

  private:
    QVector<QCPBars*> bars_;
    int layers_ = 0;
};

}  // namespace sightline::ui
