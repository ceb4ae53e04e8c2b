#pragma once
// Every method's map for the current token side by side, with the cross-method consistency score and
// the "defer to a human expert" flag of the calibrated rule (core/eval/defer_eval.h: a signal of the
// consistency and the token's probability over a threshold measured on held-out questions).
#include <QMap>
#include <QWidget>
#include <limits>

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
    // The model's probability of the explained token and the lowest probability among the answer's
    // tokens (inputs of the deferral rule); NaN: unknown.
    void setProbabilities(double token_prob, double answer_min_prob);
    double consistency() const { return score_; }
    bool deferToHuman() const { return defer_; }
    double threshold() const;  // the rule's threshold (the spin box; the calibrated value by default)
    void setThreshold(double t);
    double deferSignal() const { return signal_; }  // the rule's signal for the current maps
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
    double token_prob_ = std::numeric_limits<double>::quiet_NaN();
    double answer_min_prob_ = std::numeric_limits<double>::quiet_NaN();
    double signal_ = 0.0;
    bool defer_ = false;
};

}  // namespace sightline::ui
