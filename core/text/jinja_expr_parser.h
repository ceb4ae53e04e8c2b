#pragma once
// The expression parser of the Jinja engine (internal): one tag's tokens to an expression tree, with
// Jinja2's precedence: if-else < or < and < not < comparisons < + - < ~ < * / // % < ** < unary < postfix,
// filters and tests. Unknown filters and tests are TemplateErrors naming them and their line.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/text/jinja.h"
#include "core/text/jinja_ast.h"
#include "core/text/jinja_lexer.h"

namespace sightline::jinja::detail {

inline bool contains_name(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

class ExprParser {
  public:
    ExprParser(const std::vector<Token>& tokens, int max_depth) : t_(tokens), max_depth_(max_depth) {}

    const Token& peek(std::size_t ahead = 0) const { return t_[std::min(i_ + ahead, t_.size() - 1)]; }
    bool at_end() const { return peek().type == Token::Type::End; }
    bool is_op(const char* op, std::size_t ahead = 0) const {
        return peek(ahead).type == Token::Type::Op && peek(ahead).text == op;
    }
    bool is_name(const char* name, std::size_t ahead = 0) const {
        return peek(ahead).type == Token::Type::Name && peek(ahead).text == name;
    }
    const Token& next() {
        const Token& t = peek();
        if (i_ < t_.size() - 1) ++i_;
        return t;
    }
    [[noreturn]] void error(const std::string& what) const {
        const Token& t = peek();
        throw TemplateError(t.line, what + (t.type == Token::Type::End ? " (at the end of the tag)"
                                                                       : " (at '" + t.text + "')"));
    }
    void expect_op(const char* op) {
        if (!is_op(op)) error(std::string("expected '") + op + "'");
        next();
    }
    std::string expect_name() {
        if (peek().type != Token::Type::Name) error("expected a name");
        return next().text;
    }
    void expect_end() {
        if (!at_end()) error("unexpected token");
    }

    // with_cond false: no "a if b else c" at the top (a for loop's iterable, before its "if" filter).
    ExprPtr expression(bool with_cond = true) {
        Guard g(*this);
        ExprPtr e = or_expr();
        if (with_cond && is_name("if")) {
            auto c = make(Expr::Kind::Cond, next().line);
            c->args.push_back(std::move(e));
            c->args.push_back(or_expr());
            if (is_name("else")) {
                next();
                c->args.push_back(expression());
            } else {
                c->args.push_back(nullptr);
            }
            return c;
        }
        return e;
    }
    // A comma-separated expression list becomes a tuple ("a, b" in set and for).
    ExprPtr tuple_or_expression() {
        ExprPtr first = expression();
        if (!is_op(",")) return first;
        auto t = make(Expr::Kind::Tuple, first->line);
        t->args.push_back(std::move(first));
        while (is_op(",")) {
            next();
            if (at_end()) break;
            t->args.push_back(expression());
        }
        return t;
    }
    ExprPtr primary_postfix() { return postfix(primary()); }

  private:
    const std::vector<Token>& t_;
    std::size_t i_ = 0;
    int depth_ = 0;
    int max_depth_;

    struct Guard {
        ExprParser& p;
        explicit Guard(ExprParser& parser) : p(parser) {
            if (++p.depth_ > p.max_depth_) p.error("expression nested too deeply");
        }
        ~Guard() { --p.depth_; }
    };

    static ExprPtr make(Expr::Kind k, int line) {
        auto e = std::make_unique<Expr>();
        e->kind = k;
        e->line = line;
        return e;
    }
    static ExprPtr binary(std::string op, ExprPtr a, ExprPtr b) {
        auto e = make(Expr::Kind::Binary, a->line);
        e->name = std::move(op);
        e->args.push_back(std::move(a));
        e->args.push_back(std::move(b));
        return e;
    }

    ExprPtr or_expr() {
        ExprPtr e = and_expr();
        while (is_name("or")) {
            next();
            e = binary("or", std::move(e), and_expr());
        }
        return e;
    }
    ExprPtr and_expr() {
        ExprPtr e = not_expr();
        while (is_name("and")) {
            next();
            e = binary("and", std::move(e), not_expr());
        }
        return e;
    }
    ExprPtr not_expr() {
        if (is_name("not")) {
            Guard g(*this);
            auto e = make(Expr::Kind::Unary, next().line);
            e->name = "not";
            e->args.push_back(not_expr());
            return e;
        }
        return compare();
    }
    ExprPtr compare() {
        ExprPtr e = math1();
        while (true) {
            std::string op;
            if (is_op("==") || is_op("!=") || is_op("<") || is_op(">") || is_op("<=") || is_op(">=")) {
                op = next().text;
            } else if (is_name("in")) {
                next();
                op = "in";
            } else if (is_name("not") && is_name("in", 1)) {
                next();
                next();
                op = "not in";
            } else {
                return e;
            }
            e = binary(op, std::move(e), math1());
        }
    }
    ExprPtr math1() {
        ExprPtr e = concat();
        while (is_op("+") || is_op("-")) {
            std::string op = next().text;
            e = binary(op, std::move(e), concat());
        }
        return e;
    }
    ExprPtr concat() {
        ExprPtr e = math2();
        while (is_op("~")) {
            next();
            e = binary("~", std::move(e), math2());
        }
        return e;
    }
    ExprPtr math2() {
        ExprPtr e = power();
        while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
            std::string op = next().text;
            e = binary(op, std::move(e), power());
        }
        return e;
    }
    ExprPtr power() {
        ExprPtr e = unary(true);
        while (is_op("**")) {
            next();
            e = binary("**", std::move(e), unary(true));
        }
        return e;
    }
    ExprPtr unary(bool with_filter) {
        Guard g(*this);
        ExprPtr e;
        if (is_op("-") || is_op("+")) {
            e = make(Expr::Kind::Unary, peek().line);
            e->name = next().text;
            e->args.push_back(unary(false));
        } else {
            e = primary();
        }
        e = postfix(std::move(e));
        return with_filter ? filters_and_tests(std::move(e)) : std::move(e);
    }

    ExprPtr primary() {
        const Token& t = peek();
        switch (t.type) {
            case Token::Type::Name: {
                next();
                if (t.text == "true" || t.text == "True") return literal(Value(true), t.line);
                if (t.text == "false" || t.text == "False") return literal(Value(false), t.line);
                if (t.text == "none" || t.text == "None") return literal(Value::none(), t.line);
                auto e = make(Expr::Kind::Name, t.line);
                e->name = t.text;
                return e;
            }
            case Token::Type::String: {
                std::string s = next().text;
                while (peek().type == Token::Type::String) s += next().text;  // adjacent literals join
                return literal(Value(std::move(s)), t.line);
            }
            case Token::Type::Int:
                next();
                return literal(Value(static_cast<std::int64_t>(std::strtoll(t.text.c_str(), nullptr, 10))),
                               t.line);
            case Token::Type::Float:
                next();
                return literal(Value(std::strtod(t.text.c_str(), nullptr)), t.line);
            case Token::Type::Op:
                if (t.text == "(") {
                    next();
                    if (is_op(")")) {
                        next();
                        return make(Expr::Kind::Tuple, t.line);
                    }
                    ExprPtr e = tuple_or_expression();
                    expect_op(")");
                    return e;
                }
                if (t.text == "[") return sequence(Expr::Kind::List, "]");
                if (t.text == "{") return dict();
                break;
            case Token::Type::End:
                break;
        }
        error("expected an expression");
    }
    static ExprPtr literal(Value v, int line) {
        auto e = make(Expr::Kind::Literal, line);
        e->value = std::move(v);
        return e;
    }
    ExprPtr sequence(Expr::Kind kind, const char* close) {
        auto e = make(kind, next().line);
        while (!is_op(close)) {
            e->args.push_back(expression());
            if (!is_op(",")) break;
            next();
        }
        expect_op(close);
        return e;
    }
    ExprPtr dict() {
        auto e = make(Expr::Kind::Dict, next().line);
        while (!is_op("}")) {
            e->args.push_back(expression());
            expect_op(":");
            e->args.push_back(expression());
            if (!is_op(",")) break;
            next();
        }
        expect_op("}");
        return e;
    }

    ExprPtr postfix(ExprPtr e) {
        while (true) {
            if (is_op(".")) {
                next();
                auto a = make(Expr::Kind::Attr, e->line);
                if (peek().type == Token::Type::Int) {  // foo.0 is foo[0]
                    a->kind = Expr::Kind::Subscript;
                    a->args.push_back(std::move(e));
                    a->args.push_back(
                        literal(Value(static_cast<std::int64_t>(std::atoll(next().text.c_str()))), a->line));
                } else {
                    a->name = expect_name();
                    a->args.push_back(std::move(e));
                }
                e = std::move(a);
            } else if (is_op("[")) {
                e = subscript(std::move(e));
            } else if (is_op("(")) {
                auto c = make(Expr::Kind::Call, e->line);
                c->args.push_back(std::move(e));
                call_args(*c);
                e = std::move(c);
            } else {
                return e;
            }
        }
    }
    ExprPtr subscript(ExprPtr obj) {
        const int line = next().line;
        ExprPtr parts[3];
        int n = 0;
        bool slice = false;
        while (true) {
            if (!is_op(":") && !is_op("]")) parts[n] = expression();
            if (is_op(":") && n < 2) {
                next();
                slice = true;
                ++n;
                continue;
            }
            break;
        }
        expect_op("]");
        auto e = make(slice ? Expr::Kind::Slice : Expr::Kind::Subscript, line);
        e->args.push_back(std::move(obj));
        if (!slice && !parts[0]) error("empty subscript");
        for (int k = 0; k < (slice ? 3 : 1); ++k) e->args.push_back(std::move(parts[k]));
        return e;
    }
    void call_args(Expr& call) {
        expect_op("(");
        while (!is_op(")")) {
            if (is_op("*") || is_op("**")) error("unsupported construct: *args / **kwargs in a call");
            if (peek().type == Token::Type::Name && is_op("=", 1)) {
                std::string name = next().text;
                next();
                call.kwargs.emplace_back(std::move(name), expression());
            } else {
                call.args.push_back(expression());
            }
            if (!is_op(",")) break;
            next();
        }
        expect_op(")");
    }
    ExprPtr filters_and_tests(ExprPtr e) {
        while (true) {
            if (is_op("|")) {
                next();
                auto f = make(Expr::Kind::Filter, peek().line);
                f->name = dotted_name();
                if (!contains_name(supported_filters(), f->name))
                    throw TemplateError(f->line, "unsupported construct: filter '" + f->name + "'");
                f->args.push_back(std::move(e));
                if (is_op("(")) call_args(*f);
                e = std::move(f);
            } else if (is_name("is")) {
                next();
                auto t = make(Expr::Kind::Test, peek().line);
                if (is_name("not")) {
                    next();
                    t->negated = true;
                }
                t->name = dotted_name();
                if (!contains_name(supported_tests(), t->name))
                    throw TemplateError(t->line, "unsupported construct: test '" + t->name + "'");
                t->args.push_back(std::move(e));
                if (is_op("(")) {
                    call_args(*t);
                } else if ((peek().type == Token::Type::Name || peek().type == Token::Type::String ||
                            peek().type == Token::Type::Int || peek().type == Token::Type::Float ||
                            is_op("[") || is_op("{")) &&
                           !is_name("else") && !is_name("or") && !is_name("and") && !is_name("if") &&
                           !is_name("in") && !is_name("not")) {
                    t->args.push_back(postfix(primary()));
                }
                e = std::move(t);
            } else if (is_op("(")) {
                auto c = make(Expr::Kind::Call, e->line);
                c->args.push_back(std::move(e));
                call_args(*c);
                e = std::move(c);
            } else {
                return e;
            }
        }
    }
    std::string dotted_name() {
        std::string n = expect_name();
        while (is_op(".") && peek(1).type == Token::Type::Name) {
            next();
            n += "." + next().text;
        }
        return n;
    }
};

}  // namespace sightline::jinja::detail
