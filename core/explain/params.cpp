#include <algorithm>
#include <set>

#include "core/explain/explainer.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {

std::vector<int> parse_index_list(const std::string& text, int max, const std::string& what) {
    const std::string t = trim(text);
    std::set<int> out;
    if (t == "all" || t.empty()) {
        for (int i = 0; i <= max; ++i) out.insert(i);
        return {out.begin(), out.end()};
    }
    auto to_int = [&](const std::string& s) {
        const std::string x = trim(s);
        char* end = nullptr;
        long v = std::strtol(x.c_str(), &end, 10);
        if (x.empty() || *end != '\0')
            fail(what, ": '", x, "' is not an index (use e.g. all, 3, 0,2 or 4-7)");
        if (v < 0) v += max + 1;  // negative counts from the end, like Python
        if (v < 0 || v > max) fail(what, ": index ", x, " is out of range 0..", max);
        return static_cast<int>(v);
    };
    for (const auto& part : split(t, ',')) {
        const auto dash = part.find('-', 1);
        if (dash != std::string::npos) {
            const int a = to_int(part.substr(0, dash)), b = to_int(part.substr(dash + 1));
            if (a > b) fail(what, ": range ", part, " is empty");
            for (int i = a; i <= b; ++i) out.insert(i);
        } else {
            out.insert(to_int(part));
        }
    }
    return {out.begin(), out.end()};
}

nlohmann::json resolve_params(const std::string& explainer, const std::vector<ParamSpec>& specs,
                              const nlohmann::json& given) {
    if (!given.is_null() && !given.is_object()) fail(explainer, ": parameters must be a JSON object");
    nlohmann::json out = nlohmann::json::object();
    std::set<std::string> known;
    for (const auto& s : specs) {
        known.insert(s.name);
        const nlohmann::json v =
            given.is_object() && given.contains(s.name) ? given[s.name] : s.default_value;
        const std::string where = explainer + " parameter '" + s.name + "'";
        switch (s.kind) {
            case ParamKind::Int: {
                if (!v.is_number_integer()) fail(where, " must be an integer");
                const auto x = v.get<std::int64_t>();
                if (s.min != s.max && (x < s.min || x > s.max))
                    fail(where, " must be in [", s.min, ", ", s.max, "]");
                out[s.name] = x;
                break;
            }
            case ParamKind::Double: {
                if (!v.is_number()) fail(where, " must be a number");
                const double x = v.get<double>();
                if (s.min != s.max && (x < s.min || x > s.max))
                    fail(where, " must be in [", s.min, ", ", s.max, "]");
                out[s.name] = x;
                break;
            }
            case ParamKind::Bool:
                if (!v.is_boolean()) fail(where, " must be true or false");
                out[s.name] = v;
                break;
            case ParamKind::Choice: {
                if (!v.is_string() ||
                    std::find(s.choices.begin(), s.choices.end(), v.get<std::string>()) == s.choices.end())
                    fail(where, " must be one of: ", join(s.choices, ", "));
                out[s.name] = v;
                break;
            }
            case ParamKind::IndexList: {
                std::vector<int> list;
                if (v.is_string())
                    list = parse_index_list(v.get<std::string>(), static_cast<int>(s.max), where);
                else if (v.is_number_integer())
                    list = parse_index_list(std::to_string(v.get<int>()), static_cast<int>(s.max), where);
                else if (v.is_array()) {
                    std::string text;
                    for (const auto& x : v) {
                        if (!x.is_number_integer()) fail(where, " must list integers");
                        text += (text.empty() ? "" : ",") + std::to_string(x.get<int>());
                    }
                    list = parse_index_list(text, static_cast<int>(s.max), where);
                } else
                    fail(where, " must be \"all\", an index, a list, or text such as \"0,2,4-7\"");
                if (list.empty()) fail(where, " selects nothing");
                out[s.name] = list;
                break;
            }
        }
    }
    if (given.is_object())
        for (const auto& [k, v] : given.items())
            if (!known.count(k)) fail(explainer, ": unknown parameter '", k, "'");
    return out;
}

void ExplainerRegistry::add(std::shared_ptr<const Explainer> e) {
    for (auto& item : items_)
        if (item->name() == e->name()) {
            item = std::move(e);
            return;
        }
    items_.push_back(std::move(e));
}

std::shared_ptr<const Explainer> ExplainerRegistry::find(const std::string& name) const {
    for (const auto& item : items_)
        if (item->name() == name) return item;
    return nullptr;
}

std::shared_ptr<const Explainer> ExplainerRegistry::get(const std::string& name) const {
    auto e = find(name);
    if (!e) fail("unknown method '", name, "' (available: ", join(names(), ", "), ")");
    return e;
}

std::vector<std::string> ExplainerRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& item : items_) out.push_back(item->name());
    return out;
}

std::vector<std::string> ExplainerRegistry::compared_names() const {
    std::vector<std::string> out;
    for (const auto& e : items_)
        if (!e->on_demand()) out.push_back(e->name());
    return out;
}

}  // namespace sightline
