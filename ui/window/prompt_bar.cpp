#include "ui/window/prompt_bar.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
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
    system_ = new QLineEdit;
    system_->setObjectName("systemPrompt");
    system_->setPlaceholderText("System prompt (optional), given to the model's chat template");
    system_->setClearButtonEnabled(true);
    turns_ = new QPlainTextEdit;
    turns_->setObjectName("earlierTurns");
    turns_->setPlaceholderText("Earlier turns (optional), one per line:\nuser: ...\nassistant: ...");
    turns_->setTabChangesFocus(true);
    turns_->setFixedHeight(turns_->fontMetrics().lineSpacing() * 3 + 12);
    template_warning_ = new QLabel;
    template_warning_->setObjectName("templateWarning");
    template_warning_->setWordWrap(true);
    template_warning_->setStyleSheet("QLabel { color: #8a4b00; background: #fff3cd; padding: 3px; }");
    template_warning_->hide();
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
    auto* conversation = new QHBoxLayout;
    auto* system_label = new QLabel("System prompt");
    system_label->setBuddy(system_);
    conversation->addWidget(system_label);
    conversation->addWidget(system_, 1);
    conversation->addWidget(new QLabel("Earlier turns"));
    conversation->addWidget(turns_, 1);
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
    v->addLayout(conversation);
    v->addWidget(template_warning_);
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

QString PromptBar::systemPrompt() const {
    return system_->text().trimmed();
}
void PromptBar::setSystemPrompt(const QString& s) {
    system_->setText(s);
}

std::vector<ChatTurn> PromptBar::turns() const {
    std::vector<ChatTurn> out;
    for (const QString& raw : turns_->toPlainText().split('\n')) {
        const QString line = raw.trimmed();
        if (line.isEmpty()) continue;
        const int colon = line.indexOf(':');
        const QString role = colon > 0 ? line.left(colon).trimmed().toLower() : QString();
        if (role == "user" || role == "assistant") {
            out.push_back({role.toStdString(), line.mid(colon + 1).trimmed().toStdString()});
        } else if (!out.empty()) {
            out.back().text += "\n" + line.toStdString();
        } else {
            out.push_back({"user", line.toStdString()});
        }
    }
    return out;
}

void PromptBar::setTurns(const std::vector<ChatTurn>& turns) {
    QStringList lines;
    for (const auto& t : turns)
        lines << QString::fromStdString(t.role) + ": " + QString::fromStdString(t.text).replace('\n', ' ');
    turns_->setPlainText(lines.join('\n'));
}

void PromptBar::setTemplateWarning(const QString& warning) {
    template_warning_->setText(
        warning.isEmpty() ? QString() : "Chat template not used — plain prompt format instead: " + warning);
    template_warning_->setToolTip(warning);
    template_warning_->setVisible(!warning.isEmpty());
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
