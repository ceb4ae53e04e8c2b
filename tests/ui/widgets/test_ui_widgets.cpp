// Entry point of test_ui_widgets: the slots live in the test_*.cpp files of this folder.
#include "test_ui_widgets.h"

#include <QApplication>
#include <QFont>
#include <QTest>

void TestUiWidgets::initTestCase() {
    // A fixed font keeps chip sizes (and screenshots) the same from machine to machine.
    QApplication::setFont(QFont(QStringLiteral("DejaVu Sans"), 10));
}

QTEST_MAIN(TestUiWidgets)
