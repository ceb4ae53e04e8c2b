#pragma once
// TokenStrip: tokens (the answer, or the prompt) as rounded chips that wrap like text. Chips are tinted
// by a score in [0, 1] (visual relevance), the current token has a highlight ring. Interactive strips
// emit tokenClicked on click and on keyboard moves (Left/Right, Up/Down by line, Home/End, Enter/Space
// re-emits); read-only strips (setInteractive(false)) emit nothing but still show tool tips.
#include <QColor>
#include <QRectF>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include "ui/widgets/token_text.h"

namespace sightline::ui {

class TokenStrip : public QWidget {
    Q_OBJECT

  public:
    explicit TokenStrip(QWidget* parent = nullptr);

    // Replaces the tokens; clears scores, tool tips, the current and the hovered token.
    void setTokens(const QStringList& texts);
    QStringList tokens() const { return texts_; }
    int count() const { return static_cast<int>(texts_.size()); }
    // One score per token in [0, 1]; missing or NaN entries (or an empty vector) are drawn neutral.
    void setScores(const QVector<float>& scores);
    QVector<float> scores() const { return scores_; }
    void setCurrent(int index);  // -1 for none; out-of-range values become -1; emits nothing
    int current() const { return current_; }
    // Per-token tool tips; empty entries fall back to the default ("#3 " cat" · score 0.83").
    void setToolTips(const QStringList& toolTips);
    void setInteractive(bool interactive);
    bool isInteractive() const { return interactive_; }
    void setPlaceholderText(const QString& text);
    QString placeholderText() const { return placeholder_; }
    void setScoreColor(const QColor& color);  // the tint of a score of 1
    QColor scoreColor() const { return scoreColor_; }

    QRect tokenRect(int index) const;      // widget coordinates at the current width; null if out of range
    int tokenAt(const QPoint& pos) const;  // -1 if none
    QString toolTipFor(int index) const;

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  Q_SIGNALS:
    void tokenClicked(int index);
    void tokenHovered(int index);  // -1 when the mouse leaves the tokens

  protected:
    bool event(QEvent* event) override;
    void changeEvent(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

  private:
    struct Layout {
        int width = -1;
        QVector<QRectF> chips;
        int height = 0;
    };
    Layout computeLayout(int width) const;
    const Layout& layoutFor(int width) const;  // cached for one width (the widget's own)
    void invalidateLayout();
    void setHovered(int index);
    void activate(int index);  // keyboard or mouse: becomes current and emits tokenClicked
    int lineNeighbour(int index, int direction) const;  // nearest chip on the line above / below
    QColor chipColor(int index) const;

    QStringList texts_;
    QVector<TokenDisplay> display_;
    QVector<float> scores_;
    QStringList toolTips_;
    int current_ = -1;
    int hovered_ = -1;
    int pressed_ = -1;
    bool interactive_ = true;
    QString placeholder_;
    QColor scoreColor_{232, 89, 12};
    mutable Layout layout_;
};

}  // namespace sightline::ui
