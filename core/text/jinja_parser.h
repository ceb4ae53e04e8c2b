#pragma once
// Builds the statement tree of a template from its lexed pieces. Unsupported tags, filters and tests are
// reported here (TemplateError naming the construct and its line), before anything is rendered.
#include <vector>

#include "core/text/jinja_ast.h"
#include "core/text/jinja_lexer.h"

namespace sightline::jinja {

Body parse(const std::vector<Piece>& pieces, int max_depth);

}  // namespace sightline::jinja
