#pragma once
// The parsed form of a chat template: expressions and statements, each with its template line.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/text/jinja_value.h"

namespace sightline::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
    enum class Kind {
        Literal,    // value
        Name,       // name
        List,       // args: items
        Tuple,      // args: items (a list at run time)
        Dict,       // args: key, value, key, value...
        Attr,       // args[0].name
        Subscript,  // args[0][args[1]]
        Slice,      // args[0][args[1]:args[2]:args[3]] (null where left out)
        Call,       // args[0](args[1:], kwargs)
        Filter,     // args[0] | name(args[1:], kwargs)
        Test,       // args[0] is [not] name(args[1:])
        Unary,      // name ("not", "-", "+") args[0]
        Binary,     // args[0] name args[1]: or and == != < > <= >= in "not in" + - * / // % ** ~
        Cond,       // args[0] if args[1] else args[2] (args[2] may be null)
    };
    Kind kind = Kind::Literal;
    int line = 0;
    Value value;
    std::string name;
    std::vector<ExprPtr> args;
    std::vector<std::pair<std::string, ExprPtr>> kwargs;
    bool negated = false;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

struct Node {
    enum class Kind {
        Text,         // text
        Output,       // {{ expr }}
        If,           // branches: (condition or null for else, body)
        For,          // for targets in expr [if filter]: body [else: else_body]
        Set,          // set targets = expr, or set expr(attr_of).name = expr
        SetBlock,     // set targets[0] %}body{% endset
        Macro,        // macro name(params): body
        CallBlock,    // call expr: body (the body is caller())
        FilterBlock,  // filter name: body (expr is the filter, its input left empty)
        Break,
        Continue,
        Passthrough,  // generation, a block whose body renders as is
    };
    Kind kind = Kind::Text;
    int line = 0;
    std::string text;  // Text; Set on an attribute: the attribute; Macro: its name
    ExprPtr expr;
    ExprPtr attr_of;  // set ns.attr = ...
    ExprPtr filter;   // for ... if filter
    std::vector<std::string> targets;
    std::vector<std::pair<ExprPtr, Body>> branches;
    std::vector<std::pair<std::string, ExprPtr>> params;  // macro parameters with defaults (may be null)
    Body body;
    Body else_body;
};

}  // namespace sightline::jinja
