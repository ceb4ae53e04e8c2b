#pragma once
// How a model token's text is shown on a chip: a leading space (or SentencePiece's U+2581) becomes a gap
// before the chip, "\n" becomes "⏎" (and ends the line), other control characters are escaped ("\t",
// "\x1b"); a token of spaces only shows as "␣", an empty token as "∅".
#include <QString>

namespace sightline::ui {

struct TokenDisplay {
    QString text;               // what the chip shows
    bool leadingSpace = false;  // draw a word gap before the chip
    bool lineBreak = false;     // the token ends with a newline: the next chip starts a new line
};

TokenDisplay tokenDisplay(const QString& raw);
// The raw text quoted with every space and control character visible, for tool tips: "\" cat\\n\"".
QString tokenLiteral(const QString& raw);

}  // namespace sightline::ui
