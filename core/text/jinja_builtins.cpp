#include "core/text/jinja_builtins.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/text/jinja.h"
#include "core/text/jinja_methods.h"

namespace sightline::jinja {
namespace {

[[noreturn]] void err(int line, const std::string& what) {
    throw TemplateError(line, what);
}

using namespace detail;

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

bool contains(const Value& container, const Value& item, int line) {
    if (container.is_string()) {
        if (!item.is_string())
            err(line, "'in <string>' requires a string on the left, not " + item.type_name());
        return container.as_string().find(item.as_string()) != std::string::npos;
    }
    if (container.is_dict()) return container.find(item.str()) != nullptr && item.is_string();
    if (container.is_list()) {
        for (const auto& v : container.list())
            if (equal(v, item)) return true;
        return false;
    }
    if (container.is_undefined()) return false;
    err(line, "argument of type " + container.type_name() + " is not iterable");
}

Value arithmetic(const std::string& op, const Value& a, const Value& b, int line) {
    const auto bad = [&]() -> Value {
        err(line, "unsupported operand types for " + op + ": " + a.type_name() + " and " + b.type_name());
    };
    if (op == "+") {
        if (a.is_string() && b.is_string()) return Value(a.as_string() + b.as_string());
        if (a.is_list() && b.is_list()) {
            List l = a.list();
            l.insert(l.end(), b.list().begin(), b.list().end());
            return Value(std::move(l));
        }
    }
    if (op == "*" && (a.is_string() || a.is_list()) && b.is_int()) {
        if (b.as_int() > 1 << 20) err(line, "repetition too large");
        if (a.is_string()) {
            std::string s;
            for (std::int64_t i = 0; i < b.as_int(); ++i) s += a.as_string();
            return Value(std::move(s));
        }
        List l;
        for (std::int64_t i = 0; i < b.as_int(); ++i) l.insert(l.end(), a.list().begin(), a.list().end());
        return Value(std::move(l));
    }
    if (op == "%" && a.is_string()) err(line, "unsupported construct: '%' string formatting");
    if (!a.is_number() || !b.is_number()) return bad();
    const bool floats = a.kind() == Value::Kind::Float || b.kind() == Value::Kind::Float;
    const double x = a.as_float(), y = b.as_float();
    const std::int64_t i = a.as_int(), j = b.as_int();
    if (op == "+") return floats ? Value(x + y) : Value(i + j);
    if (op == "-") return floats ? Value(x - y) : Value(i - j);
    if (op == "*") return floats ? Value(x * y) : Value(i * j);
    if (op == "**") {
        if (!floats && j >= 0) return Value(static_cast<std::int64_t>(std::llround(std::pow(x, y))));
        return Value(std::pow(x, y));
    }
    if ((floats ? y == 0.0 : j == 0) && (op == "/" || op == "//" || op == "%")) err(line, "division by zero");
    if (op == "/") return Value(x / y);
    if (op == "//") {
        if (floats) return Value(std::floor(x / y));
        std::int64_t q = i / j;
        if ((i % j != 0) && ((i < 0) != (j < 0))) --q;
        return Value(q);
    }
    if (op == "%") {
        if (floats) {
            double r = std::fmod(x, y);
            if (r != 0 && ((r < 0) != (y < 0))) r += y;
            return Value(r);
        }
        std::int64_t r = i % j;
        if (r != 0 && ((r < 0) != (j < 0))) r += j;
        return Value(r);
    }
    return bad();
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

}  // namespace sightline::jinja
