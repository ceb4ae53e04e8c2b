#pragma once
// The question box with generation settings (max new tokens, temperature, top-p, seed) and the
// Generate / Cancel buttons with a progress bar.
#include <QWidget>

#include "core/generate/trace.h"

class QLineEdit;
class QPushButton;
class QSpinBox;
class QDoubleSpinBox;
class QProgressBar;

namespace sightline::ui {

class PromptBar : public QWidget {
    Q_OBJECT
  public:
    explicit PromptBar(QWidget* parent = nullptr);
    QString question() const;
    void setQuestion(const QString& q);
    GenerationSettings settings() const;
    void setSettings(const GenerationSettings& s);
    void setBusy(bool busy);  // generating: Generate disabled, Cancel enabled
    void setProgress(int done, int total, const QString& text = {});  // text: the stage, shown on the bar
    QLineEdit* questionEdit() const { return question_; }
    QPushButton* generateButton() const { return generate_; }
    QPushButton* cancelButton() const { return cancel_; }

  Q_SIGNALS:
    void generateRequested();
    void cancelRequested();

  private:
    QLineEdit* question_;
    QPushButton* generate_;
    QPushButton* cancel_;
    QSpinBox* max_tokens_;
    QDoubleSpinBox* temperature_;
    QDoubleSpinBox* top_p_;
    QSpinBox* seed_;
    QProgressBar* progress_;
};

}  // namespace sightline::ui
