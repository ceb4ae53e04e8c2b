#include "ui/window/compare_panel.h"

#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "core/eval/defer_eval.h"
#include "core/metrics/consistency.h"
#include "ui/widgets/image_canvas.h"

namespace sightline::ui {

constexpr int kTopK = metrics::kConsistencyTopK;

ComparePanel::ComparePanel(QWidget* parent) : QWidget(parent) {
    setObjectName("comparePanel");
    auto* v = new QVBoxLayout(this);
    auto* head = new QHBoxLayout;
    score_label_ = new QLabel("Consistency: —");
    score_label_->setObjectName("consistencyLabel");
    score_label_->setWordWrap(true);
    score_label_->setToolTip(
        QString("Mean over method pairs of ((Spearman rank correlation + 1) / 2 + top-%1 cell IoU) / 2")
            .arg(kTopK));
    const DeferRule rule = shipped_defer_rule();
    threshold_ = new QDoubleSpinBox;
    threshold_->setObjectName("deferThreshold");
    threshold_->setRange(0, 1);
    threshold_->setDecimals(3);
    threshold_->setSingleStep(0.05);
    threshold_->setValue(rule.threshold);
    threshold_->setToolTip(
        QString("Defer when %1 is above this value. The default was calibrated on held-out "
                "scene-world questions to flag few right answers (docs/EVALUATION.md).")
            .arg(QString::fromStdString(describe(rule.signal))));
    head->addWidget(score_label_, 1);
    head->addWidget(new QLabel("defer above"));
    head->addWidget(threshold_);
    v->addLayout(head);
    defer_label_ = new QLabel("Defer to a human expert.");
    defer_label_->setWordWrap(true);
    defer_label_->setObjectName("deferLabel");
    defer_label_->setStyleSheet(
        "background:#c0392b; color:white; padding:6px; font-weight:bold; border-radius:4px;");
    defer_label_->hide();
    v->addWidget(defer_label_);
    grid_ = new QGridLayout;
    v->addLayout(grid_, 1);
    connect(threshold_, &QDoubleSpinBox::valueChanged, this, &ComparePanel::recompute);
}

double ComparePanel::threshold() const {
    return threshold_->value();
}

void ComparePanel::setThreshold(double t) {
    threshold_->setValue(t);
}

void ComparePanel::setProbabilities(double token_prob, double answer_min_prob) {
    token_prob_ = token_prob;
    answer_min_prob_ = answer_min_prob;
    recompute();
}

void ComparePanel::setImage(const QImage& image) {
    image_ = image;
    for (auto* c : canvases_) c->setImage(image);
}

void ComparePanel::setMethods(const QStringList& methods, const QStringList& titles) {
    for (auto* c : canvases_) c->deleteLater();
    for (auto* l : captions_) l->deleteLater();
    canvases_.clear();
    captions_.clear();
    maps_.clear();
    for (int i = 0; i < methods.size(); ++i) {
        auto* cap = new QLabel(titles.value(i, methods[i]));
        cap->setAlignment(Qt::AlignCenter);
        auto* canvas = new ImageCanvas;
        canvas->setObjectName("compare_" + methods[i]);
        canvas->setMinimumSize(140, 140);
        canvas->setPlaceholderText("");
        if (!image_.isNull()) canvas->setImage(image_);
        const int row = (i / 2) * 2, col = i % 2;
        grid_->addWidget(cap, row, col);
        grid_->addWidget(canvas, row + 1, col);
        canvases_[methods[i]] = canvas;
        captions_[methods[i]] = cap;
    }
    recompute();
}

void ComparePanel::setExplanation(const Explanation& e) {
    const QString m = QString::fromStdString(e.method);
    auto* canvas = canvases_.value(m);
    if (!canvas || !e.has_image_map()) return;
    canvas->setMap(QVector<float>(e.image_map.begin(), e.image_map.end()), e.grid_h, e.grid_w);
    maps_[m] = e;
    recompute();
}

void ComparePanel::clearMaps() {
    maps_.clear();
    for (auto* c : canvases_) c->clearMap();
    recompute();
}

void ComparePanel::recompute() {
    std::vector<std::pair<std::string, metrics::GridMap>> maps;
    for (auto it = maps_.begin(); it != maps_.end(); ++it)
        maps.emplace_back(it.key().toStdString(), metrics::GridMap{it->grid_h, it->grid_w, it->image_map});
    if (maps.size() < 2) {
        score_ = 1.0;
        defer_ = false;
        signal_ = 0.0;
        score_label_->setText(maps.empty() ? "Consistency: —" : "Consistency: needs two or more maps");
        defer_label_->hide();
        return;
    }
    const metrics::Consistency c = metrics::consistency(maps, kTopK, 0.0);
    score_ = c.score;
    DeferRule rule = shipped_defer_rule();
    rule.threshold = threshold_->value();
    const bool prob_known = token_prob_ == token_prob_ && answer_min_prob_ == answer_min_prob_;
    // Without the probabilities (never in the window; only a bare panel), only a rule on the
    // consistency alone can decide.
    const bool decidable = prob_known || rule.signal == DeferSignal::Inconsistency;
    signal_ = defer_signal(rule.signal, c.score, prob_known ? token_prob_ : 1.0,
                           prob_known ? answer_min_prob_ : 1.0);
    defer_ = decidable && signal_ > rule.threshold;
    score_label_->setText(QString("Consistency across %1 methods: <b>%2</b>%3")
                              .arg(maps.size())
                              .arg(c.score, 0, 'f', 2)
                              .arg(prob_known ? QString("<br>Token probability <b>%1</b> · least sure answer "
                                                        "token <b>%2</b>")
                                                    .arg(token_prob_, 0, 'f', 2)
                                                    .arg(answer_min_prob_, 0, 'f', 2)
                                              : QString()));
    defer_label_->setText(QString("Defer to a human expert: %1 is %2, above the calibrated %3.")
                              .arg(QString::fromStdString(describe(rule.signal)))
                              .arg(signal_, 0, 'f', 2)
                              .arg(rule.threshold, 0, 'f', 2));
    defer_label_->setVisible(defer_);
}

QString ComparePanel::summary() const {
    if (maps_.size() < 2) return "Consistency: not enough maps";
    const DeferRule rule = shipped_defer_rule();
    return QString("Consistency %1 across %2 methods%3; deferral: %4 = %5 (defer above %6)%7")
        .arg(score_, 0, 'f', 2)
        .arg(maps_.size())
        .arg(token_prob_ == token_prob_ ? QString(", token probability %1, least sure answer token %2")
                                              .arg(token_prob_, 0, 'f', 2)
                                              .arg(answer_min_prob_, 0, 'f', 2)
                                        : QString())
        .arg(QString::fromStdString(describe(rule.signal)))
        .arg(signal_, 0, 'f', 2)
        .arg(threshold_->value(), 0, 'f', 2)
        .arg(defer_ ? " — defer to a human expert" : "");
}

}  // namespace sightline::ui
