#pragma once
// One interface for every explainer (built-in or plugin), self-describing parameters so the GUI and CLI
// build their controls from them, and a registry to look explainers up by name.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/explain/explanation.h"
#include "core/model/config.h"

namespace sightline {

class TraceContext;

enum class ParamKind { Int, Double, Bool, Choice, IndexList };

struct ParamSpec {
    std::string name;   // key in the params JSON
    std::string label;  // for GUI controls
    std::string help;
    ParamKind kind = ParamKind::Double;
    nlohmann::json default_value;
    double min = 0, max = 0;           // Int/Double ranges (ignored when min == max)
    std::vector<std::string> choices;  // Choice
    // IndexList: "all" or a list such as "0,2,5-7" over [0, max]; resolved to a sorted list of ints.
};

class Explainer {
  public:
    virtual ~Explainer() = default;
    virtual std::string name() const = 0;   // Captum-style id: "attention", "relevancy", "tam", "cleann"
    virtual std::string title() const = 0;  // "Raw attention"
    virtual std::string description() const = 0;
    // Parameters for a given model (layer/head ranges depend on it).
    virtual std::vector<ParamSpec> params(const ModelConfig& config) const = 0;
    // Instruments (logit lens, causal tracing) rather than saliency methods: computed only when asked for
    // (their tab shown, named on the command line), not in the Compare tab's agreement or the passes that
    // compute every method.
    virtual bool on_demand() const { return false; }
    // `params` are already resolved (see resolve_params). Throws sightline::Error for impossible requests.
    virtual Explanation explain(TraceContext& ctx, std::int64_t target,
                                const nlohmann::json& params) const = 0;
};

// Fills defaults, checks types and ranges, expands IndexList specs; throws a clear Error for unknown keys
// or invalid values (naming the explainer and the parameter).
nlohmann::json resolve_params(const std::string& explainer, const std::vector<ParamSpec>& specs,
                              const nlohmann::json& given);
// "all" / "0,2,5-7" -> sorted unique indices within [0, max]; throws on malformed text or out-of-range.
std::vector<int> parse_index_list(const std::string& text, int max, const std::string& what);

class ExplainerRegistry {
  public:
    void add(std::shared_ptr<const Explainer> explainer);  // replaces one with the same name
    std::shared_ptr<const Explainer> find(const std::string& name) const;
    std::shared_ptr<const Explainer> get(const std::string& name) const;  // throws listing the known names
    std::vector<std::string> names() const;
    std::vector<std::string> compared_names() const;  // names() without the on-demand instruments
    // A registry holding the built-in explainers.
    static ExplainerRegistry with_builtins();

  private:
    std::vector<std::shared_ptr<const Explainer>> items_;
};

}  // namespace sightline
