#include "ui/window/overlay_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>

#include "core/explain/overlay.h"
#include "ui/widgets/image_canvas.h"

namespace sightline::ui {

OverlayControls::OverlayControls(ImageCanvas* canvas, QWidget* parent) : QWidget(parent), canvas_(canvas) {
    colormap_ = new QComboBox;
    colormap_->setObjectName("colormap");
    for (const auto& n : colormap_names()) colormap_->addItem(QString::fromStdString(n));
    opacity_ = new QSlider(Qt::Horizontal);
    opacity_->setObjectName("opacity");
    opacity_->setRange(0, 100);
    opacity_->setValue(70);
    threshold_ = new QSlider(Qt::Horizontal);
    threshold_->setObjectName("threshold");
    threshold_->setRange(0, 100);
    threshold_->setValue(0);
    grid_ = new QCheckBox("grid");
    grid_->setObjectName("showGrid");
    smooth_ = new QCheckBox("smooth");
    smooth_->setChecked(true);
    view_ = new QComboBox;
    view_->setObjectName("imageView");
    view_->setToolTip(
        "The model saw this image as several views: show the map composed over all of them, or one "
        "view alone (scaled to its own range)");
    viewLabel_ = new QLabel("view");
    auto* h = new QHBoxLayout(this);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(new QLabel("map"));
    h->addWidget(colormap_);
    h->addWidget(new QLabel("opacity"));
    h->addWidget(opacity_, 1);
    h->addWidget(new QLabel("threshold"));
    h->addWidget(threshold_, 1);
    h->addWidget(grid_);
    h->addWidget(smooth_);
    h->addWidget(viewLabel_);
    h->addWidget(view_);
    setViews({});
    connect(view_, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT viewChanged(view()); });
    for (auto* s : {opacity_, threshold_}) connect(s, &QSlider::valueChanged, this, &OverlayControls::apply);
    connect(colormap_, &QComboBox::currentTextChanged, this, &OverlayControls::apply);
    connect(grid_, &QCheckBox::toggled, this, &OverlayControls::apply);
    connect(smooth_, &QCheckBox::toggled, this, &OverlayControls::apply);
    apply();
}

QString OverlayControls::colormap() const {
    return colormap_->currentText();
}
double OverlayControls::opacity() const {
    return opacity_->value() / 100.0;
}
double OverlayControls::threshold() const {
    return threshold_->value() / 100.0;
}
bool OverlayControls::grid() const {
    return grid_->isChecked();
}
bool OverlayControls::smooth() const {
    return smooth_->isChecked();
}

void OverlayControls::setState(const QString& colormap, double opacity, double threshold, bool grid,
                               bool smooth) {
    colormap_->setCurrentText(colormap);
    opacity_->setValue(static_cast<int>(opacity * 100 + 0.5));
    threshold_->setValue(static_cast<int>(threshold * 100 + 0.5));
    grid_->setChecked(grid);
    smooth_->setChecked(smooth);
    apply();
}

void OverlayControls::setViews(const QStringList& names) {
    {
        const QSignalBlocker block(view_);
        view_->clear();
        if (names.size() >= 2) {
            view_->addItem("all views");
            view_->addItems(names);
        }
        view_->setCurrentIndex(0);
    }
    view_->setVisible(names.size() >= 2);
    viewLabel_->setVisible(names.size() >= 2);
}

int OverlayControls::view() const {
    return view_->count() == 0 ? -1 : view_->currentIndex() - 1;
}

void OverlayControls::apply() {
    canvas_->setColormap(colormap());
    canvas_->setOpacity(opacity());
    canvas_->setThreshold(threshold());
    canvas_->setShowGrid(grid());
    canvas_->setSmooth(smooth());
}

}  // namespace sightline::ui
