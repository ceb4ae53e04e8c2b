#include "core/text/jinja.h"

#include <cmath>
#include <unordered_map>

#include "core/text/jinja_ast.h"
#include "core/text/jinja_builtins.h"
#include "core/text/jinja_lexer.h"
#include "core/text/jinja_parser.h"

namespace sightline::jinja {

TemplateError::TemplateError(int line, const std::string& message)
    : Error(line > 0 ? "chat template line " + std::to_string(line) + ": " + message
                     : "chat template: " + message),
      line_(line),
      detail_(message) {}

namespace {

enum class Flow { Normal, Break, Continue };

[[noreturn]] void err(int line, const std::string& what) {
    throw TemplateError(line, what);
}

Value undefined_error_value(const Value& v, int line) {
    err(line, v.as_string().empty() ? std::string("a value is undefined") : v.as_string());
}

class Renderer {
  public:
    Renderer(const Limits& limits, const Value& variables) : limits_(limits) {
        globals_ = global_functions();
        frames_.emplace_back();
        if (variables.is_dict())
            for (const auto& [k, v] : variables.dict()) frames_.back()[k] = v;
    }

    std::string run(const Body& body) {
        exec(body);
        return std::move(out_);
    }

  private:
    using Frame = std::unordered_map<std::string, Value>;
    const Limits& limits_;
    Dict globals_;
    std::vector<Frame> frames_;
    std::string out_;
    std::size_t iterations_ = 0;
    int depth_ = 0;

    void write(const std::string& s, int line) {
        out_ += s;
        if (out_.size() > limits_.max_output_bytes)
            err(line, "the output exceeds " + std::to_string(limits_.max_output_bytes) + " bytes");
    }

    Value lookup(const std::string& name) const {
        for (auto f = frames_.rbegin(); f != frames_.rend(); ++f) {
            const auto it = f->find(name);
            if (it != f->end()) return it->second;
        }
        for (const auto& [k, v] : globals_)
            if (k == name) return v;
        return Value::undefined("'" + name + "' is undefined");
    }
    void assign(const std::string& name, Value v) { frames_.back()[name] = std::move(v); }

    Flow exec(const Body& body) {
        for (const auto& n : body) {
            const Flow f = exec_node(*n);
            if (f != Flow::Normal) return f;
        }
        return Flow::Normal;
    }

    Flow exec_node(const Node& n) {
        try {
            return exec_node_unchecked(n);
        } catch (const TemplateError&) {
            throw;
        } catch (const Error& e) {
            err(n.line, e.what());
        }
    }

    Flow exec_node_unchecked(const Node& n) {
        switch (n.kind) {
            case Node::Kind::Text:
                write(n.text, n.line);
                return Flow::Normal;
            case Node::Kind::Output:
                write(eval(*n.expr).str(), n.line);
                return Flow::Normal;
            case Node::Kind::If:
                for (const auto& [cond, body] : n.branches)
                    if (!cond || eval(*cond).truthy()) return exec(body);
                return Flow::Normal;
            case Node::Kind::For:
                exec_for(n);
                return Flow::Normal;
            case Node::Kind::Set:
                exec_set(n);
                return Flow::Normal;
            case Node::Kind::SetBlock:
                assign(n.targets[0], Value(capture(n.body)));
                return Flow::Normal;
            case Node::Kind::Macro:
                assign(n.text, make_macro(n));
                return Flow::Normal;
            case Node::Kind::CallBlock: {
                frames_.emplace_back();
                assign("caller", Value::function("caller", [this, &n](const Args&, const Kwargs&) {
                           return Value(capture(n.body));
                       }));
                const Value v = eval(*n.expr);
                frames_.pop_back();
                write(v.str(), n.line);
                return Flow::Normal;
            }
            case Node::Kind::FilterBlock: {
                frames_.emplace_back();
                assign("__body__", Value(capture(n.body)));
                const Value v = eval(*n.expr);
                frames_.pop_back();
                write(v.str(), n.line);
                return Flow::Normal;
            }
            case Node::Kind::Break:
                return Flow::Break;
            case Node::Kind::Continue:
                return Flow::Continue;
            case Node::Kind::Passthrough:
                return exec(n.body);
        }
        return Flow::Normal;
    }

    std::string capture(const Body& body) {
        std::string saved = std::move(out_);
        out_.clear();
        exec(body);
        std::string result = std::move(out_);
        out_ = std::move(saved);
        return result;
    }

    void bind_targets(const std::vector<std::string>& targets, const Value& v, int line) {
        if (targets.size() == 1) {
            assign(targets[0], v);
            return;
        }
        const List items = iterate(v, line);
        if (items.size() != targets.size())
            err(line, "cannot unpack " + std::to_string(items.size()) + " values into " +
                          std::to_string(targets.size()) + " names");
        for (std::size_t i = 0; i < targets.size(); ++i) assign(targets[i], items[i]);
    }

    void exec_for(const Node& n) {
        const Value seq = eval(*n.expr);
        if (seq.is_none() || seq.is_number() || seq.is_function())
            err(n.line, "cannot loop over " + seq.type_name());
        List items = iterate(seq, n.line);
        frames_.emplace_back();
        if (n.filter) {
            List kept;
            for (auto& item : items) {
                bind_targets(n.targets, item, n.line);
                if (eval(*n.filter).truthy()) kept.push_back(std::move(item));
            }
            items = std::move(kept);
        }
        if (items.empty()) {
            frames_.pop_back();
            exec(n.else_body);
            return;
        }
        const auto len = static_cast<std::int64_t>(items.size());
        for (std::int64_t i = 0; i < len; ++i) {
            if (++iterations_ > limits_.max_loop_iterations)
                err(n.line, "more than " + std::to_string(limits_.max_loop_iterations) + " loop iterations");
            const auto& item = items[static_cast<std::size_t>(i)];
            bind_targets(n.targets, item, n.line);
            Dict loop{{"index", Value(i + 1)},
                      {"index0", Value(i)},
                      {"revindex", Value(len - i)},
                      {"revindex0", Value(len - i - 1)},
                      {"first", Value(i == 0)},
                      {"last", Value(i == len - 1)},
                      {"length", Value(len)},
                      {"depth", Value(1)},
                      {"depth0", Value(0)},
                      {"previtem", i > 0 ? items[static_cast<std::size_t>(i - 1)]
                                         : Value::undefined("'loop.previtem' is undefined")},
                      {"nextitem", i + 1 < len ? items[static_cast<std::size_t>(i + 1)]
                                               : Value::undefined("'loop.nextitem' is undefined")}};
            loop.emplace_back("cycle", Value::function("loop.cycle", [i](const Args& a, const Kwargs&) {
                                  if (a.empty()) fail("loop.cycle() needs at least one value");
                                  return a[static_cast<std::size_t>(i) % a.size()];
                              }));
            assign("loop", Value(std::move(loop)));
            if (exec(n.body) == Flow::Break) break;
        }
        frames_.pop_back();
    }

    void exec_set(const Node& n) {
        Value v = eval(*n.expr);
        if (n.attr_of) {
            const Value obj = eval(*n.attr_of);
            if (!obj.is_namespace())
                err(n.line, "cannot assign attribute '" + n.text + "' on a " + obj.type_name() +
                                " (only namespace() objects take attributes)");
            obj.set(n.text, std::move(v));
            return;
        }
        bind_targets(n.targets, v, n.line);
    }

    Value make_macro(const Node& n) {
        return Value::function(n.text, [this, &n](const Args& args, const Kwargs& kwargs) {
            if (++depth_ > limits_.max_depth) err(n.line, "macro calls nested too deeply");
            if (args.size() > n.params.size())
                err(n.line, "macro '" + n.text + "' takes " + std::to_string(n.params.size()) + " arguments");
            Frame frame;
            const Value caller = lookup("caller");
            if (caller.is_function()) frame["caller"] = caller;
            for (std::size_t i = 0; i < n.params.size(); ++i) {
                const auto& [name, def] = n.params[i];
                Value v = i < args.size()
                              ? args[i]
                              : (def ? eval(*def) : Value::undefined("'" + name + "' is undefined"));
                for (const auto& [k, kv] : kwargs)
                    if (k == name) v = kv;
                frame[name] = std::move(v);
            }
            std::vector<Frame> saved = std::move(frames_);
            frames_.clear();
            frames_.push_back(saved.front());
            frames_.push_back(std::move(frame));
            std::string text;
            try {
                text = capture(n.body);
            } catch (...) {
                frames_ = std::move(saved);
                --depth_;
                throw;
            }
            frames_ = std::move(saved);
            --depth_;
            return Value(std::move(text));
        });
    }

    // ---- expressions ----

    Value eval(const Expr& e) {
        switch (e.kind) {
            case Expr::Kind::Literal:
                return e.value;
            case Expr::Kind::Name:
                return lookup(e.name);
            case Expr::Kind::List:
            case Expr::Kind::Tuple: {
                List l;
                for (const auto& a : e.args) l.push_back(eval(*a));
                return Value(std::move(l));
            }
            case Expr::Kind::Dict: {
                Value d{Dict{}};
                for (std::size_t i = 0; i + 1 < e.args.size(); i += 2)
                    d.set(eval(*e.args[i]).str(), eval(*e.args[i + 1]));
                return d;
            }
            case Expr::Kind::Attr:
                return get_attr(eval(*e.args[0]), e.name, e.line);
            case Expr::Kind::Subscript:
                return get_item(eval(*e.args[0]), eval(*e.args[1]), e.line);
            case Expr::Kind::Slice:
                return slice(e);
            case Expr::Kind::Call:
                return call(e);
            case Expr::Kind::Filter: {
                const Value input = eval(*e.args[0]);
                Args args;
                for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(eval(*e.args[i]));
                return bounded(apply_filter(e.name, input, args, eval_kwargs(e), e.line), e.line);
            }
            case Expr::Kind::Test: {
                const Value v = eval(*e.args[0]);
                Args args;
                for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(eval(*e.args[i]));
                return Value(apply_test(e.name, v, args, e.line) != e.negated);
            }
            case Expr::Kind::Unary: {
                const Value v = eval(*e.args[0]);
                if (e.name == "not") return Value(!v.truthy());
                if (v.is_undefined()) undefined_error_value(v, e.line);
                if (!v.is_number())
                    err(e.line, "bad operand type for unary " + e.name + ": " + v.type_name());
                if (e.name == "+") return v.kind() == Value::Kind::Float ? v : Value(v.as_int());
                return v.kind() == Value::Kind::Float ? Value(-v.as_float()) : Value(-v.as_int());
            }
            case Expr::Kind::Binary:
                return bounded(binary(e), e.line);
            case Expr::Kind::Cond:
                if (eval(*e.args[1]).truthy()) return eval(*e.args[0]);
                return e.args[2] ? eval(*e.args[2])
                                 : Value::undefined("the missing else branch is undefined");
        }
        return Value();
    }

    Kwargs eval_kwargs(const Expr& e) {
        Kwargs kw;
        for (const auto& [k, v] : e.kwargs) kw.emplace_back(k, eval(*v));
        return kw;
    }

    Value get_attr(const Value& obj, const std::string& name, int line) {
        if (obj.is_undefined()) undefined_error_value(obj, line);
        if (obj.is_dict() && !obj.is_namespace()) {
            static const char* dict_methods[] = {"items", "keys", "values", "get"};
            for (const char* m : dict_methods)
                if (name == m) return *bound_method(obj, name, line);
        }
        if (const Value* v = obj.find(name)) return *v;
        if (auto m = bound_method(obj, name, line)) return *m;
        return Value::undefined("'" + obj.type_name() + " object' has no attribute '" + name + "'");
    }

    Value get_item(const Value& obj, const Value& key, int line) {
        if (obj.is_undefined()) undefined_error_value(obj, line);
        if (obj.is_dict()) {
            if (const Value* v = obj.find(key.str())) return *v;
            if (key.is_string()) return get_attr(obj, key.as_string(), line);
            return Value::undefined("'dict object' has no item " + key.repr());
        }
        if ((obj.is_list() || obj.is_string()) && key.is_int()) {
            std::vector<std::string> cps;
            if (obj.is_string()) cps = code_points(obj.as_string());
            const auto n = static_cast<std::int64_t>(obj.is_list() ? obj.list().size() : cps.size());
            std::int64_t i = key.as_int();
            if (i < 0) i += n;
            if (i < 0 || i >= n)
                return Value::undefined(obj.type_name() + " index " + key.str() + " (out of range)");
            return obj.is_list() ? obj.list()[static_cast<std::size_t>(i)]
                                 : Value(cps[static_cast<std::size_t>(i)]);
        }
        if (key.is_string()) return get_attr(obj, key.as_string(), line);
        return Value::undefined("'" + obj.type_name() + " object' has no item " + key.repr());
    }

    Value slice(const Expr& e) {
        const Value obj = eval(*e.args[0]);
        if (obj.is_undefined()) undefined_error_value(obj, e.line);
        auto opt = [&](int k) -> std::optional<std::int64_t> {
            if (!e.args[static_cast<std::size_t>(k)]) return std::nullopt;
            const Value v = eval(*e.args[static_cast<std::size_t>(k)]);
            if (v.is_none()) return std::nullopt;
            if (!v.is_int()) err(e.line, "slice indices must be integers, not " + v.type_name());
            return v.as_int();
        };
        const auto start = opt(1), stop = opt(2), step_opt = opt(3);
        const std::int64_t step = step_opt.value_or(1);
        if (step == 0) err(e.line, "slice step cannot be zero");
        List src;
        if (obj.is_list()) {
            src = obj.list();
        } else if (obj.is_string()) {
            for (auto& c : code_points(obj.as_string())) src.emplace_back(std::move(c));
        } else {
            err(e.line, "cannot slice a " + obj.type_name());
        }
        const auto n = static_cast<std::int64_t>(src.size());
        auto clamp = [&](std::optional<std::int64_t> v, std::int64_t def) {
            if (!v) return def;
            std::int64_t x = *v < 0 ? *v + n : *v;
            if (step > 0) return std::clamp<std::int64_t>(x, 0, n);
            return std::clamp<std::int64_t>(x, -1, n - 1);
        };
        const std::int64_t b = clamp(start, step > 0 ? 0 : n - 1);
        const std::int64_t s = clamp(stop, step > 0 ? n : -1);
        List out;
        for (std::int64_t i = b; step > 0 ? i < s : i > s; i += step)
            out.push_back(src[static_cast<std::size_t>(i)]);
        if (obj.is_list()) return Value(std::move(out));
        std::string str;
        for (const auto& c : out) str += c.as_string();
        return Value(std::move(str));
    }

    Value call(const Expr& e) {
        const Expr& callee = *e.args[0];
        Value f = eval(callee);
        Args args;
        for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(eval(*e.args[i]));
        const Kwargs kwargs = eval_kwargs(e);
        if (!f.is_function()) {
            if (callee.kind == Expr::Kind::Attr)
                err(e.line, "unsupported construct: method '" + callee.name + "' (" + f.as_string() + ")");
            if (callee.kind == Expr::Kind::Name && f.is_undefined())
                err(e.line, "unsupported construct: function '" + callee.name + "'");
            err(e.line, "a " + f.type_name() + " is not callable");
        }
        if (++depth_ > limits_.max_depth + 8) err(e.line, "calls nested too deeply");
        try {
            Value r = f.func()(args, kwargs);
            --depth_;
            return r;
        } catch (const TemplateError& t) {
            --depth_;
            if (t.line() == 0) err(e.line, t.detail());
            throw;
        } catch (const Error& ex) {
            --depth_;
            err(e.line, ex.what());
        }
    }

    // Strings and lists built by operators and filters stay within the output limit (s = s ~ s doubling).
    Value bounded(Value v, int line) const {
        if ((v.is_string() && v.as_string().size() > limits_.max_output_bytes) ||
            (v.is_list() && v.list().size() > limits_.max_loop_iterations))
            err(line, "a value grew past the output limit of " + std::to_string(limits_.max_output_bytes) +
                          " bytes");
        return v;
    }

    Value binary(const Expr& e) {
        const std::string& op = e.name;
        if (op == "and") {
            Value a = eval(*e.args[0]);
            return a.truthy() ? eval(*e.args[1]) : a;
        }
        if (op == "or") {
            Value a = eval(*e.args[0]);
            return a.truthy() ? a : eval(*e.args[1]);
        }
        const Value a = eval(*e.args[0]);
        const Value b = eval(*e.args[1]);
        if (op == "==") return Value(equal(a, b));
        if (op == "!=") return Value(!equal(a, b));
        if (op == "in" || op == "not in") return Value(contains(b, a, e.line) == (op == "in"));
        if (op == "~") return Value(a.str() + b.str());
        if (a.is_undefined()) undefined_error_value(a, e.line);
        if (b.is_undefined()) undefined_error_value(b, e.line);
        if (op == "<") return Value(less(a, b));
        if (op == ">") return Value(less(b, a));
        if (op == "<=") return Value(!less(b, a));
        if (op == ">=") return Value(!less(a, b));
        return arithmetic(op, a, b, e.line);
    }
};

}  // namespace

struct Template::Impl {
    Options options;
    Body body;
};

Template::Template(const std::string& source, Options options) : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    impl_->body = parse(lex(source, options.trim_blocks, options.lstrip_blocks), options.limits.max_depth);
}
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

std::string Template::render(const Value& variables) const {
    return Renderer(impl_->options.limits, variables).run(impl_->body);
}

}  // namespace sightline::jinja
