#pragma once
// Python's string methods and the other helpers the filters and methods of chat templates share
// (internal to the Jinja engine).
#include <string>

#include "core/text/jinja_value.h"

namespace sightline::jinja::detail {

bool py_space(char c);
// str.strip / lstrip / rstrip; `chars` none = whitespace.
std::string strip(const std::string& s, const Value& chars, bool left, bool right);
std::string map_chars(std::string s, int (*f)(int));
// str.split: `sep` none = runs of whitespace; maxsplit < 0 = no limit.
List split(const std::string& s, const Value& sep, std::int64_t maxsplit);
std::string replace(const std::string& s, const std::string& from, const std::string& to, std::int64_t count);
std::string py_title(const std::string& s);     // str.title()
std::string jinja_title(const std::string& s);  // the title filter
std::string capitalize(const std::string& s);
// Argument i or keyword `name`, else `def` (by value: `def` is often a temporary).
Value arg(const Args& args, const Kwargs& kwargs, std::size_t i, const char* name, const Value& def);
bool is_string_method(const std::string& name);
Value string_method(const std::string& s, const std::string& name, const Args& a, const Kwargs& kw, int line);
List items_of(const Value& dict);

}  // namespace sightline::jinja::detail
