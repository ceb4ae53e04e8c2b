// TokenStrip: display rules, clicks, wrapping, keyboard, read-only mode, hover and tool tips.
#include <QSignalSpy>
#include <QTest>

#include "test_ui_widgets.h"
#include "ui/widgets/token_strip.h"
#include "ui/widgets/token_text.h"
#include "widget_test_helpers.h"

using sightline::ui::TokenStrip;
using namespace sightline::test;

namespace {

const QStringList kAnswer{QStringLiteral("The"),  QStringLiteral(" red"),   QStringLiteral(" ball"),
                          QStringLiteral(" is"),  QStringLiteral(" left"),  QStringLiteral(" of"),
                          QStringLiteral(" the"), QStringLiteral(" green"), QStringLiteral(" box"),
                          QStringLiteral(".")};

QStringList manyTokens(int n) {
    QStringList out;
    for (int i = 0; i < n; ++i) out << (i % 3 ? QStringLiteral(" word%1").arg(i) : QStringLiteral("ing"));
    return out;
}

// A shown strip of the given width, sized to its height for that width.
void showAt(TokenStrip& strip, int width) {
    strip.resize(width, strip.heightForWidth(width));
    strip.show();
}

}  // namespace

void TestUiWidgets::tokenDisplayRules_data() {
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("leading");
    QTest::addColumn<bool>("lineBreak");
    QTest::newRow("plain") << "cat"
                           << "cat" << false << false;
    QTest::newRow("space") << " cat"
                           << "cat" << true << false;
    QTest::newRow("sentencepiece") << QStringLiteral("▁the") << "the" << true << false;
    QTest::newRow("newline") << "\n" << QStringLiteral("⏎") << false << true;
    QTest::newRow("text_newline") << " end\n" << QStringLiteral("end⏎") << true << true;
    QTest::newRow("tab") << "a\tb"
                         << "a\\tb" << false << false;
    QTest::newRow("escape") << "\x1b[0m"
                            << "\\x1b[0m" << false << false;
    QTest::newRow("carriage") << "\r"
                              << "\\r" << false << false;
    QTest::newRow("spaces_only") << "  " << QStringLiteral("␣␣") << false << false;
    QTest::newRow("empty") << "" << QStringLiteral("∅") << false << false;
    QTest::newRow("special") << "</s>"
                             << "</s>" << false << false;
}

void TestUiWidgets::tokenDisplayRules() {
    QFETCH(QString, raw);
    QFETCH(QString, text);
    QFETCH(bool, leading);
    QFETCH(bool, lineBreak);
    const sightline::ui::TokenDisplay d = sightline::ui::tokenDisplay(raw);
    QCOMPARE(d.text, text);
    QCOMPARE(d.leadingSpace, leading);
    QCOMPARE(d.lineBreak, lineBreak);
}

void TestUiWidgets::clickTokenEmitsIndex() {
    TokenStrip strip;
    strip.setTokens(kAnswer);
    showAt(strip, 600);
    QSignalSpy spy(&strip, &TokenStrip::tokenClicked);
    for (int i = 0; i < kAnswer.size(); ++i) {
        const QRect r = strip.tokenRect(i);
        QVERIFY(!r.isEmpty());
        QVERIFY(strip.rect().contains(r));
        QTest::mouseClick(&strip, Qt::LeftButton, Qt::NoModifier, r.center());
        QCOMPARE(spy.count(), i + 1);
        QCOMPARE(spy.last().at(0).toInt(), i);
        QCOMPARE(strip.current(), i);
    }
    // Word gaps are wider than the gap inside a word, and a click in a gap or margin hits nothing.
    const int wordGap = strip.tokenRect(2).left() - strip.tokenRect(1).right();
    const int pieceGap = strip.tokenRect(9).left() - strip.tokenRect(8).right();
    QVERIFY2(wordGap > pieceGap, qPrintable(QStringLiteral("%1 vs %2").arg(wordGap).arg(pieceGap)));
    QTest::mouseClick(&strip, Qt::LeftButton, Qt::NoModifier,
                      QPoint(strip.tokenRect(1).right() + wordGap / 2 + 1, strip.tokenRect(1).center().y()));
    QTest::mouseClick(&strip, Qt::LeftButton, Qt::NoModifier, QPoint(1, 1));
    QTest::mouseClick(&strip, Qt::RightButton, Qt::NoModifier, strip.tokenRect(3).center());
    QCOMPARE(spy.count(), kAnswer.size());
    // Pressing on one token and releasing on another is not a click.
    QTest::mousePress(&strip, Qt::LeftButton, Qt::NoModifier, strip.tokenRect(2).center());
    QTest::mouseRelease(&strip, Qt::LeftButton, Qt::NoModifier, strip.tokenRect(5).center());
    QCOMPARE(spy.count(), kAnswer.size());
}

void TestUiWidgets::tokensWrap() {
    TokenStrip strip;
    strip.setTokens(manyTokens(40));
    QVERIFY(strip.hasHeightForWidth());
    QVERIFY(strip.sizePolicy().hasHeightForWidth());
    const int oneLine = strip.heightForWidth(100000);
    const int wide = strip.heightForWidth(800);
    const int narrow = strip.heightForWidth(160);
    QVERIFY2(oneLine < wide && wide < narrow,
             qPrintable(QStringLiteral("%1 %2 %3").arg(oneLine).arg(wide).arg(narrow)));
    showAt(strip, 160);
    QCOMPARE(strip.height(), narrow);
    QVERIFY(strip.tokenRect(39).top() > strip.tokenRect(0).bottom());
    for (int i = 0; i < 40; ++i) QVERIFY(strip.rect().contains(strip.tokenRect(i)));
    // Clicks still hit the right chip on later lines.
    QSignalSpy spy(&strip, &TokenStrip::tokenClicked);
    QTest::mouseClick(&strip, Qt::LeftButton, Qt::NoModifier, strip.tokenRect(33).center());
    QCOMPARE(spy.last().at(0).toInt(), 33);
    // A newline token ends its line; a token wider than the strip gets a line of its own, clipped.
    strip.setTokens({QStringLiteral("a"), QStringLiteral("\n"), QStringLiteral("b"),
                     QStringLiteral(" an_extremely_long_token_that_does_not_fit_anywhere")});
    showAt(strip, 160);
    QCOMPARE(strip.tokenRect(1).top(), strip.tokenRect(0).top());
    QVERIFY(strip.tokenRect(2).top() > strip.tokenRect(1).bottom());
    QVERIFY(strip.tokenRect(3).top() > strip.tokenRect(2).bottom());
    QVERIFY(strip.rect().contains(strip.tokenRect(3)));
}

void TestUiWidgets::keyboardNavigation() {
    TokenStrip strip;
    strip.setTokens(kAnswer);
    showAt(strip, 600);
    QSignalSpy spy(&strip, &TokenStrip::tokenClicked);
    auto press = [&](Qt::Key key) { QTest::keyClick(&strip, key); };
    press(Qt::Key_Right);
    QCOMPARE(spy.last().at(0).toInt(), 0);
    press(Qt::Key_Right);
    press(Qt::Key_Right);
    QCOMPARE(strip.current(), 2);
    QCOMPARE(spy.last().at(0).toInt(), 2);
    press(Qt::Key_Left);
    QCOMPARE(spy.last().at(0).toInt(), 1);
    press(Qt::Key_End);
    QCOMPARE(spy.last().at(0).toInt(), kAnswer.size() - 1);
    const int before = spy.count();
    press(Qt::Key_Right);  // already at the end: nothing
    QCOMPARE(spy.count(), before);
    press(Qt::Key_Home);
    QCOMPARE(strip.current(), 0);
    press(Qt::Key_Left);
    QCOMPARE(spy.count(), before + 1);
    press(Qt::Key_Return);  // re-emits the current token
    QCOMPARE(spy.count(), before + 2);
    QCOMPARE(spy.last().at(0).toInt(), 0);
    // Up/Down move between lines.
    strip.setTokens(manyTokens(30));
    showAt(strip, 200);
    strip.setCurrent(1);
    press(Qt::Key_Down);
    const int below = strip.current();
    QVERIFY(strip.tokenRect(below).top() > strip.tokenRect(1).bottom());
    press(Qt::Key_Up);
    QCOMPARE(strip.tokenRect(strip.current()).top(), strip.tokenRect(1).top());
}

void TestUiWidgets::nonInteractiveEmitsNothing() {
    TokenStrip strip;
    strip.setTokens(kAnswer);
    strip.setInteractive(false);
    QVERIFY(!strip.isInteractive());
    QCOMPARE(strip.focusPolicy(), Qt::NoFocus);
    showAt(strip, 600);
    QSignalSpy clicks(&strip, &TokenStrip::tokenClicked);
    QSignalSpy hovers(&strip, &TokenStrip::tokenHovered);
    QTest::mouseClick(&strip, Qt::LeftButton, Qt::NoModifier, strip.tokenRect(3).center());
    mouseMoveTo(&strip, strip.tokenRect(4).center());
    QTest::keyClick(&strip, Qt::Key_Right);
    QTest::keyClick(&strip, Qt::Key_End);
    QCOMPARE(clicks.count(), 0);
    QCOMPARE(hovers.count(), 0);
    QCOMPARE(strip.current(), -1);
    QVERIFY(!strip.toolTipFor(3).isEmpty());  // tool tips still work
    strip.setInteractive(true);
    QTest::mouseClick(&strip, Qt::LeftButton, Qt::NoModifier, strip.tokenRect(3).center());
    QCOMPARE(clicks.count(), 1);
}

void TestUiWidgets::hoverAndToolTips() {
    TokenStrip strip;
    strip.setTokens(kAnswer);
    strip.setScores({0.1f, 0.93f});
    showAt(strip, 600);
    QSignalSpy spy(&strip, &TokenStrip::tokenHovered);
    mouseMoveTo(&strip, strip.tokenRect(2).center());
    mouseMoveTo(&strip, strip.tokenRect(2).center() + QPoint(1, 0));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).toInt(), 2);
    mouseMoveTo(&strip, QPoint(strip.width() - 2, strip.height() - 2));
    QCOMPARE(spy.last().at(0).toInt(), -1);
    QVERIFY(strip.toolTipFor(1).contains(QStringLiteral("#1")));
    QVERIFY(strip.toolTipFor(1).contains(QStringLiteral("&quot; red&quot;")));
    QVERIFY(strip.toolTipFor(1).contains(QStringLiteral("score 0.93")));
    QVERIFY(!strip.toolTipFor(2).contains(QStringLiteral("score")));  // no score for it
    strip.setToolTips({QStringLiteral("first"), QString(), QStringLiteral("third")});
    QCOMPARE(strip.toolTipFor(0), QStringLiteral("first"));
    QVERIFY(strip.toolTipFor(1).contains(QStringLiteral("#1")));
    QCOMPARE(strip.toolTipFor(2), QStringLiteral("third"));
    QVERIFY(strip.toolTipFor(99).isEmpty());
    // New tokens reset scores, tool tips and the current token.
    strip.setCurrent(4);
    strip.setTokens({QStringLiteral("x")});
    QVERIFY(strip.scores().isEmpty());
    QCOMPARE(strip.current(), -1);
    QVERIFY(strip.toolTipFor(0).contains(QStringLiteral("#0")));
}

void TestUiWidgets::emptyStrip() {
    TokenStrip strip;
    strip.setPlaceholderText(QStringLiteral("The answer appears here"));
    QCOMPARE(strip.count(), 0);
    QVERIFY(strip.heightForWidth(300) > 10);
    QVERIFY(strip.tokenRect(0).isNull());
    QCOMPARE(strip.tokenAt(QPoint(5, 5)), -1);
    showAt(strip, 300);
    QSignalSpy spy(&strip, &TokenStrip::tokenClicked);
    QTest::keyClick(&strip, Qt::Key_Right);
    QTest::mouseClick(&strip, Qt::LeftButton, Qt::NoModifier, QPoint(10, 10));
    QCOMPARE(spy.count(), 0);
    strip.setCurrent(3);
    QCOMPARE(strip.current(), -1);
}
