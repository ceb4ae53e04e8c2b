#pragma once
// Minimal command-line option parsing for sightline-cli: "--name value", "--flag", positional words.
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace sightline::cli {

// The most threads --threads accepts (0 means one per core).
constexpr int kMaxThreads = 1024;

// Integer options must fit an int (no silent wrap: --max-new-tokens 4294967297 is an error), numbers
// must be finite, and --threads, --max-new-tokens, --top-k, --temperature, --top-p, --opacity and --n
// must lie in their ranges (args.cpp); each violation throws sightline::Error naming the option.
class Args {
  public:
    // `flags` are options without a value; every other "--x" takes the next word as its value.
    Args(const std::vector<std::string>& words, const std::set<std::string>& flags);

    bool has(const std::string& name) const { return values_.count(name) != 0 || flags_.count(name) != 0; }
    std::string get(const std::string& name, const std::string& fallback = "") const;
    std::string require(const std::string& name) const;
    int get_int(const std::string& name, int fallback) const;
    double get_double(const std::string& name, double fallback) const;
    std::uint64_t get_u64(const std::string& name, std::uint64_t fallback) const;
    const std::vector<std::string>& positional() const { return positional_; }
    // Throws when an option outside `known` was given (catches typos such as --max-new-token).
    void allow_only(const std::set<std::string>& known) const;

  private:
    std::map<std::string, std::string> values_;
    std::set<std::string> flags_;
    std::vector<std::string> positional_;
};

// The --params option: a JSON object keyed by method name (an empty object when absent); throws a clear error
// for invalid JSON or another JSON type.
nlohmann::json method_params_option(const Args& a);

// Parses "1 2 3" or "1,2,3" into ids.
std::vector<std::int64_t> parse_id_list(const std::string& text);

}  // namespace sightline::cli
