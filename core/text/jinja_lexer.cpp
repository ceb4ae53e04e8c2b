#include "core/text/jinja_lexer.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/text/jinja.h"

namespace sightline::jinja {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string rstrip(const std::string& s) {
    std::size_t n = s.size();
    while (n > 0 && is_space(s[n - 1])) --n;
    return s.substr(0, n);
}

class Lexer {
  public:
    Lexer(const std::string& src, bool trim_blocks, bool lstrip_blocks)
        : src_(src), trim_(trim_blocks), lstrip_(lstrip_blocks) {}

    std::vector<Piece> run() {
        std::size_t pos = 0;
        bool line_starting = true;
        while (pos < src_.size()) {
            const std::size_t tag = find_tag(pos);
            std::string text = src_.substr(pos, tag - pos);
            if (tag == src_.size()) {
                emit_text(std::move(text), line_at(pos));
                break;
            }
            const char kind = src_[tag + 1];  // '{', '%' or '#'
            std::size_t p = tag + 2;
            char sign = 0;
            if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) sign = src_[p++];
            if (sign == '-') {
                text = rstrip(text);
            } else if (sign != '+' && lstrip_ && kind != '{') {
                const std::size_t l_pos = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
                if ((l_pos > 0 || line_starting) && l_pos < text.size() &&
                    std::all_of(text.begin() + static_cast<std::ptrdiff_t>(l_pos), text.end(), is_space))
                    text.resize(l_pos);
            }
            emit_text(std::move(text), line_at(pos));
            const int line = line_at(tag);
            std::size_t end = 0;
            if (kind == '#') {
                end = comment_end(p, line);
            } else {
                Piece piece;
                piece.type = kind == '{' ? Piece::Type::Output : Piece::Type::Statement;
                piece.line = line;
                end = tokens(p, kind == '{' ? '}' : '%', piece.tokens);
                pieces_.push_back(std::move(piece));
            }
            // `end` is just past the closing delimiter; src_[end - 3] is '-' or '+' when one was given.
            const char close_sign = end >= 3 ? src_[end - 3] : 0;
            if (close_sign == '-') {
                while (end < src_.size() && is_space(src_[end])) ++end;
            } else if (close_sign != '+' && trim_ && kind != '{' && end < src_.size() && src_[end] == '\n') {
                ++end;
            }
            line_starting = end > 0 && src_[end - 1] == '\n';
            pos = end;
        }
        return std::move(pieces_);
    }

  private:
    const std::string& src_;
    bool trim_;
    bool lstrip_;
    std::vector<Piece> pieces_;

    // Line of `pos`, counted on from the previous call (lexing moves forward): counting from the start at
    // every tag was quadratic, 20k nested {% if %} took 8 s to lex (found by fuzz_chat_template).
    int line_at(std::size_t pos) const {
        if (pos < line_pos_) {
            line_pos_ = 0;
            line_ = 1;
        }
        line_ += static_cast<int>(std::count(src_.begin() + static_cast<std::ptrdiff_t>(line_pos_),
                                             src_.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
        line_pos_ = pos;
        return line_;
    }
    mutable std::size_t line_pos_ = 0;
    mutable int line_ = 1;

    std::size_t find_tag(std::size_t pos) const {
        for (std::size_t i = pos; i + 1 < src_.size(); ++i)
            if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
        return src_.size();
    }

    void emit_text(std::string text, int line) {
        if (text.empty()) return;
        Piece p;
        p.type = Piece::Type::Text;
        p.text = std::move(text);
        p.line = line;
        pieces_.push_back(std::move(p));
    }

    std::size_t comment_end(std::size_t p, int line) const {
        const auto e = src_.find("#}", p);
        if (e == std::string::npos) throw TemplateError(line, "unterminated comment {# ... #}");
        return e + 2;
    }

    // Lexes from p to the closing "}}" or "%}" (close is '}' or '%'); returns the position after it.
    std::size_t tokens(std::size_t p, char close, std::vector<Token>& out) const {
        int depth = 0;  // open brackets: a "}}" inside a dict literal is not the end
        const int start_line = line_at(p);
        int line = start_line;
        while (true) {
            while (p < src_.size() && is_space(src_[p])) {
                if (src_[p] == '\n') ++line;
                ++p;
            }
            if (p >= src_.size())
                throw TemplateError(start_line,
                                    close == '}' ? "unterminated {{ ... }}" : "unterminated {% ... %}");
            if (depth == 0) {
                std::size_t q = p;
                if (src_[q] == '-' || src_[q] == '+') ++q;
                if (q + 1 < src_.size() && src_[q] == close && src_[q + 1] == '}') {
                    out.push_back(Token{Token::Type::End, "", line});
                    return q + 2;
                }
            }
            const char c = src_[p];
            Token t;
            t.line = line;
            if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
                std::size_t q = p;
                while (q < src_.size() &&
                       (std::isalnum(static_cast<unsigned char>(src_[q])) || src_[q] == '_'))
                    ++q;
                t.type = Token::Type::Name;
                t.text = src_.substr(p, q - p);
                p = q;
            } else if (std::isdigit(static_cast<unsigned char>(c))) {
                p = number(p, t);
            } else if (c == '\'' || c == '"') {
                p = string(p, line, t);
            } else {
                static const char* ops[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*",
                                            "/",  "%",  "~",  "<",  ">",  "=",  "(", ")", "[",
                                            "]",  "{",  "}",  ",",  ".",  ":",  "|"};
                const char* found = nullptr;
                for (const char* op : ops)
                    if (src_.compare(p, std::strlen(op), op) == 0) {
                        found = op;
                        break;
                    }
                if (!found) throw TemplateError(line, std::string("unexpected character '") + c + "'");
                t.type = Token::Type::Op;
                t.text = found;
                p += t.text.size();
                if (t.text == "(" || t.text == "[" || t.text == "{") ++depth;
                if ((t.text == ")" || t.text == "]" || t.text == "}") && depth > 0) --depth;
            }
            out.push_back(std::move(t));
        }
    }

    std::size_t number(std::size_t p, Token& t) const {
        std::size_t q = p;
        auto digits = [&] {
            while (q < src_.size() && (std::isdigit(static_cast<unsigned char>(src_[q])) || src_[q] == '_'))
                ++q;
        };
        digits();
        t.type = Token::Type::Int;
        if (q + 1 < src_.size() && src_[q] == '.' && std::isdigit(static_cast<unsigned char>(src_[q + 1]))) {
            ++q;
            digits();
            t.type = Token::Type::Float;
        }
        if (q < src_.size() && (src_[q] == 'e' || src_[q] == 'E')) {
            std::size_t r = q + 1;
            if (r < src_.size() && (src_[r] == '+' || src_[r] == '-')) ++r;
            if (r < src_.size() && std::isdigit(static_cast<unsigned char>(src_[r]))) {
                q = r;
                digits();
                t.type = Token::Type::Float;
            }
        }
        for (char ch : src_.substr(p, q - p))
            if (ch != '_') t.text += ch;
        return q;
    }

    std::size_t string(std::size_t p, int& line, Token& t) const {
        const char quote = src_[p++];
        const int start = line;
        t.type = Token::Type::String;
        while (true) {
            if (p >= src_.size()) throw TemplateError(start, "unterminated string");
            const char c = src_[p++];
            if (c == quote) return p;
            if (c == '\n') ++line;
            if (c != '\\' || p >= src_.size()) {
                t.text += c;
                continue;
            }
            const char e = src_[p++];
            switch (e) {
                case 'n':
                    t.text += '\n';
                    break;
                case 't':
                    t.text += '\t';
                    break;
                case 'r':
                    t.text += '\r';
                    break;
                case '\\':
                case '\'':
                case '"':
                    t.text += e;
                    break;
                case '\n':
                    ++line;
                    break;
                default:
                    t.text += '\\';
                    t.text += e;
            }
        }
    }
};

}  // namespace

std::vector<Piece> lex(const std::string& source, bool trim_blocks, bool lstrip_blocks) {
    return Lexer(source, trim_blocks, lstrip_blocks).run();
}

}  // namespace sightline::jinja
