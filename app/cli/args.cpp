#include "app/cli/args.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/util/error.h"

namespace sightline::cli {

Args::Args(const std::vector<std::string>& words, const std::set<std::string>& flags) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.size() > 2 && w.compare(0, 2, "--") == 0) {
            std::string name = w.substr(2);
            const auto eq = name.find('=');
            if (eq != std::string::npos) {
                values_[name.substr(0, eq)] = name.substr(eq + 1);
            } else if (flags.count(name)) {
                flags_.insert(name);
            } else {
                if (i + 1 >= words.size()) fail("option --", name, " needs a value");
                values_[name] = words[++i];
            }
        } else {
            positional_.push_back(w);
        }
    }
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

std::string Args::require(const std::string& name) const {
    const auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) fail("missing required option --", name);
    return it->second;
}

namespace {

// Ranges for the options whose values size work or memory; other integer options need only fit an int.
struct Range {
    const char* name;
    double lo, hi;
};
constexpr Range kRanges[] = {
    {"threads", 0, kMaxThreads},
    {"max-new-tokens", 0, 1'000'000},
    {"top-k", 0, 10'000'000},
    {"temperature", 0, 1e6},
    {"top-p", 0, 1},
    {"n", 0, 100'000'000},
    {"opacity", 0, 1},
};

void check_range(const std::string& name, double x, const std::string& text) {
    for (const auto& r : kRanges)
        if (name == r.name && (x < r.lo || x > r.hi))
            fail("option --", name, " must be between ", r.lo, " and ", r.hi, ", got '", text, "'");
}

}  // namespace

int Args::get_int(const std::string& name, int fallback) const {
    if (!values_.count(name)) return fallback;
    const std::string v = get(name);
    char* end = nullptr;
    errno = 0;
    const long long x = std::strtoll(v.c_str(), &end, 10);
    if (end == v.c_str() || *end != '\0') fail("option --", name, " expects an integer, got '", v, "'");
    if (errno == ERANGE || x < std::numeric_limits<int>::min() || x > std::numeric_limits<int>::max())
        fail("option --", name, " is out of range: '", v, "'");
    check_range(name, static_cast<double>(x), v);
    return static_cast<int>(x);
}

double Args::get_double(const std::string& name, double fallback) const {
    if (!values_.count(name)) return fallback;
    const std::string v = get(name);
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end != '\0') fail("option --", name, " expects a number, got '", v, "'");
    if (!std::isfinite(x)) fail("option --", name, " must be a finite number, got '", v, "'");
    check_range(name, x, v);
    return x;
}

std::uint64_t Args::get_u64(const std::string& name, std::uint64_t fallback) const {
    if (!values_.count(name)) return fallback;
    const std::string v = get(name);
    char* end = nullptr;
    errno = 0;
    const unsigned long long x = std::strtoull(v.c_str(), &end, 10);
    if (end == v.c_str() || *end != '\0' || v.find('-') != std::string::npos)
        fail("option --", name, " expects a non-negative integer, got '", v, "'");
    if (errno == ERANGE) fail("option --", name, " is out of range: '", v, "'");
    return x;
}

void Args::allow_only(const std::set<std::string>& known) const {
    for (const auto& [k, v] : values_)
        if (!known.count(k)) fail("unknown option --", k);
    for (const auto& k : flags_)
        if (!known.count(k)) fail("unknown option --", k);
}

std::vector<std::int64_t> parse_id_list(const std::string& text) {
    std::vector<std::int64_t> ids;
    std::string cur;
    auto flush = [&] {
        if (cur.empty()) return;
        char* end = nullptr;
        const long long v = std::strtoll(cur.c_str(), &end, 10);
        if (*end != '\0') fail("'", cur, "' is not a token id");
        ids.push_back(v);
        cur.clear();
    };
    for (char ch : text) {
        if (ch == ' ' || ch == ',' || ch == '\t' || ch == '\n')
            flush();
        else
            cur += ch;
    }
    flush();
    if (ids.empty()) fail("no token ids given");
    return ids;
}

nlohmann::json method_params_option(const Args& a) {
    if (!a.has("params")) return nlohmann::json::object();
    nlohmann::json params;
    try {
        params = nlohmann::json::parse(a.get("params"));
    } catch (const nlohmann::json::exception& e) {
        fail("--params is not valid JSON: ", e.what());
    }
    if (!params.is_object()) fail("--params must be a JSON object keyed by method name");
    return params;
}

}  // namespace sightline::cli
