#pragma once
// A Jinja2 subset, written for the chat templates that Hugging Face checkpoints carry. It renders them the
// way transformers' apply_chat_template does: trim_blocks and lstrip_blocks on, `{% generation %}` passed
// through, loop controls, raise_exception(), strftime_now() and a json.dumps-like tojson filter.
//
// Supported: {{ }}, {% %}, {# #}, whitespace control (-, +), if/elif/else, for (with else, an `if`
// filter, loop.index/index0/revindex/first/last/length/previtem/nextitem, break/continue, several
// targets over dict items), set (names, tuples, namespace attributes, set blocks), macros and call blocks,
// filter blocks; expressions with literals, lists, dicts, attributes, subscripts, slices, calls, filters,
// tests, arithmetic, `~`, comparisons, in / not in, and/or/not, if-else; the filters and tests listed by
// supported_filters() / supported_tests() and the string, list and dict methods templates call.
//
// Anything else (include, extends, import, raw, an unknown filter...) is a TemplateError naming the
// construct and the template line, raised when the template is parsed or, for run-time faults, rendered.
// Rendering is bounded (output size, loop iterations, call and nesting depth) for untrusted templates.
#include <memory>
#include <string>
#include <vector>

#include "core/text/jinja_value.h"
#include "core/util/error.h"

namespace sightline::jinja {

class TemplateError : public Error {
  public:
    TemplateError(int line, const std::string& message);
    int line() const { return line_; }  // 1-based template line, 0 when unknown
    const std::string& detail() const { return detail_; }

  private:
    int line_;
    std::string detail_;
};

struct Limits {
    std::size_t max_output_bytes = 4u << 20;
    std::size_t max_loop_iterations = 1u << 20;  // all loops of one render together
    int max_depth = 64;                          // nested macro calls and expression nesting
};

struct Options {
    bool trim_blocks = true;
    bool lstrip_blocks = true;
    Limits limits;
};

struct Node;

class Template {
  public:
    // Parses; throws TemplateError on a syntax error or an unsupported construct.
    explicit Template(const std::string& source, Options options = {});
    ~Template();
    Template(Template&&) noexcept;
    Template& operator=(Template&&) noexcept;

    // Renders with the given variables (a dict value, for example from_json of
    // {"messages": [...], "add_generation_prompt": true, "bos_token": "<s>"}).
    std::string render(const Value& variables) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

std::vector<std::string> supported_filters();
std::vector<std::string> supported_tests();

}  // namespace sightline::jinja
