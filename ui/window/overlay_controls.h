#pragma once
// Heatmap display controls under the image: colormap, opacity, threshold, patch grid, smoothing.
#include <QWidget>

class QComboBox;
class QSlider;
class QCheckBox;

namespace sightline::ui {

class ImageCanvas;

class OverlayControls : public QWidget {
    Q_OBJECT
  public:
    // Applies every change directly to `canvas`.
    explicit OverlayControls(ImageCanvas* canvas, QWidget* parent = nullptr);
    QString colormap() const;
    double opacity() const;
    double threshold() const;
    bool grid() const;
    bool smooth() const;
    void setState(const QString& colormap, double opacity, double threshold, bool grid, bool smooth);
    QComboBox* colormapBox() const { return colormap_; }
    QSlider* opacitySlider() const { return opacity_; }

  private:
    void apply();
    ImageCanvas* canvas_;
    QComboBox* colormap_;
    QSlider* opacity_;
    QSlider* threshold_;
    QCheckBox* grid_;
    QCheckBox* smooth_;
};

}  // namespace sightline::ui
