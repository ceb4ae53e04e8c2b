#include "core/text/jinja_value.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/util/error.h"

namespace sightline::jinja {

Value Value::none() {
    Value v;
    v.kind_ = Kind::None;
    return v;
}
Value::Value(bool b) : kind_(Kind::Bool), b_(b) {}
Value::Value(std::int64_t i) : kind_(Kind::Int), i_(i) {}
Value::Value(double f) : kind_(Kind::Float), f_(f) {}
Value::Value(std::string s) : kind_(Kind::String), s_(std::move(s)) {}
Value::Value(List l) : kind_(Kind::List), list_(std::make_shared<List>(std::move(l))) {}
Value::Value(Dict d, bool is_namespace)
    : kind_(Kind::Dict), namespace_(is_namespace), dict_(std::make_shared<Dict>(std::move(d))) {}

Value Value::function(std::string name, Function f) {
    Value v;
    v.kind_ = Kind::Function;
    v.s_ = std::move(name);
    v.fn_ = std::make_shared<Function>(std::move(f));
    return v;
}

Value Value::undefined(std::string hint) {
    Value v;
    v.s_ = std::move(hint);
    return v;
}

const Value* Value::find(const std::string& key) const {
    if (kind_ != Kind::Dict) return nullptr;
    for (const auto& [k, v] : *dict_)
        if (k == key) return &v;
    return nullptr;
}

void Value::set(const std::string& key, Value v) const {
    for (auto& kv : *dict_)
        if (kv.first == key) {
            kv.second = std::move(v);
            return;
        }
    dict_->emplace_back(key, std::move(v));
}

bool Value::truthy() const {
    switch (kind_) {
        case Kind::Undefined:
        case Kind::None:
            return false;
        case Kind::Bool:
            return b_;
        case Kind::Int:
            return i_ != 0;
        case Kind::Float:
            return f_ != 0.0;
        case Kind::String:
            return !s_.empty();
        case Kind::List:
            return !list_->empty();
        case Kind::Dict:
            return !dict_->empty();
        case Kind::Function:
            return true;
    }
    return false;
}

std::string float_repr(double f) {
    if (std::isnan(f)) return "nan";
    if (std::isinf(f)) return f < 0 ? "-inf" : "inf";
    char buf[40];
    for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
        if (std::strtod(buf, nullptr) == f) break;
    }
    // buf = d.ddde±XX: Python writes positional notation for exponents in [-4, 16).
    std::string s(buf);
    const auto e = s.find('e');
    const int exp = std::atoi(s.c_str() + e + 1);
    std::string mant = s.substr(0, e);
    const bool neg = !mant.empty() && mant[0] == '-';
    if (neg) mant.erase(0, 1);
    std::string digits;
    for (char c : mant)
        if (c != '.') digits += c;
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    std::string out;
    if (exp >= -4 && exp < 16) {
        if (exp < 0) {
            out = "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
        } else if (static_cast<std::size_t>(exp) + 1 >= digits.size()) {
            out = digits + std::string(static_cast<std::size_t>(exp) + 1 - digits.size(), '0') + ".0";
        } else {
            out = digits.substr(0, static_cast<std::size_t>(exp) + 1) + "." +
                  digits.substr(static_cast<std::size_t>(exp) + 1);
        }
    } else {
        out = digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        char eb[16];
        std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
        out += eb;
    }
    return neg ? "-" + out : out;
}

namespace {

std::string repr_string(const std::string& s) {
    const char q = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
    std::string out(1, q);
    for (unsigned char c : s) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == static_cast<unsigned char>(q)) {
            out += '\\';
            out += q;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", c);
            out += b;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + q;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20) {
                    char b[8];
                    std::snprintf(b, sizeof b, "\\u%04x", c);
                    out += b;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

void dump(const Value& v, int indent, bool sort_keys, int depth, std::string& out) {
    const std::string item_sep = indent >= 0 ? "," : ", ";
    auto newline = [&](int d) {
        if (indent < 0) return;
        out += '\n';
        out += std::string(static_cast<std::size_t>(indent * d), ' ');
    };
    if (depth > 100) fail("tojson: value nested too deeply");
    switch (v.kind()) {
        case Value::Kind::Undefined:
        case Value::Kind::None:
            out += "null";
            return;
        case Value::Kind::Bool:
            out += v.as_bool() ? "true" : "false";
            return;
        case Value::Kind::Int:
            out += std::to_string(v.as_int());
            return;
        case Value::Kind::Float: {
            const double f = v.as_float();
            out += std::isnan(f) ? "NaN" : std::isinf(f) ? (f < 0 ? "-Infinity" : "Infinity") : float_repr(f);
            return;
        }
        case Value::Kind::String:
            out += json_string(v.as_string());
            return;
        case Value::Kind::List: {
            if (v.list().empty()) {
                out += "[]";
                return;
            }
            out += '[';
            for (std::size_t i = 0; i < v.list().size(); ++i) {
                if (i) out += item_sep;
                newline(depth + 1);
                dump(v.list()[i], indent, sort_keys, depth + 1, out);
            }
            newline(depth);
            out += ']';
            return;
        }
        case Value::Kind::Dict: {
            if (v.dict().empty()) {
                out += "{}";
                return;
            }
            Dict items = v.dict();
            if (sort_keys)
                std::stable_sort(items.begin(), items.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
            out += '{';
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (i) out += item_sep;
                newline(depth + 1);
                out += json_string(items[i].first) + ": ";
                dump(items[i].second, indent, sort_keys, depth + 1, out);
            }
            newline(depth);
            out += '}';
            return;
        }
        case Value::Kind::Function:
            fail("tojson: a function (", v.func_name(), ") is not JSON serializable");
    }
}

}  // namespace

std::string Value::repr() const {
    if (kind_ == Kind::String) return repr_string(s_);
    if (kind_ == Kind::Undefined) return "Undefined";
    return str();
}

std::string Value::str() const {
    switch (kind_) {
        case Kind::Undefined:
            return "";
        case Kind::None:
            return "None";
        case Kind::Bool:
            return b_ ? "True" : "False";
        case Kind::Int:
            return std::to_string(i_);
        case Kind::Float:
            return float_repr(f_);
        case Kind::String:
            return s_;
        case Kind::List: {
            std::string out = "[";
            for (std::size_t i = 0; i < list_->size(); ++i) out += (i ? ", " : "") + (*list_)[i].repr();
            return out + "]";
        }
        case Kind::Dict: {
            if (namespace_) return "<Namespace>";
            std::string out = "{";
            for (std::size_t i = 0; i < dict_->size(); ++i)
                out += (i ? ", " : "") + repr_string((*dict_)[i].first) + ": " + (*dict_)[i].second.repr();
            return out + "}";
        }
        case Kind::Function:
            return "<function " + s_ + ">";
    }
    return "";
}

std::string Value::type_name() const {
    switch (kind_) {
        case Kind::Undefined:
            return "undefined";
        case Kind::None:
            return "none";
        case Kind::Bool:
            return "bool";
        case Kind::Int:
            return "int";
        case Kind::Float:
            return "float";
        case Kind::String:
            return "string";
        case Kind::List:
            return "list";
        case Kind::Dict:
            return namespace_ ? "namespace" : "dict";
        case Kind::Function:
            return "function";
    }
    return "?";
}

bool equal(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.kind() == Value::Kind::Float || b.kind() == Value::Kind::Float)
            return a.as_float() == b.as_float();
        return a.as_int() == b.as_int();
    }
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case Value::Kind::Undefined:
        case Value::Kind::None:
            return true;
        case Value::Kind::String:
            return a.as_string() == b.as_string();
        case Value::Kind::List:
            if (a.list().size() != b.list().size()) return false;
            for (std::size_t i = 0; i < a.list().size(); ++i)
                if (!equal(a.list()[i], b.list()[i])) return false;
            return true;
        case Value::Kind::Dict:
            if (a.dict().size() != b.dict().size()) return false;
            for (const auto& [k, v] : a.dict()) {
                const Value* o = b.find(k);
                if (!o || !equal(v, *o)) return false;
            }
            return true;
        case Value::Kind::Function:
            return &a.func() == &b.func();
        default:
            return false;
    }
}

bool less(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.kind() == Value::Kind::Float || b.kind() == Value::Kind::Float)
            return a.as_float() < b.as_float();
        return a.as_int() < b.as_int();
    }
    if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
    if (a.is_list() && b.is_list()) {
        const auto& x = a.list();
        const auto& y = b.list();
        for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
            if (less(x[i], y[i])) return true;
            if (less(y[i], x[i])) return false;
        }
        return x.size() < y.size();
    }
    fail("cannot compare ", a.type_name(), " with ", b.type_name());
}

template <typename Json>
Value from_json_impl(const Json& j) {
    switch (j.type()) {
        case Json::value_t::null:
            return Value::none();
        case Json::value_t::boolean:
            return Value(j.template get<bool>());
        case Json::value_t::number_integer:
            return Value(j.template get<std::int64_t>());
        case Json::value_t::number_unsigned:
            return Value(static_cast<std::int64_t>(j.template get<std::uint64_t>()));
        case Json::value_t::number_float:
            return Value(j.template get<double>());
        case Json::value_t::string:
            return Value(j.template get<std::string>());
        case Json::value_t::array: {
            List l;
            for (const auto& e : j) l.push_back(from_json_impl(e));
            return Value(std::move(l));
        }
        case Json::value_t::object: {
            Dict d;
            for (auto it = j.begin(); it != j.end(); ++it)
                d.emplace_back(it.key(), from_json_impl(it.value()));
            return Value(std::move(d));
        }
        default:
            fail("chat template: unsupported JSON value");
    }
}

Value from_json(const nlohmann::json& j) {
    return from_json_impl(j);
}
Value from_json(const nlohmann::ordered_json& j) {
    return from_json_impl(j);
}

nlohmann::json to_json(const Value& v) {
    return nlohmann::json::parse(dump_json(v));
}

std::string dump_json(const Value& v, int indent, bool sort_keys) {
    std::string out;
    dump(v, indent, sort_keys, 0, out);
    return out;
}

std::vector<std::string> code_points(const std::string& s) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        n = std::min(n, s.size() - i);
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

}  // namespace sightline::jinja
