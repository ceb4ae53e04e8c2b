#include "ui/widgets/token_text.h"

#include <algorithm>

namespace sightline::ui {
namespace {

const QChar kSentencePieceSpace(0x2581);  // ▁
const QChar kVisibleSpace(0x2423);        // ␣
const QChar kReturnSymbol(0x23CE);        // ⏎

bool isSpace(QChar c) {
    return c == QLatin1Char(' ') || c == kSentencePieceSpace;
}

bool isControl(QChar c) {
    const char16_t u = c.unicode();
    return u < 0x20 || u == 0x7f || (u >= 0x80 && u < 0xa0);
}

QString escapeControl(QChar c) {
    switch (c.unicode()) {
        case '\t':
            return QStringLiteral("\\t");
        case '\r':
            return QStringLiteral("\\r");
        case '\n':
            return QStringLiteral("\\n");
        default:
            return QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
    }
}

}  // namespace

TokenDisplay tokenDisplay(const QString& raw) {
    TokenDisplay out;
    if (raw.isEmpty()) {
        out.text = QStringLiteral("∅");
        return out;
    }
    qsizetype start = 0;
    while (start < raw.size() && isSpace(raw[start])) ++start;
    if (start == raw.size()) {
        out.text = QString(std::min<qsizetype>(raw.size(), 3), kVisibleSpace);
        return out;
    }
    out.leadingSpace = start > 0;
    out.lineBreak = raw.endsWith(QLatin1Char('\n'));
    for (qsizetype i = start; i < raw.size(); ++i) {
        const QChar c = raw[i];
        if (c == QLatin1Char('\n'))
            out.text += kReturnSymbol;
        else if (isControl(c))
            out.text += escapeControl(c);
        else if (c == kSentencePieceSpace)
            out.text += QLatin1Char(' ');
        else
            out.text += c;
    }
    return out;
}

QString tokenLiteral(const QString& raw) {
    QString out = QStringLiteral("\"");
    for (const QChar c : raw) {
        if (isControl(c))
            out += escapeControl(c);
        else if (c == QLatin1Char('"'))
            out += QStringLiteral("\\\"");
        else
            out += c;
    }
    return out + QLatin1Char('"');
}

}  // namespace sightline::ui
