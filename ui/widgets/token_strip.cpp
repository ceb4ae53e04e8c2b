#include "ui/widgets/token_strip.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace sightline::ui {
namespace {

constexpr double kMargin = 4.0;  // around the chips
constexpr double kPadX = 6.0;    // text to chip edge
constexpr double kPadY = 3.0;
constexpr double kTightGap = 2.0;  // between the pieces of one word
constexpr double kLineGap = 5.0;

QColor mix(const QColor& a, const QColor& b, double t) {
    const auto f = static_cast<float>(t);
    return QColor::fromRgbF(a.redF() + (b.redF() - a.redF()) * f, a.greenF() + (b.greenF() - a.greenF()) * f,
                            a.blueF() + (b.blueF() - a.blueF()) * f);
}

double luminance(const QColor& c) {
    return static_cast<double>(0.2126f * c.redF() + 0.7152f * c.greenF() + 0.0722f * c.blueF());
}

}  // namespace

TokenStrip::TokenStrip(QWidget* parent) : QWidget(parent) {
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
}

// ---- content ---------------------------------------------------------------------------------------

void TokenStrip::setTokens(const QStringList& texts) {
    texts_ = texts;
    display_.clear();
    display_.reserve(texts.size());
    for (const QString& t : texts) display_.append(tokenDisplay(t));
    scores_.clear();
    toolTips_.clear();
    current_ = hovered_ = pressed_ = -1;
    invalidateLayout();
}

void TokenStrip::setScores(const QVector<float>& scores) {
    scores_ = scores;
    update();
}

void TokenStrip::setCurrent(int index) {
    if (index < 0 || index >= count()) index = -1;
    if (index == current_) return;
    current_ = index;
    update();
}

void TokenStrip::setToolTips(const QStringList& toolTips) {
    toolTips_ = toolTips;
}

void TokenStrip::setInteractive(bool interactive) {
    interactive_ = interactive;
    setFocusPolicy(interactive ? Qt::StrongFocus : Qt::NoFocus);
    hovered_ = pressed_ = -1;
    unsetCursor();
    update();
}

void TokenStrip::setPlaceholderText(const QString& text) {
    placeholder_ = text;
    invalidateLayout();
}

void TokenStrip::setScoreColor(const QColor& color) {
    scoreColor_ = color;
    update();
}

QString TokenStrip::toolTipFor(int index) const {
    if (index < 0 || index >= count()) return {};
    if (index < toolTips_.size() && !toolTips_[index].isEmpty()) return toolTips_[index];
    QString tip = QStringLiteral("<p style='white-space:pre'>#%1  <tt>%2</tt>")
                      .arg(index)
                      .arg(tokenLiteral(texts_[index]).toHtmlEscaped());
    if (index < scores_.size() && !std::isnan(scores_[index]))
        tip += tr("<br>score %1").arg(static_cast<double>(scores_[index]), 0, 'f', 2);
    return tip + QStringLiteral("</p>");
}

// ---- layout ----------------------------------------------------------------------------------------

void TokenStrip::invalidateLayout() {
    layout_ = Layout{};
    updateGeometry();
    update();
}

const TokenStrip::Layout& TokenStrip::layoutFor(int width) const {
    if (layout_.width != width) layout_ = computeLayout(width);
    return layout_;
}

TokenStrip::Layout TokenStrip::computeLayout(int width) const {
    const QFontMetricsF fm(font());
    const double chipH = std::ceil(fm.height() + 2 * kPadY);
    const double wordGap = kTightGap + std::max(4.0, fm.horizontalAdvance(QLatin1Char(' ')) * 1.5);
    const double right = std::max(width - kMargin, kMargin + chipH);
    Layout out;
    out.width = width;
    out.chips.reserve(display_.size());
    double x = kMargin;
    double y = kMargin;
    bool lineStart = true;
    for (const TokenDisplay& d : display_) {
        const double w =
            std::min(std::max(chipH, std::ceil(fm.horizontalAdvance(d.text) + 2 * kPadX)), right - kMargin);
        double gap = lineStart ? 0.0 : (d.leadingSpace ? wordGap : kTightGap);
        if (!lineStart && x + gap + w > right) {
            x = kMargin;
            y += chipH + kLineGap;
            gap = 0.0;
        }
        out.chips.append(QRectF(x + gap, y, w, chipH));
        x += gap + w;
        lineStart = d.lineBreak;
        if (d.lineBreak) {
            x = kMargin;
            y += chipH + kLineGap;
        }
    }
    double bottom = out.chips.isEmpty() ? kMargin + chipH : out.chips.last().bottom();
    if (out.chips.isEmpty() && !placeholder_.isEmpty()) {  // the placeholder wraps too
        const QRectF avail(0, 0, std::max(1.0, width - 2 * (kMargin + kPadX)), 1e6);
        QFont italic = font();
        italic.setItalic(true);
        const QRectF text = QFontMetricsF(italic).boundingRect(avail, Qt::TextWordWrap, placeholder_);
        bottom = std::max(bottom, kMargin + kPadY + text.height());
    }
    out.height = static_cast<int>(std::ceil(bottom + kMargin));
    return out;
}

int TokenStrip::heightForWidth(int width) const {
    return width == layout_.width ? layout_.height : computeLayout(width).height;
}

QSize TokenStrip::sizeHint() const {
    return {400, heightForWidth(400)};
}

QSize TokenStrip::minimumSizeHint() const {
    const int line = static_cast<int>(std::ceil(QFontMetricsF(font()).height() + 2 * kPadY + 2 * kMargin));
    return {4 * line, line};
}

QRect TokenStrip::tokenRect(int index) const {
    const Layout& l = layoutFor(width());
    if (index < 0 || index >= l.chips.size()) return {};
    return l.chips[index].toAlignedRect();
}

int TokenStrip::tokenAt(const QPoint& pos) const {
    const Layout& l = layoutFor(width());
    for (int i = 0; i < l.chips.size(); ++i)
        if (l.chips[i].contains(QPointF(pos))) return i;
    return -1;
}

int TokenStrip::lineNeighbour(int index, int direction) const {
    const Layout& l = layoutFor(width());
    if (index < 0 || index >= l.chips.size()) return -1;
    const QRectF here = l.chips[index];
    double lineTop = direction < 0 ? -1e9 : 1e9;  // top of the adjacent line
    for (const QRectF& r : l.chips)
        if (direction < 0 ? (r.top() < here.top() && r.top() > lineTop)
                          : (r.top() > here.top() && r.top() < lineTop))
            lineTop = r.top();
    int best = -1;
    for (int i = 0; i < l.chips.size(); ++i) {
        if (l.chips[i].top() != lineTop) continue;
        if (best < 0 || std::abs(l.chips[i].center().x() - here.center().x()) <
                            std::abs(l.chips[best].center().x() - here.center().x()))
            best = i;
    }
    return best;
}

// ---- painting --------------------------------------------------------------------------------------

QColor TokenStrip::chipColor(int index) const {
    const QColor neutral =
        mix(palette().color(QPalette::Window), palette().color(QPalette::WindowText), 0.08);
    if (index >= scores_.size() || std::isnan(scores_[index])) return neutral;
    return mix(neutral, scoreColor_, std::clamp(static_cast<double>(scores_[index]), 0.0, 1.0));
}

void TokenStrip::paintEvent(QPaintEvent* /*event*/) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, true);
    const QPalette& pal = palette();
    if (texts_.isEmpty()) {
        QFont f = font();
        f.setItalic(true);
        p.setFont(f);
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(QRectF(rect()).adjusted(kMargin + kPadX, 0, -(kMargin + kPadX), 0),
                   Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, placeholder_);
        return;
    }
    if (!isEnabled()) p.setOpacity(0.5);
    const Layout& l = layoutFor(width());
    const QColor border = mix(pal.color(QPalette::Window), pal.color(QPalette::WindowText), 0.22);
    const QFontMetricsF fm(font());
    for (int i = 0; i < l.chips.size(); ++i) {
        const QRectF chip = l.chips[i].adjusted(0.5, 0.5, -0.5, -0.5);
        const double radius = chip.height() * 0.3;
        const QColor fill = chipColor(i);
        const bool hovered = interactive_ && i == hovered_;
        p.setPen(QPen(hovered ? pal.color(QPalette::Highlight) : border, 1.0));
        p.setBrush(fill);
        p.drawRoundedRect(chip, radius, radius);
        p.setPen(luminance(fill) < 0.5 ? QColor(Qt::white) : QColor(20, 20, 20));
        const QRectF textRect = chip.adjusted(kPadX - 0.5, 0, -kPadX + 0.5, 0);
        p.drawText(textRect, Qt::AlignCenter,
                   fm.elidedText(display_[i].text, Qt::ElideRight, textRect.width()));
    }
    if (current_ >= 0 && current_ < l.chips.size()) {
        const QRectF ring = l.chips[current_].adjusted(-1.5, -1.5, 1.5, 1.5);
        const double radius = ring.height() * 0.3;
        p.setBrush(Qt::NoBrush);
        p.setPen(QPen(pal.color(QPalette::Highlight), hasFocus() ? 2.5 : 2.0));
        p.drawRoundedRect(ring, radius, radius);
    }
}

void TokenStrip::changeEvent(QEvent* event) {
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) invalidateLayout();
    QWidget::changeEvent(event);
}

// ---- input -----------------------------------------------------------------------------------------

bool TokenStrip::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        const int i = tokenAt(help->pos());
        if (i >= 0)
            QToolTip::showText(help->globalPos(), toolTipFor(i), this, tokenRect(i));
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void TokenStrip::setHovered(int index) {
    if (index == hovered_) return;
    hovered_ = index;
    update();
    Q_EMIT tokenHovered(index);
}

void TokenStrip::activate(int index) {
    if (index < 0 || index >= count()) return;
    setCurrent(index);
    Q_EMIT tokenClicked(index);
}

void TokenStrip::mousePressEvent(QMouseEvent* event) {
    pressed_ = interactive_ && event->button() == Qt::LeftButton ? tokenAt(event->position().toPoint()) : -1;
    QWidget::mousePressEvent(event);
}

void TokenStrip::mouseReleaseEvent(QMouseEvent* event) {
    const int i = tokenAt(event->position().toPoint());
    if (interactive_ && event->button() == Qt::LeftButton && i >= 0 && i == pressed_) activate(i);
    pressed_ = -1;
    QWidget::mouseReleaseEvent(event);
}

void TokenStrip::mouseMoveEvent(QMouseEvent* event) {
    if (!interactive_) return;
    const int i = tokenAt(event->position().toPoint());
    setHovered(i);
    if (i >= 0)
        setCursor(Qt::PointingHandCursor);
    else
        unsetCursor();
}

void TokenStrip::leaveEvent(QEvent* event) {
    if (interactive_) setHovered(-1);
    QWidget::leaveEvent(event);
}

void TokenStrip::keyPressEvent(QKeyEvent* event) {
    if (!interactive_ || texts_.isEmpty()) {
        QWidget::keyPressEvent(event);
        return;
    }
    const int last = count() - 1;
    int target = -2;
    switch (event->key()) {
        case Qt::Key_Left:
            target = current_ < 0 ? last : std::max(0, current_ - 1);
            break;
        case Qt::Key_Right:
            target = current_ < 0 ? 0 : std::min(last, current_ + 1);
            break;
        case Qt::Key_Home:
            target = 0;
            break;
        case Qt::Key_End:
            target = last;
            break;
        case Qt::Key_Up:
            target = current_ < 0 ? 0 : lineNeighbour(current_, -1);
            break;
        case Qt::Key_Down:
            target = current_ < 0 ? 0 : lineNeighbour(current_, +1);
            break;
        case Qt::Key_Return:
        case Qt::Key_Enter:
        case Qt::Key_Space:
            activate(current_);
            return;
        default:
            QWidget::keyPressEvent(event);
            return;
    }
    if (target >= 0 && target != current_) activate(target);
}

}  // namespace sightline::ui
