#include "core/text/jinja_methods.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "core/text/jinja.h"
#include "core/text/jinja_builtins.h"

namespace sightline::jinja {
namespace {

[[noreturn]] void err(int line, const std::string& what) {
    throw TemplateError(line, what);
}

}  // namespace

namespace detail {

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

const char* const kStringMethods[] = {"upper",      "lower",    "title",   "capitalize", "strip",
                                      "lstrip",     "rstrip",   "split",   "splitlines", "replace",
                                      "startswith", "endswith", "find",    "count",      "join",
                                      "isdigit",    "isalpha",  "isspace", "isupper",    "islower"};

List items_of(const Value& d) {
    List out;
    for (const auto& [k, v] : d.dict()) out.emplace_back(List{Value(k), v});
    return out;
}

bool is_string_method(const std::string& name) {
    return std::find(std::begin(kStringMethods), std::end(kStringMethods), name) != std::end(kStringMethods);
}

}  // namespace detail

using namespace detail;

std::optional<Value> bound_method(const Value& obj, const std::string& name, int line) {
    if (obj.is_string()) {
        if (!is_string_method(name)) return std::nullopt;
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
