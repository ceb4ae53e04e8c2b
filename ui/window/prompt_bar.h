#pragma once
// The question box with generation settings (max new tokens, temperature, top-p, seed) and the
// Generate / Cancel buttons with a progress bar; a system prompt and earlier conversation turns for the
// model's chat template, and a warning line shown when the template fell back to the plain prompt.
#include <QWidget>

#include <vector>

#include "core/generate/trace.h"
#include "core/text/chat_template.h"

class QLabel;
class QLineEdit;
class QPlainTextEdit;
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
    QString systemPrompt() const;
    void setSystemPrompt(const QString& s);
    // Earlier turns, one per line of the turns box: "user: ..." or "assistant: ..." (a line without a
    // role continues the previous turn).
    std::vector<ChatTurn> turns() const;
    void setTurns(const std::vector<ChatTurn>& turns);
    // Shows (non-empty) or hides the chat-template fallback warning.
    void setTemplateWarning(const QString& warning);
    QLabel* templateWarningLabel() const { return template_warning_; }
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
    QLineEdit* system_;
    QPlainTextEdit* turns_;
    QLabel* template_warning_;
    QPushButton* generate_;
    QPushButton* cancel_;
    QSpinBox* max_tokens_;
    QDoubleSpinBox* temperature_;
    QDoubleSpinBox* top_p_;
    QSpinBox* seed_;
    QProgressBar* progress_;
};

}  // namespace sightline::ui
