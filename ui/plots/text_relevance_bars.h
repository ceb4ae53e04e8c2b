#pragma once
// TextRelevanceBars: relevance of each input text token as a bar chart; tick labels are the token
// texts. One bar can be highlighted; clicking a bar emits barClicked(index).
#include <QStringList>
#include <QVector>

#include "ui/plots/plot_widget.h"

class QCPBars;
class QMouseEvent;

namespace sightline::ui {

class TextRelevanceBars : public PlotWidget {
    Q_OBJECT
  public:
    explicit TextRelevanceBars(QWidget* parent = nullptr);

    // tokens and scores are paired by index (the shorter length wins); highlight -1 = none.
    void setScores(const QStringList& tokens, const QVector<double>& scores, int highlight = -1);
    void setHighlight(int index);
    int highlight() const { return highlight_; }
    int barCount() const { return static_cast<int>(scores_.size()); }
    // Every bar's label; when bars are too narrow only every labelStride()-th one (and the highlighted
    // one) is shown as a tick, until the user zooms in (wheel / drag on the x axis).
    QStringList tickLabels() const { return labels_; }
    int labelStride() const;

    // Bar index under a pixel of customPlot(), or -1.
    int barAt(const QPointF& pixel) const;

    QCPBars* bars() const { return bars_; }
    QCPBars* highlightBars() const { return highlightBars_; }

    // A token as a tick label: control characters escaped (\n, \t, \x1b), blank shown as "␣", elided.
    static QString tickLabelFor(const QString& token, int maxChars = 14);

  public Q_SLOTS:
    void clear();

  Q_SIGNALS:
    void barClicked(int index);

  private:
    void onPress(QMouseEvent* event);
    void onRelease(QMouseEvent* event);
    void updateTicks();

    QCPBars* bars_ = nullptr;
    QCPBars* highlightBars_ = nullptr;
    QVector<double> scores_;
    QStringList labels_;
    int highlight_ = -1;
    QPointF pressPos_;
};

}  // namespace sightline::ui
