#pragma once
// The one way to include QCustomPlot: its header uses the `signals` and `foreach` keywords, which this
// project disables (QT_NO_KEYWORDS, so Qt does not clash with LibTorch).
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef foreach
