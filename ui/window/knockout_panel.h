#pragma once
// The Knockout tab: brush image patches on the canvas (drag a rectangle) and/or name prompt positions,
// choose the intervention (block attention from the answer to them, or replace their embeddings by the
// image mean or a blurred image's), the layers and the window of the per-layer curve, and re-run. Shows
// the new answer beside the old, the clicked token's probability before and after, and the curve.
#include <QVector>
#include <QWidget>
#include <optional>

#include "core/explain/knockout.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QPoint;

namespace sightline::ui {

class CurvePlot;

class KnockoutPanel : public QWidget {
    Q_OBJECT
  public:
    explicit KnockoutPanel(QWidget* parent = nullptr);

    // The trace's layer count and prompt length (bounds of the layer and position fields).
    void setModelShape(int layers, qint64 prompt_length);
    // Patches brushed on the canvas ((x = col, y = row) cells); replaces the previous selection.
    void setPatches(const QVector<QPoint>& cells);
    // Adds a prompt position to the positions field, or removes it when it is there (a click on a prompt
    // token while this tab is shown).
    void togglePosition(qint64 position);
    QVector<QPoint> patches() const { return patches_; }
    // The spec of the controls, positions still to be resolved from patches(); throws sightline::Error
    // for malformed layer or position lists.
    KnockoutSpec spec() const;
    void showResult(const KnockoutResult& r);
    void showBusy(bool busy);
    void showError(const QString& message);
    void clearResult();
    const std::optional<KnockoutResult>& result() const { return result_; }

    QComboBox* opBox() const { return op_; }
    QLineEdit* layersEdit() const { return layers_; }
    QLineEdit* positionsEdit() const { return positions_; }
    QSpinBox* windowBox() const { return window_; }
    QPushButton* runButton() const { return run_; }
    QLabel* resultLabel() const { return result_label_; }
    CurvePlot* curve() const { return curve_; }

  Q_SIGNALS:
    void runRequested();
    void clearPatchesRequested();

  private:
    QComboBox* op_ = nullptr;
    QLineEdit* layers_ = nullptr;
    QLineEdit* positions_ = nullptr;
    QSpinBox* window_ = nullptr;
    QPushButton* run_ = nullptr;
    QLabel* patches_label_ = nullptr;
    QLabel* result_label_ = nullptr;
    CurvePlot* curve_ = nullptr;
    QVector<QPoint> patches_;
    int layers_count_ = 1;
    qint64 prompt_length_ = 0;
    std::optional<KnockoutResult> result_;
};

}  // namespace sightline::ui
