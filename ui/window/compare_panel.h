#pragma once
// Every method's map for the current token side by side, with the cross-method consistency score and,
// below a threshold, the flag "explanations disagree — defer to a human expert".
#include <QMap>
#include <QWidget>

#include "core/explain/explanation.h"

class QLabel;
class QGridLayout;
class QDoubleSpinBox;

namespace sightline::ui {

class ImageCanvas;

class ComparePanel : public QWidget {
    Q_OBJECT
  public:
    explicit ComparePanel(QWidget* parent = nullptr);
    void setImage(const QImage& image);
    void setMethods(const QStringList& methods, const QStringList& titles);
    void setExplanation(const Explanation& e);
    void clearMaps();
    double consistency() const { return score_; }
    bool deferToHuman() const { return defer_; }
    double threshold() const;
    int mapCount() const { return static_cast<int>(maps_.size()); }
    QString summary() const;  // one line for reports
    ImageCanvas* canvas(const QString& method) const { return canvases_.value(method); }

  private:
    void recompute();
    QGridLayout* grid_;
    QLabel* score_label_;
    QLabel* defer_label_;
    QDoubleSpinBox* threshold_;
    QMap<QString, ImageCanvas*> canvases_;
    QMap<QString, QLabel*> captions_;
    QMap<QString, Explanation> maps_;
    QImage image_;
    double score_ = 1.0;
    bool defer_ = false;
};

}  // namespace sightline::ui
