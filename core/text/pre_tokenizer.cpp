#include "core/text/pre_tokenizer.h"

#include <nlohmann/json.hpp>

#include "core/text/json_file.h"
#include "core/util/error.h"

namespace sightline {
namespace {

// GPT-2's pattern, used by ByteLevel when "use_regex" is true.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

SplitBehavior parse_behavior(const std::string& name, const std::string& where) {
    if (name == "Removed") return SplitBehavior::Removed;
    if (name == "Isolated") return SplitBehavior::Isolated;
    if (name == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
    if (name == "MergedWithNext") return SplitBehavior::MergedWithNext;
    if (name == "Contiguous") return SplitBehavior::Contiguous;
    fail(where, ": unsupported Split behavior \"", name, "\"");
}

struct Span {
    std::size_t begin, end;
    bool match;
};

}  // namespace

void PreTokenizer::add_steps(const nlohmann::json& j, const std::string& where, std::vector<Step>& steps,
                             bool& byte_level) {
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        fail(where, ": \"pre_tokenizer\" must be an object with a \"type\"");
    const std::string type = j["type"].get<std::string>();
    if (type == "Sequence") {
        const auto& list = json_required(j, "pretokenizers", true, where);
        for (const auto& inner : list) add_steps(inner, where, steps, byte_level);
    } else if (type == "Split") {
        const auto& pattern = json_required(j, "pattern", false, where);
        Step step;
        if (pattern.contains("Regex") && pattern["Regex"].is_string())
            step.regex = std::make_shared<UnicodeRegex>(pattern["Regex"].get<std::string>(), false, where);
        else if (pattern.contains("String") && pattern["String"].is_string())
            step.regex = std::make_shared<UnicodeRegex>(pattern["String"].get<std::string>(), true, where);
        else
            fail(where, ": Split pre-tokenizer \"pattern\" needs a \"Regex\" or \"String\"");
        step.behavior = parse_behavior(json_string(j, "behavior", "Isolated", where), where);
        step.invert = json_bool(j, "invert", false, where);
        steps.push_back(std::move(step));
    } else if (type == "ByteLevel") {
        Step step;
        step.add_prefix_space = json_bool(j, "add_prefix_space", true, where);
        if (json_bool(j, "use_regex", true, where))
            step.regex = std::make_shared<UnicodeRegex>(kGpt2Pattern, false, where);
        steps.push_back(std::move(step));
        byte_level = true;
    } else {
        fail(where, ": unsupported pre_tokenizer type \"", type,
             "\" (only byte-level BPE is supported: Split, ByteLevel, Sequence)");
    }
}

PreTokenizer PreTokenizer::from_json(const nlohmann::json& j, const std::string& where) {
    if (j.is_null())
        fail(where, ": no pre_tokenizer; only byte-level BPE tokenizer.json files are supported");
    PreTokenizer p;
    bool byte_level = false;
    add_steps(j, where, p.steps_, byte_level);
    if (!byte_level)
        fail(where,
             ": the pre_tokenizer has no ByteLevel step; only byte-level BPE tokenizer.json files are "
             "supported");
    return p;
}

void PreTokenizer::apply(const Step& step, const std::string& piece, std::vector<std::string>& out) {
    std::string text = piece;
    if (step.add_prefix_space && !text.empty() && text[0] != ' ') text.insert(0, " ");
    if (!step.regex) {
        if (!text.empty()) out.push_back(std::move(text));
        return;
    }
    std::vector<Span> spans;
    std::size_t last = 0;
    for (const auto& [b, e] : step.regex->find_all(text)) {
        if (b > last) spans.push_back({last, b, false});
        spans.push_back({b, e, true});
        last = e;
    }
    if (last < text.size()) spans.push_back({last, text.size(), false});
    if (step.invert)
        for (auto& s : spans) s.match = !s.match;

    const auto str = [&](const Span& s) { return text.substr(s.begin, s.end - s.begin); };
    switch (step.behavior) {
        case SplitBehavior::Removed:
            for (const auto& s : spans)
                if (!s.match) out.push_back(str(s));
            break;
        case SplitBehavior::Isolated:
            for (const auto& s : spans) out.push_back(str(s));
            break;
        case SplitBehavior::Contiguous:
            for (std::size_t i = 0; i < spans.size(); ++i) {
                if (spans[i].match && i > 0 && spans[i - 1].match)
                    out.back() += str(spans[i]);
                else
                    out.push_back(str(spans[i]));
            }
            break;
        case SplitBehavior::MergedWithPrevious:
            for (std::size_t i = 0; i < spans.size(); ++i) {
                if (spans[i].match && i > 0 && !spans[i - 1].match)
                    out.back() += str(spans[i]);
                else
                    out.push_back(str(spans[i]));
            }
            break;
        case SplitBehavior::MergedWithNext: {
            std::vector<std::string> reversed;
            for (std::size_t k = spans.size(); k-- > 0;) {
                if (spans[k].match && k + 1 < spans.size() && !spans[k + 1].match)
                    reversed.back().insert(0, str(spans[k]));
                else
                    reversed.push_back(str(spans[k]));
            }
            out.insert(out.end(), reversed.rbegin(), reversed.rend());
            break;
        }
    }
}

std::vector<std::string> PreTokenizer::split(std::string_view text) const {
    std::vector<std::string> pieces{std::string(text)};
    for (const auto& step : steps_) {
        std::vector<std::string> next;
        next.reserve(pieces.size() * 2);
        for (const auto& p : pieces) apply(step, p, next);
        pieces = std::move(next);
    }
    return pieces;
}

}  // namespace sightline
