#pragma once
// PlotWidget: the shared frame of every QCustomPlot-based Sightline plot: a title, styled axes, an
// empty-state message, a legend strip below the axes, and PNG/PDF export.
#include <QString>
#include <QWidget>

class QCustomPlot;
class QCPItemText;
class QCPTextElement;
class QCPLegend;

namespace sightline::ui {

class PlotWidget : public QWidget {
    Q_OBJECT
  public:
    explicit PlotWidget(const QString& title, QWidget* parent = nullptr);
    ~PlotWidget() override;

    // The underlying plot (for tests, linked views and custom decorations).
    QCustomPlot* customPlot() const { return plot_; }

    QString title() const;
    void setTitle(const QString& title);

    // True while the plot shows its empty-state message instead of data.
    bool isEmpty() const { return empty_; }
    QString emptyStateText() const;

    // Export at w x h pixels (0: the on-screen size, or the size hint when not shown yet). Written
    // whole or not at all; on failure returns false and sets *error (file and reason).
    bool exportPng(const QString& path, int w = 0, int h = 0, QString* error = nullptr);
    bool exportPdf(const QString& path, QString* error = nullptr);

    QSize sizeHint() const override { return {480, 300}; }
    QSize minimumSizeHint() const override { return {320, 200}; }

  protected:
    // Shows `message` centred on the axes (data plottables should be hidden/cleared by the caller).
    void showEmptyState(const QString& message);
    void hideEmptyState();
    // Moves the legend into a strip below the axis rect, entries laid out in a row.
    void placeLegendBelow(int columns);
    // Call after adding plottables to a legend placed below: keeps descenders ("g", "p") unclipped.
    void polishLegendItems();
    QSize exportSize(int w, int h) const;

  private:
    QCustomPlot* plot_ = nullptr;
    QCPTextElement* title_ = nullptr;
    QCPItemText* emptyText_ = nullptr;
    bool empty_ = true;
};

}  // namespace sightline::ui
