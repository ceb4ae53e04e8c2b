#pragma once
// Helpers shared by the metrics and TAM arithmetic tests.
#include <QtTest>

#include <cmath>
#include <cstddef>
#include <vector>

// QVERIFY that |actual - expected| <= tol, printing both values on failure.
#define SL_EXPECT_NEAR(actual, expected, tol)                                                      \
    do {                                                                                           \
        const double sl_a = static_cast<double>(actual), sl_e = static_cast<double>(expected);     \
        QVERIFY2(std::abs(sl_a - sl_e) <= (tol), qPrintable(QStringLiteral("%1 = %2, expected %3") \
                                                                .arg(QStringLiteral(#actual))      \
                                                                .arg(sl_a, 0, 'g', 17)             \
                                                                .arg(sl_e, 0, 'g', 17)));          \
    } while (false)

namespace sightline::test {

// True when both sequences have the same length and agree element-wise within tol; otherwise fills why.
template <typename T>
bool all_near(const std::vector<T>& actual, const std::vector<double>& expected, double tol, QString* why) {
    if (actual.size() != expected.size()) {
        *why = QStringLiteral("size %1, expected %2").arg(actual.size()).arg(expected.size());
        return false;
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const double a = static_cast<double>(actual[i]);
        if (!(std::abs(a - expected[i]) <= tol)) {
            *why = QStringLiteral("element %1 = %2, expected %3")
                       .arg(i)
                       .arg(a, 0, 'g', 17)
                       .arg(expected[i], 0, 'g', 17);
            return false;
        }
    }
    return true;
}

}  // namespace sightline::test

// QVERIFY that a sequence agrees element-wise within tol with the expected values listed after tol:
// SL_EXPECT_ALL_NEAR(out, 1e-6, 0.0, 0.5, 1.0).
#define SL_EXPECT_ALL_NEAR(actual, tol, ...)                                                            \
    do {                                                                                                \
        QString sl_why;                                                                                 \
        QVERIFY2(sightline::test::all_near((actual), std::vector<double>{__VA_ARGS__}, (tol), &sl_why), \
                 qPrintable(sl_why));                                                                   \
    } while (false)
