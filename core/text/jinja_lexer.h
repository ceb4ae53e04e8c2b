#pragma once
// Splits a template into text and tags (whitespace control, trim_blocks and lstrip_blocks applied the way
// Jinja2's lexer does) and every tag into tokens.
#include <string>
#include <vector>

namespace sightline::jinja {

struct Token {
    enum class Type { Name, String, Int, Float, Op, End };
    Type type = Type::End;
    std::string text;  // name, decoded string, number text or operator
    int line = 0;
};

struct Piece {
    enum class Type { Text, Output, Statement };
    Type type = Type::Text;
    std::string text;           // Text
    std::vector<Token> tokens;  // Output / Statement, ending with an End token
    int line = 0;
};

// Throws TemplateError on an unterminated tag, comment or string, or an unknown character.
std::vector<Piece> lex(const std::string& source, bool trim_blocks, bool lstrip_blocks);

}  // namespace sightline::jinja
