#include "ui/window/prompt_bar.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace sightline::ui {

PromptBar::PromptBar(QWidget* parent) : QWidget(parent) {
    question_ = new QLineEdit;
    question_->setObjectName("question");
    question_->setPlaceholderText("Ask about the image, e.g. \"what color is the star?\"");
    question_->setClearButtonEnabled(true);
    generate_ = new QPushButton("Generate");
    generate_->setObjectName("generate");
    generate_->setDefault(true);
    cancel_ = new QPushButton("Cancel");
    cancel_->setObjectName("cancel");
    cancel_->setEnabled(false);
    max_tokens_ = new QSpinBox;
    max_tokens_->setObjectName("maxNewTokens");
    max_tokens_->setRange(1, 4096);
    max_tokens_->setValue(48);
    temperature_ = new QDoubleSpinBox;
    temperature_->setObjectName("temperature");
    temperature_->setRange(0, 5);
    temperature_->setSingleStep(0.1);
    temperature_->setToolTip("0 = greedy (deterministic)");
    top_p_ = new QDoubleSpinBox;
    top_p_->setObjectName("topP");
    top_p_->setRange(0.01, 1.0);
    top_p_->setSingleStep(0.05);
    top_p_->setValue(1.0);
    seed_ = new QSpinBox;
    seed_->setObjectName("seed");
    seed_->setRange(0, 1 << 30);
    progress_ = new QProgressBar;
    progress_->setObjectName("generationProgress");
    progress_->setMinimumWidth(280);
    progress_->setMaximumWidth(320);  // room for "prefill: 12 of 32, about 8 s left"
    progress_->setTextVisible(true);
    progress_->setFormat("%v / %m tokens");
    progress_->setValue(0);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel("Question"));
    top->addWidget(question_, 1);
    top->addWidget(generate_);
    top->addWidget(cancel_);
    auto* settings = new QHBoxLayout;
    auto add = [&](const char* label, QWidget* w) {
        settings->addWidget(new QLabel(label));
        settings->addWidget(w);
    };
    add("max tokens", max_tokens_);
    add("temperature", temperature_);
    add("top-p", top_p_);
    add("seed", seed_);
    settings->addStretch(1);
    settings->addWidget(progress_);
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    v->addLayout(top);
    v->addLayout(settings);

    connect(generate_, &QPushButton::clicked, this, &PromptBar::generateRequested);
    connect(question_, &QLineEdit::returnPressed, this, &PromptBar::generateRequested);
    connect(cancel_, &QPushButton::clicked, this, &PromptBar::cancelRequested);
}

QString PromptBar::question() const {
    return question_->text().trimmed();
}
void PromptBar::setQuestion(const QString& q) {
    question_->setText(q);
}

GenerationSettings PromptBar::settings() const {
    GenerationSettings s;
    s.max_new_tokens = max_tokens_->value();
    s.temperature = temperature_->value();
    s.top_p = top_p_->value();
    s.seed = static_cast<std::uint64_t>(seed_->value());
    return s;
}

void PromptBar::setSettings(const GenerationSettings& s) {
    max_tokens_->setValue(s.max_new_tokens);
    temperature_->setValue(s.temperature);
    top_p_->setValue(s.top_p);
    seed_->setValue(static_cast<int>(s.seed));
}

void PromptBar::setBusy(bool busy) {
    generate_->setEnabled(!busy);
    cancel_->setEnabled(busy);
    if (busy) progress_->setValue(0);
}

void PromptBar::setProgress(int done, int total, const QString& text) {
    progress_->setMaximum(std::max(1, total));
    progress_->setValue(done);
    progress_->setFormat(text.isEmpty() ? QString("%v of %m") : text);
    progress_->setToolTip(text);
}

}  // namespace sightline::ui
