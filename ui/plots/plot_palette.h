#pragma once
// The one colour palette every Sightline plot uses, so a token role looks the same everywhere.
#include <QColor>
#include <QString>

namespace sightline::ui::palette {

inline QColor image() {
    return QColor(0xe4, 0x57, 0x2e);
}
inline QColor prompt() {
    return QColor(0x4c, 0x9b, 0xe8);
}
inline QColor system() {
    return QColor(0x9e, 0x9e, 0x9e);
}
inline QColor answer() {
    return QColor(0x59, 0xa1, 0x4f);
}

// Emphasis for a selected bar / cell: a darker ink that reads on every colour above.
inline QColor highlight() {
    return QColor(0x1f, 0x2a, 0x44);
}
inline QColor axisText() {
    return QColor(0x33, 0x33, 0x33);
}
inline QColor muted() {
    return QColor(0x80, 0x80, 0x80);
}

// Colour for a token role name ("image", "prompt", "system", "answer", "target", "text").
inline QColor forRole(const QString& role) {
    if (role == QLatin1String("image")) return image();
    if (role == QLatin1String("system")) return system();
    if (role == QLatin1String("answer") || role == QLatin1String("target")) return answer();
    return prompt();
}

// The empty-state message every plot shows before a token is selected.
inline QString emptyMessage() {
    return QStringLiteral("click an answer token");
}

}  // namespace sightline::ui::palette
