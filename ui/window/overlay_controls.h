#pragma once
// Heatmap display controls under the image: colormap, opacity, threshold, patch grid, smoothing, and for
// images the model saw as several views (tiles, crops, a base or global view) which view the map shows.
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
    QComboBox* viewBox() const { return view_; }
    // The views of the current image ("base view", "tiles 2x2", ...); the view chooser is shown only for
    // two or more and goes back to "all views". An empty list hides it.
    void setViews(const QStringList& names);
    // -1: all views composed; otherwise the index of the view drawn alone.
    int view() const;

  Q_SIGNALS:
    void viewChanged(int view);

  private:
    void apply();
    ImageCanvas* canvas_;
    QComboBox* colormap_;
    QSlider* opacity_;
    QSlider* threshold_;
    QCheckBox* grid_;
    QCheckBox* smooth_;
    QComboBox* view_;
    QWidget* viewLabel_;
};

}  // namespace sightline::ui
