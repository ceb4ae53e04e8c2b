#pragma once
// The values a chat template computes with, modelled on what Jinja2 does with Python objects: undefined,
// none, bool, int, float, string, list, dict (insertion-ordered, string keys) and callables (macros,
// raise_exception, namespace(), bound methods). Lists and dicts are shared by reference, as in Python, so
// that namespace attribute assignment is seen by every holder.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sightline::jinja {

class Value;
using List = std::vector<Value>;
using Dict = std::vector<std::pair<std::string, Value>>;  // insertion order, like a Python dict
using Args = std::vector<Value>;
using Kwargs = std::vector<std::pair<std::string, Value>>;
using Function = std::function<Value(const Args&, const Kwargs&)>;

class Value {
  public:
    enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Function };

    Value() = default;  // undefined
    static Value none();
    Value(bool b);                                         // NOLINT(google-explicit-constructor)
    Value(std::int64_t i);                                 // NOLINT(google-explicit-constructor)
    Value(int i) : Value(static_cast<std::int64_t>(i)) {}  // NOLINT(google-explicit-constructor)
    Value(double f);                                       // NOLINT(google-explicit-constructor)
    Value(std::string s);                                  // NOLINT(google-explicit-constructor)
    Value(const char* s) : Value(std::string(s)) {}        // NOLINT(google-explicit-constructor)
    Value(List l);                                         // NOLINT(google-explicit-constructor)
    Value(Dict d, bool is_namespace = false);              // NOLINT(google-explicit-constructor)
    static Value function(std::string name, Function f);
    // An undefined value that remembers what was looked up, for error messages.
    static Value undefined(std::string hint);

    Kind kind() const { return kind_; }
    bool is_undefined() const { return kind_ == Kind::Undefined; }
    bool is_none() const { return kind_ == Kind::None; }
    bool is_bool() const { return kind_ == Kind::Bool; }
    bool is_int() const { return kind_ == Kind::Int || kind_ == Kind::Bool; }  // Python: bool is an int
    bool is_number() const { return is_int() || kind_ == Kind::Float; }
    bool is_string() const { return kind_ == Kind::String; }
    bool is_list() const { return kind_ == Kind::List; }
    bool is_dict() const { return kind_ == Kind::Dict; }
    bool is_function() const { return kind_ == Kind::Function; }
    bool is_namespace() const { return kind_ == Kind::Dict && namespace_; }

    bool as_bool() const { return b_; }
    std::int64_t as_int() const { return kind_ == Kind::Bool ? (b_ ? 1 : 0) : i_; }
    double as_float() const { return kind_ == Kind::Float ? f_ : static_cast<double>(as_int()); }
    const std::string& as_string() const { return s_; }  // string text, or the undefined hint
    List& list() const { return *list_; }
    Dict& dict() const { return *dict_; }
    const Function& func() const { return *fn_; }
    const std::string& func_name() const { return s_; }

    // Dict lookup; nullptr when absent (or not a dict).
    const Value* find(const std::string& key) const;
    void set(const std::string& key, Value v) const;  // dict insert or assign

    bool truthy() const;
    // Python's str(): what {{ x }} prints ("" for undefined, "None", "True", "1.5", "['a', 1]").
    std::string str() const;
    // Python's repr() (strings quoted), used inside list and dict printing.
    std::string repr() const;
    std::string type_name() const;

  private:
    Kind kind_ = Kind::Undefined;
    bool b_ = false;
    bool namespace_ = false;
    std::int64_t i_ = 0;
    double f_ = 0.0;
    std::string s_;
    std::shared_ptr<List> list_;
    std::shared_ptr<Dict> dict_;
    std::shared_ptr<Function> fn_;
};

// Python equality (1 == 1.0 == True, lists and dicts element-wise).
bool equal(const Value& a, const Value& b);
// Python ordering of two numbers or two strings; throws sightline::Error on other pairs.
bool less(const Value& a, const Value& b);

Value from_json(const nlohmann::json& j);
Value from_json(const nlohmann::ordered_json& j);  // keeps the key order
nlohmann::json to_json(const Value& v);
// json.dumps(v, ensure_ascii=False) with its default separators, or with `indent` spaces when >= 0.
std::string dump_json(const Value& v, int indent = -1, bool sort_keys = false);

// Python float repr (shortest round trip: 1.0, 0.1, 1e-05, 1e+16).
std::string float_repr(double f);

// UTF-8 code points of a string, each as its bytes (Python indexes and slices strings by code point).
std::vector<std::string> code_points(const std::string& s);

}  // namespace sightline::jinja
