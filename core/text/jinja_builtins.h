#pragma once
// The filters, tests, methods and global functions chat templates use, with Jinja2's (Python's)
// semantics. Faults throw TemplateError with the given template line.
#include <optional>
#include <string>

#include "core/text/jinja_value.h"

namespace sightline::jinja {

Value apply_filter(const std::string& name, const Value& input, const Args& args, const Kwargs& kwargs,
                   int line);
bool apply_test(const std::string& name, const Value& value, const Args& args, int line);
// A method of a string, list or dict bound to its object (x.upper, d.items, s.split...); nullopt when the
// object has no such method.
std::optional<Value> bound_method(const Value& object, const std::string& name, int line);
// raise_exception, namespace, range, dict, strftime_now.
Dict global_functions();

// `item in container` (substring, list element, dict key).
bool contains(const Value& container, const Value& item, int line);
// + - * / // % ** on numbers, + on strings and lists, * repetition, with Python's semantics.
Value arithmetic(const std::string& op, const Value& a, const Value& b, int line);

// Iteration as Python does it: list items, dict keys, string code points, nothing for undefined.
List iterate(const Value& v, int line);
std::int64_t length(const Value& v, int line);

}  // namespace sightline::jinja
