#pragma once
// Plain data for a CLEANN causal explanation graph (a PAG over the target token and input tokens),
// as the UI receives it; no core types, no JSON library.
#include <QString>
#include <QVector>

namespace sightline::ui {

struct CausalNode {
    int id = 0;
    QString label;  // e.g. "img 3,4" for an image patch, the token text for a text token
    QString kind;   // "target", "image" or "text"
    bool inExplanation = false;
};

struct CausalEdge {
    int a = 0;
    int b = 0;
    QString markA;  // end mark at node a: "tail", "arrow" or "circle"
    QString markB;  // end mark at node b
};

}  // namespace sightline::ui
