#include "core/text/jinja_parser.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "core/text/jinja.h"
#include "core/text/jinja_expr_parser.h"

namespace sightline::jinja {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

using detail::ExprParser;

// Statement parser over the pieces.
class Parser {
  public:
    Parser(const std::vector<Piece>& pieces, int max_depth) : p_(pieces), max_depth_(max_depth) {}

    Body run() {
        std::string end;
        Body b = body({}, end);
        return b;
    }

  private:
    const std::vector<Piece>& p_;
    std::size_t i_ = 0;
    int max_depth_;
    int nesting_ = 0;
    std::vector<std::string> open_;  // tags being parsed, for error messages

    static NodePtr make(Node::Kind k, int line) {
        auto n = std::make_unique<Node>();
        n->kind = k;
        n->line = line;
        return n;
    }

    // Parses nodes until a statement whose first name is in `ends`; leaves that statement's tokens for
    // the caller through `end_piece` and returns its name in `end`.
    Body body(const std::vector<std::string>& ends, std::string& end, const Piece** end_piece = nullptr) {
        if (++nesting_ > max_depth_)
            throw TemplateError(i_ < p_.size() ? p_[i_].line : 0, "blocks nested too deeply");
        Body out;
        while (i_ < p_.size()) {
            const Piece& piece = p_[i_++];
            if (piece.type == Piece::Type::Text) {
                auto n = make(Node::Kind::Text, piece.line);
                n->text = piece.text;
                out.push_back(std::move(n));
                continue;
            }
            ExprParser ep(piece.tokens, max_depth_);
            if (piece.type == Piece::Type::Output) {
                auto n = make(Node::Kind::Output, piece.line);
                n->expr = ep.tuple_or_expression();
                ep.expect_end();
                out.push_back(std::move(n));
                continue;
            }
            const std::string tag = ep.expect_name();
            if (contains(ends, tag)) {
                end = tag;
                if (end_piece) *end_piece = &piece;
                --nesting_;
                return out;
            }
            out.push_back(statement(tag, piece, ep));
        }
        if (!ends.empty()) {
            const std::string what = open_.empty() ? ends.front() : open_.back();
            throw TemplateError(
                p_.empty() ? 0 : p_.back().line,
                "unexpected end of template: '" + what + "' is not closed (expected '" + ends.back() + "')");
        }
        --nesting_;
        return out;
    }

    void close(const std::vector<std::string>& ends, Body& dest, std::string& end,
               const Piece** end_piece = nullptr) {
        dest = body(ends, end, end_piece);
    }

    NodePtr statement(const std::string& tag, const Piece& piece, ExprParser& ep) {
        const int line = piece.line;
        open_.push_back(tag);
        NodePtr n;
        std::string end;
        if (tag == "if") {
            n = make(Node::Kind::If, line);
            ExprPtr cond = ep.expression();
            ep.expect_end();
            while (true) {
                const Piece* endp = nullptr;
                Body b = body({"elif", "else", "endif"}, end, &endp);
                n->branches.emplace_back(std::move(cond), std::move(b));
                if (end == "endif") break;
                ExprParser e2(endp->tokens, max_depth_);
                e2.expect_name();
                if (end == "elif") {
                    cond = e2.expression();
                    e2.expect_end();
                } else {
                    e2.expect_end();
                    Body eb = body({"endif"}, end);
                    n->branches.emplace_back(nullptr, std::move(eb));
                    break;
                }
            }
        } else if (tag == "for") {
            n = make(Node::Kind::For, line);
            n->targets.push_back(ep.expect_name());
            while (ep.is_op(",")) {
                ep.next();
                n->targets.push_back(ep.expect_name());
            }
            if (!ep.is_name("in")) ep.error("expected 'in' in a for loop");
            ep.next();
            n->expr = ep.expression(/*with_cond=*/false);
            if (ep.is_name("if")) {
                ep.next();
                n->filter = ep.expression();
            }
            if (ep.is_name("recursive"))
                throw TemplateError(line, "unsupported construct: recursive for loops");
            ep.expect_end();
            close({"else", "endfor"}, n->body, end);
            if (end == "else") close({"endfor"}, n->else_body, end);
        } else if (tag == "set") {
            n = make(Node::Kind::Set, line);
            std::string first = ep.expect_name();
            if (ep.is_op(".")) {
                ep.next();
                auto obj = std::make_unique<Expr>();
                obj->kind = Expr::Kind::Name;
                obj->line = line;
                obj->name = first;
                n->attr_of = std::move(obj);
                n->text = ep.expect_name();
            } else {
                n->targets.push_back(first);
                while (ep.is_op(",")) {
                    ep.next();
                    n->targets.push_back(ep.expect_name());
                }
            }
            if (ep.at_end() && !n->attr_of && n->targets.size() == 1) {
                n->kind = Node::Kind::SetBlock;
                close({"endset"}, n->body, end);
            } else {
                ep.expect_op("=");
                n->expr = ep.tuple_or_expression();
                ep.expect_end();
            }
        } else if (tag == "macro") {
            n = make(Node::Kind::Macro, line);
            n->text = ep.expect_name();
            ep.expect_op("(");
            while (!ep.is_op(")")) {
                std::string name = ep.expect_name();
                ExprPtr def;
                if (ep.is_op("=")) {
                    ep.next();
                    def = ep.expression();
                }
                n->params.emplace_back(std::move(name), std::move(def));
                if (!ep.is_op(",")) break;
                ep.next();
            }
            ep.expect_op(")");
            ep.expect_end();
            close({"endmacro"}, n->body, end);
        } else if (tag == "call") {
            n = make(Node::Kind::CallBlock, line);
            if (ep.is_op("("))
                throw TemplateError(line, "unsupported construct: call block with caller arguments");
            n->expr = ep.primary_postfix();
            ep.expect_end();
            close({"endcall"}, n->body, end);
        } else if (tag == "filter") {
            n = make(Node::Kind::FilterBlock, line);
            // Parse "name(args)" as the filter part of "x | name(args)".
            std::vector<Token> toks{Token{Token::Type::Name, "__body__", line},
                                    Token{Token::Type::Op, "|", line}};
            for (std::size_t k = 1; k < piece.tokens.size(); ++k) toks.push_back(piece.tokens[k]);
            ExprParser fp(toks, max_depth_);
            n->expr = fp.expression();
            fp.expect_end();
            close({"endfilter"}, n->body, end);
        } else if (tag == "generation") {
            n = make(Node::Kind::Passthrough, line);
            ep.expect_end();
            close({"endgeneration"}, n->body, end);
        } else if (tag == "break" || tag == "continue") {
            n = make(tag == "break" ? Node::Kind::Break : Node::Kind::Continue, line);
            ep.expect_end();
        } else {
            static const std::set<std::string> known_ends = {"endif",         "endfor",  "endset",
                                                             "endmacro",      "endcall", "endfilter",
                                                             "endgeneration", "elif",    "else"};
            if (known_ends.count(tag))
                throw TemplateError(
                    line, "unexpected '" + tag + "'" +
                              (open_.size() > 1 ? " inside '" + open_[open_.size() - 2] + "'" : ""));
            throw TemplateError(line, "unsupported construct: tag '" + tag + "'");
        }
        open_.pop_back();
        return n;
    }
};

}  // namespace

Body parse(const std::vector<Piece>& pieces, int max_depth) {
    return Parser(pieces, max_depth).run();
}

}  // namespace sightline::jinja
