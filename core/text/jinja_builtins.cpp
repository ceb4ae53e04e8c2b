#include "core/text/jinja_builtins.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>

#include "core/text/jinja.h"

namespace sightline::jinja {
namespace {

[[noreturn]] void err(int line, const std::string& what) {
    throw TemplateError(line, what);
}

bool py_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string strip(const std::string& s, const Value& chars, bool left, bool right) {
    auto drop = [&](char c) {
        return chars.is_string() ? chars.as_string().find(c) != std::string::npos : py_space(c);
    };
    std::size_t b = 0, e = s.size();
    if (left)
        while (b < e && drop(s[b])) ++b;
    if (right)
        while (e > b && drop(s[e - 1])) --e;
    return s.substr(b, e - b);
}

std::string map_chars(std::string s, int (*f)(int)) {
    for (auto& c : s) c = static_cast<char>(f(static_cast<unsigned char>(c)));
    return s;
}

List split(const std::string& s, const Value& sep, std::int64_t maxsplit) {
    List out;
    if (!sep.is_string() || sep.as_string().empty()) {
        if (sep.is_string()) fail("split(): empty separator");
        std::size_t i = 0;
        while (true) {
            while (i < s.size() && py_space(s[i])) ++i;
            if (i >= s.size()) break;
            if (maxsplit >= 0 && static_cast<std::int64_t>(out.size()) == maxsplit) {
                std::string rest = s.substr(i);
                out.emplace_back(strip(rest, Value(), false, true));
                break;
            }
            std::size_t j = i;
            while (j < s.size() && !py_space(s[j])) ++j;
            out.emplace_back(s.substr(i, j - i));
            i = j;
        }
        return out;
    }
    const std::string& d = sep.as_string();
    std::size_t start = 0;
    while (true) {
        const auto at = s.find(d, start);
        if (at == std::string::npos || (maxsplit >= 0 && static_cast<std::int64_t>(out.size()) == maxsplit))
            break;
        out.emplace_back(s.substr(start, at - start));
        start = at + d.size();
    }
    out.emplace_back(s.substr(start));
    return out;
}

std::string replace(const std::string& s, const std::string& from, const std::string& to,
                    std::int64_t count) {
    if (from.empty()) fail("replace() with an empty pattern is not supported");
    std::string out;
    std::size_t pos = 0;
    std::int64_t n = 0;
    while (count < 0 || n < count) {
        const auto at = s.find(from, pos);
        if (at == std::string::npos) break;
        out += s.substr(pos, at - pos) + to;
        pos = at + from.size();
        ++n;
    }
    return out + s.substr(pos);
}

// Python's str.title(): a letter after a non-letter starts a word.
std::string py_title(const std::string& s) {
    std::string out = s;
    bool prev_letter = false;
    for (auto& c : out) {
        const auto u = static_cast<unsigned char>(c);
        const bool letter = std::isalpha(u) != 0;
        c = static_cast<char>(letter ? (prev_letter ? std::tolower(u) : std::toupper(u)) : u);
        prev_letter = letter;
    }
    return out;
}

// Jinja's title filter: words begin after runs of '-', whitespace, '(', '{', '[' or '<'.
std::string jinja_title(const std::string& s) {
    std::string out;
    bool start = true;
    for (char c : s) {
        const bool sep = c == '-' || py_space(c) || c == '(' || c == '{' || c == '[' || c == '<';
        const auto u = static_cast<unsigned char>(c);
        out += sep ? c : static_cast<char>(start ? std::toupper(u) : std::tolower(u));
        start = sep;
    }
    return out;
}

std::string capitalize(const std::string& s) {
    std::string out = map_chars(s, [](int c) { return std::tolower(c); });
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

// By value: `def` is often a temporary.
Value arg(const Args& args, const Kwargs& kwargs, std::size_t i, const char* name, const Value& def) {
    for (const auto& [k, v] : kwargs)
        if (k == name) return v;
    return i < args.size() ? args[i] : def;
}

bool starts_or_ends(const std::string& s, const Value& what, bool start, int line) {
    auto check = [&](const Value& p) {
        if (!p.is_string()) err(line, "startswith/endswith takes a string or a list of strings");
        const std::string& x = p.as_string();
        if (x.size() > s.size()) return false;
        return start ? s.compare(0, x.size(), x) == 0 : s.compare(s.size() - x.size(), x.size(), x) == 0;
    };
    if (what.is_list()) return std::any_of(what.list().begin(), what.list().end(), check);
    return check(what);
}

Value string_method(const std::string& s, const std::string& name, const Args& a, const Kwargs& kw,
                    int line) {
    const Value none = Value::none();
    if (name == "upper") return Value(map_chars(s, [](int c) { return std::toupper(c); }));
    if (name == "lower") return Value(map_chars(s, [](int c) { return std::tolower(c); }));
    if (name == "title") return Value(py_title(s));
    if (name == "capitalize") return Value(capitalize(s));
    if (name == "strip") return Value(strip(s, arg(a, kw, 0, "chars", none), true, true));
    if (name == "lstrip") return Value(strip(s, arg(a, kw, 0, "chars", none), true, false));
    if (name == "rstrip") return Value(strip(s, arg(a, kw, 0, "chars", none), false, true));
    if (name == "split") {
        const Value max = arg(a, kw, 1, "maxsplit", Value(-1));
        return Value(split(s, arg(a, kw, 0, "sep", none), max.as_int()));
    }
    if (name == "splitlines") return Value(split(replace(s, "\r\n", "\n", -1), Value("\n"), -1));
    if (name == "replace") {
        if (a.size() < 2 || !a[0].is_string() || !a[1].is_string()) err(line, "replace() takes two strings");
        return Value(replace(s, a[0].as_string(), a[1].as_string(), a.size() > 2 ? a[2].as_int() : -1));
    }
    if (name == "startswith" || name == "endswith") {
        if (a.empty()) err(line, name + "() takes a prefix");
        return Value(starts_or_ends(s, a[0], name == "startswith", line));
    }
    if (name == "find" || name == "count") {
        if (a.empty() || !a[0].is_string()) err(line, name + "() takes a string");
        if (name == "find") {
            const auto at = s.find(a[0].as_string());
            return Value(at == std::string::npos ? std::int64_t{-1} : static_cast<std::int64_t>(at));
        }
        std::int64_t n = 0;
        const std::string& x = a[0].as_string();
        if (x.empty()) return Value(static_cast<std::int64_t>(code_points(s).size() + 1));
        for (auto at = s.find(x); at != std::string::npos; at = s.find(x, at + x.size())) ++n;
        return Value(n);
    }
    if (name == "join") {
        if (a.empty()) err(line, "join() takes a list");
        std::string out;
        const List items = iterate(a[0], line);
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (!items[i].is_string()) err(line, "join() expects strings, found " + items[i].type_name());
            out += (i ? s : "") + items[i].as_string();
        }
        return Value(out);
    }
    auto all = [&](int (*f)(int)) {
        return Value(!s.empty() && std::all_of(s.begin(), s.end(), [f](char c) {
            return f(static_cast<unsigned char>(c)) != 0;
        }));
    };
    if (name == "isdigit") return all([](int c) { return std::isdigit(c); });
    if (name == "isalpha") return all([](int c) { return std::isalpha(c); });
    if (name == "isspace") return all([](int c) { return std::isspace(c); });
    if (name == "isupper")
        return Value(s != map_chars(s, [](int c) { return std::tolower(c); }) &&
                     s == map_chars(s, [](int c) { return std::toupper(c); }));
    if (name == "islower")
        return Value(s != map_chars(s, [](int c) { return std::toupper(c); }) &&
                     s == map_chars(s, [](int c) { return std::tolower(c); }));
    err(line, "unsupported construct: string method '" + name + "'");
}

const char* kStringMethods[] = {"upper",      "lower",    "title",   "capitalize", "strip",
                                "lstrip",     "rstrip",   "split",   "splitlines", "replace",
                                "startswith", "endswith", "find",    "count",      "join",
                                "isdigit",    "isalpha",  "isspace", "isupper",    "islower"};

List items_of(const Value& d) {
    List out;
    for (const auto& [k, v] : d.dict()) out.emplace_back(List{Value(k), v});
    return out;
}

Value attribute(const Value& item, const std::string& path) {
    Value cur = item;
    std::size_t start = 0;
    while (true) {
        const auto dot = path.find('.', start);
        const std::string part =
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        const Value* v = cur.find(part);
        if (!v && cur.is_list() && !part.empty() && std::isdigit(static_cast<unsigned char>(part[0]))) {
            const auto i = static_cast<std::size_t>(std::stoll(part));
            cur = i < cur.list().size() ? cur.list()[i]
                                        : Value::undefined("attribute '" + path + "' is undefined");
        } else {
            cur = v ? *v : Value::undefined("attribute '" + path + "' is undefined");
        }
        if (dot == std::string::npos || cur.is_undefined()) return cur;
        start = dot + 1;
    }
}

Value filter_select(const Value& input, const Args& args, bool by_attr, bool keep, int line) {
    List out;
    const std::size_t first = by_attr ? 1 : 0;
    if (by_attr && (args.empty() || !args[0].is_string()))
        err(line, "selectattr/rejectattr need an attribute name");
    for (const auto& item : iterate(input, line)) {
        const Value v = by_attr ? attribute(item, args[0].as_string()) : item;
        bool ok;
        if (args.size() > first) {
            if (!args[first].is_string()) err(line, "the test name must be a string");
            ok = apply_test(args[first].as_string(), v,
                            Args(args.begin() + static_cast<std::ptrdiff_t>(first) + 1, args.end()), line);
        } else {
            ok = v.truthy();
        }
        if (ok == keep) out.push_back(item);
    }
    return Value(std::move(out));
}

Value filter_map(const Value& input, const Args& args, const Kwargs& kw, int line) {
    List out;
    const Value attr = arg({}, kw, 0, "attribute", Value());
    const Value def = arg({}, kw, 0, "default", Value());
    for (const auto& item : iterate(input, line)) {
        if (attr.is_string()) {
            Value v = attribute(item, attr.as_string());
            out.push_back(v.is_undefined() && !def.is_undefined() ? def : v);
        } else {
            if (args.empty() || !args[0].is_string()) err(line, "map() needs a filter name or attribute=");
            out.push_back(
                apply_filter(args[0].as_string(), item, Args(args.begin() + 1, args.end()), {}, line));
        }
    }
    return Value(std::move(out));
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&#34;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

Value sorted(const Value& input, const Kwargs& kw, int line) {
    List l = iterate(input, line);
    const Value attr = arg({}, kw, 0, "attribute", Value());
    const bool reverse = arg({}, kw, 0, "reverse", Value(false)).truthy();
    auto key = [&](const Value& v) { return attr.is_string() ? attribute(v, attr.as_string()) : v; };
    std::stable_sort(l.begin(), l.end(), [&](const Value& a, const Value& b) {
        return reverse ? less(key(b), key(a)) : less(key(a), key(b));
    });
    return Value(std::move(l));
}

}  // namespace

List iterate(const Value& v, int line) {
    switch (v.kind()) {
        case Value::Kind::Undefined:
            return {};
        case Value::Kind::List:
            return v.list();
        case Value::Kind::Dict: {
            List keys;
            for (const auto& kv : v.dict()) keys.emplace_back(kv.first);
            return keys;
        }
        case Value::Kind::String: {
            List chars;
            for (auto& c : code_points(v.as_string())) chars.emplace_back(std::move(c));
            return chars;
        }
        default:
            err(line, "a " + v.type_name() + " is not iterable");
    }
}

std::int64_t length(const Value& v, int line) {
    if (v.is_string()) return static_cast<std::int64_t>(code_points(v.as_string()).size());
    if (v.is_list()) return static_cast<std::int64_t>(v.list().size());
    if (v.is_dict()) return static_cast<std::int64_t>(v.dict().size());
    if (v.is_undefined()) return 0;
    err(line, "a " + v.type_name() + " has no length");
}

std::vector<std::string> supported_filters() {
    return {"abs",        "attr",    "bool",    "capitalize", "count",  "d",      "default",    "dictsort",
            "e",          "escape",  "first",   "float",      "indent", "int",    "items",      "join",
            "last",       "length",  "list",    "lower",      "map",    "max",    "min",        "reject",
            "rejectattr", "replace", "reverse", "round",      "safe",   "select", "selectattr", "sort",
            "string",     "sum",     "title",   "tojson",     "trim",   "unique", "upper",      "__body__"};
}

std::vector<std::string> supported_tests() {
    return {"defined", "undefined", "none",    "string", "mapping",     "iterable", "sequence", "number",
            "integer", "float",     "boolean", "true",   "false",       "callable", "equalto",  "eq",
            "sameas",  "ne",        "odd",     "even",   "divisibleby", "lower",    "upper",    "in",
            "gt",      "lt",        "ge",      "le",     "greaterthan", "lessthan"};
}

Value apply_filter(const std::string& name, const Value& in, const Args& a, const Kwargs& kw, int line) {
    const Value none = Value::none();
    if (name == "trim") return Value(strip(in.str(), arg(a, kw, 0, "chars", none), true, true));
    if (name == "length" || name == "count") return Value(length(in, line));
    if (name == "upper") return string_method(in.str(), "upper", {}, {}, line);
    if (name == "lower") return string_method(in.str(), "lower", {}, {}, line);
    if (name == "title") return Value(jinja_title(in.str()));
    if (name == "capitalize") return Value(capitalize(in.str()));
    if (name == "string") return Value(in.str());
    if (name == "safe") return in;
    if (name == "e" || name == "escape") return Value(html_escape(in.str()));
    if (name == "default" || name == "d") {
        const bool boolean = arg(a, kw, 1, "boolean", Value(false)).truthy();
        const bool use_default = in.is_undefined() || (boolean && !in.truthy());
        return use_default ? arg(a, kw, 0, "default_value", Value("")) : in;
    }
    if (name == "tojson") {
        const Value ascii = arg({}, kw, 0, "ensure_ascii", Value(false));
        if (ascii.truthy() || !arg({}, kw, 0, "separators", none).is_none())
            err(line, "unsupported construct: tojson with ensure_ascii or separators");
        const Value indent = arg({}, kw, 0, "indent", none);
        return Value(dump_json(in, indent.is_int() ? static_cast<int>(indent.as_int()) : -1,
                               arg({}, kw, 0, "sort_keys", Value(false)).truthy()));
    }
    if (name == "first" || name == "last") {
        const List l = iterate(in, line);
        if (l.empty()) return Value::undefined("'" + name + "' of an empty sequence is undefined");
        return name == "first" ? l.front() : l.back();
    }
    if (name == "join") {
        const Value sep = arg(a, kw, 0, "d", Value(""));
        const Value attr = arg(a, kw, 1, "attribute", Value());
        std::string out;
        const List l = iterate(in, line);
        for (std::size_t i = 0; i < l.size(); ++i)
            out += (i ? sep.str() : "") + (attr.is_string() ? attribute(l[i], attr.as_string()) : l[i]).str();
        return Value(out);
    }
    if (name == "int") {
        const Value def = arg(a, kw, 0, "default", Value(0));
        if (in.is_int()) return Value(in.as_int());
        if (in.kind() == Value::Kind::Float) return Value(static_cast<std::int64_t>(in.as_float()));
        if (in.is_string()) {
            const std::string s = strip(in.as_string(), none, true, true);
            char* end = nullptr;
            const long long i = std::strtoll(s.c_str(), &end, 10);
            if (!s.empty() && end && *end == '\0') return Value(static_cast<std::int64_t>(i));
            const double f = std::strtod(s.c_str(), &end);
            if (!s.empty() && end && *end == '\0') return Value(static_cast<std::int64_t>(f));
        }
        return def;
    }
    if (name == "float") {
        if (in.is_number()) return Value(in.as_float());
        if (in.is_string()) {
            char* end = nullptr;
            const std::string s = strip(in.as_string(), none, true, true);
            const double f = std::strtod(s.c_str(), &end);
            if (!s.empty() && end && *end == '\0') return Value(f);
        }
        return arg(a, kw, 0, "default", Value(0.0));
    }
    if (name == "bool") return Value(in.truthy());
    if (name == "abs") {
        if (in.kind() == Value::Kind::Float) return Value(std::fabs(in.as_float()));
        if (in.is_int()) return Value(static_cast<std::int64_t>(std::llabs(in.as_int())));
        err(line, "abs of a " + in.type_name());
    }
    if (name == "round") {
        const double p = std::pow(10.0, static_cast<double>(arg(a, kw, 0, "precision", Value(0)).as_int()));
        return Value(std::round(in.as_float() * p) / p);
    }
    if (name == "items") {
        if (in.is_undefined()) return Value(List{});
        if (!in.is_dict()) err(line, "items of a " + in.type_name());
        return Value(items_of(in));
    }
    if (name == "dictsort") {
        if (!in.is_dict()) err(line, "dictsort of a " + in.type_name());
        return sorted(Value(items_of(in)), {}, line);
    }
    if (name == "list") return Value(iterate(in, line));
    if (name == "reverse") {
        if (in.is_string()) {
            auto cps = code_points(in.as_string());
            std::string out;
            for (auto it = cps.rbegin(); it != cps.rend(); ++it) out += *it;
            return Value(out);
        }
        List l = iterate(in, line);
        std::reverse(l.begin(), l.end());
        return Value(std::move(l));
    }
    if (name == "sort") return sorted(in, kw, line);
    if (name == "unique") {
        List out;
        for (const auto& v : iterate(in, line))
            if (std::none_of(out.begin(), out.end(), [&](const Value& o) { return equal(o, v); }))
                out.push_back(v);
        return Value(std::move(out));
    }
    if (name == "sum") {
        Value total = arg(a, kw, 1, "start", Value(0));
        const Value attr = arg(a, kw, 0, "attribute", Value());
        for (const auto& v : iterate(in, line)) {
            const Value x = attr.is_string() ? attribute(v, attr.as_string()) : v;
            if (!x.is_number() || !total.is_number()) err(line, "sum of non-numbers");
            total = (x.kind() == Value::Kind::Float || total.kind() == Value::Kind::Float)
                        ? Value(total.as_float() + x.as_float())
                        : Value(total.as_int() + x.as_int());
        }
        return total;
    }
    if (name == "min" || name == "max") {
        const List l = iterate(in, line);
        if (l.empty()) return Value::undefined("'" + name + "' of an empty sequence is undefined");
        Value best = l.front();
        for (const auto& v : l)
            if (name == "min" ? less(v, best) : less(best, v)) best = v;
        return best;
    }
    if (name == "replace") {
        if (a.size() < 2) err(line, "replace needs two arguments");
        return Value(replace(in.str(), a[0].str(), a[1].str(), a.size() > 2 ? a[2].as_int() : -1));
    }
    if (name == "indent") {
        const Value w = arg(a, kw, 0, "width", Value(4));
        const std::string pad =
            w.is_string() ? w.as_string()
                          : std::string(static_cast<std::size_t>(std::max<std::int64_t>(0, w.as_int())), ' ');
        const bool first = arg(a, kw, 1, "first", Value(false)).truthy();
        const bool blank = arg(a, kw, 2, "blank", Value(false)).truthy();
        const List lines = split(in.str(), Value("\n"), -1);
        std::string out;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const std::string& l = lines[i].as_string();
            if (i) out += "\n";
            if ((i > 0 || first) && (blank || !l.empty())) out += pad;
            out += l;
        }
        return Value(out);
    }
    if (name == "attr") return a.empty() ? Value() : attribute(in, a[0].str());
    if (name == "select" || name == "reject") return filter_select(in, a, false, name == "select", line);
    if (name == "selectattr" || name == "rejectattr")
        return filter_select(in, a, true, name == "selectattr", line);
    if (name == "map") return filter_map(in, a, kw, line);
    if (name == "__body__") return in;
    err(line, "unsupported construct: filter '" + name + "'");
}

bool apply_test(const std::string& name, const Value& v, const Args& a, int line) {
    auto need = [&](std::size_t n) {
        if (a.size() < n) err(line, "test '" + name + "' needs an argument");
    };
    if (name == "defined") return !v.is_undefined();
    if (name == "undefined") return v.is_undefined();
    if (name == "none") return v.is_none();
    if (name == "string") return v.is_string();
    if (name == "mapping") return v.is_dict();
    if (name == "iterable") return v.is_undefined() || v.is_string() || v.is_list() || v.is_dict();
    if (name == "sequence") return v.is_string() || v.is_list() || v.is_dict();
    if (name == "number") return v.is_number();
    if (name == "integer") return v.kind() == Value::Kind::Int;
    if (name == "float") return v.kind() == Value::Kind::Float;
    if (name == "boolean") return v.is_bool();
    if (name == "true") return v.is_bool() && v.as_bool();
    if (name == "false") return v.is_bool() && !v.as_bool();
    if (name == "callable") return v.is_function();
    if (name == "lower")
        return v.is_string() &&
               v.as_string() == string_method(v.as_string(), "lower", {}, {}, line).as_string();
    if (name == "upper")
        return v.is_string() &&
               v.as_string() == string_method(v.as_string(), "upper", {}, {}, line).as_string();
    if (name == "odd" || name == "even") {
        if (!v.is_int()) err(line, "test '" + name + "' needs an integer");
        return (v.as_int() % 2 != 0) == (name == "odd");
    }
    if (name == "divisibleby") {
        need(1);
        return a[0].as_int() != 0 && v.as_int() % a[0].as_int() == 0;
    }
    need(1);
    if (name == "equalto" || name == "eq" || name == "==" || name == "sameas") return equal(v, a[0]);
    if (name == "ne" || name == "!=") return !equal(v, a[0]);
    if (name == "gt" || name == ">" || name == "greaterthan") return less(a[0], v);
    if (name == "lt" || name == "<" || name == "lessthan") return less(v, a[0]);
    if (name == "ge" || name == ">=") return !less(v, a[0]);
    if (name == "le" || name == "<=") return !less(a[0], v);
    if (name == "in") {
        if (a[0].is_string())
            return v.is_string() && a[0].as_string().find(v.as_string()) != std::string::npos;
        if (a[0].is_dict()) return v.is_string() && a[0].find(v.as_string()) != nullptr;
        const List l = iterate(a[0], line);
        return std::any_of(l.begin(), l.end(), [&](const Value& x) { return equal(x, v); });
    }
    err(line, "unsupported construct: test '" + name + "'");
}

std::optional<Value> bound_method(const Value& obj, const std::string& name, int line) {
    if (obj.is_string()) {
        if (std::find(std::begin(kStringMethods), std::end(kStringMethods), name) == std::end(kStringMethods))
            return std::nullopt;
        const std::string s = obj.as_string();
        return Value::function(name, [s, name, line](const Args& a, const Kwargs& kw) {
            return string_method(s, name, a, kw, line);
        });
    }
    if (obj.is_dict() && !obj.is_namespace()) {
        if (name == "items")
            return Value::function(name, [obj](const Args&, const Kwargs&) { return Value(items_of(obj)); });
        if (name == "keys" || name == "values")
            return Value::function(name, [obj, name](const Args&, const Kwargs&) {
                List l;
                for (const auto& [k, v] : obj.dict()) l.push_back(name == "keys" ? Value(k) : v);
                return Value(std::move(l));
            });
        if (name == "get")
            return Value::function(name, [obj, line](const Args& a, const Kwargs&) {
                if (a.empty()) err(line, "get() needs a key");
                const Value* v = obj.find(a[0].str());
                return v ? *v : (a.size() > 1 ? a[1] : Value::none());
            });
    }
    return std::nullopt;
}

Dict global_functions() {
    Dict g;
    g.emplace_back("raise_exception",
                   Value::function("raise_exception", [](const Args& a, const Kwargs&) -> Value {
                       throw TemplateError(0, "raise_exception: " + (a.empty() ? std::string() : a[0].str()));
                   }));
    g.emplace_back("namespace", Value::function("namespace", [](const Args& a, const Kwargs& kw) {
                       Dict d;
                       if (!a.empty() && a[0].is_dict()) d = a[0].dict();
                       Value ns(std::move(d), /*is_namespace=*/true);
                       for (const auto& [k, v] : kw) ns.set(k, v);
                       return ns;
                   }));
    g.emplace_back("dict", Value::function("dict", [](const Args&, const Kwargs& kw) {
                       Dict d(kw.begin(), kw.end());
                       return Value(std::move(d));
                   }));
    g.emplace_back("range", Value::function("range", [](const Args& a, const Kwargs&) {
                       if (a.empty() || a.size() > 3) fail("range() takes 1 to 3 integers");
                       std::int64_t b = 0, e, s = 1;
                       if (a.size() == 1) {
                           e = a[0].as_int();
                       } else {
                           b = a[0].as_int();
                           e = a[1].as_int();
                           if (a.size() == 3) s = a[2].as_int();
                       }
                       if (s == 0) fail("range() step must not be zero");
                       List l;
                       for (std::int64_t i = b; s > 0 ? i < e : i > e; i += s) {
                           if (l.size() > (1u << 20)) fail("range() too large");
                           l.emplace_back(i);
                       }
                       return Value(std::move(l));
                   }));
    g.emplace_back("strftime_now", Value::function("strftime_now", [](const Args& a, const Kwargs&) {
                       if (a.empty() || !a[0].is_string()) fail("strftime_now() takes a format string");
                       const std::time_t now = std::time(nullptr);
                       std::tm tm{};
                       localtime_r(&now, &tm);
                       char buf[256];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
                       const std::size_t n = std::strftime(buf, sizeof buf, a[0].as_string().c_str(), &tm);
#pragma GCC diagnostic pop
                       return Value(std::string(buf, n));
                   }));
    return g;
}

}  // namespace sightline::jinja
