#include "core/text/hf_pre_tokenizer.h"

#include <nlohmann/json.hpp>

#include "core/text/byte_level.h"
#include "core/text/json_file.h"
#include "core/util/error.h"
#include "core/util/strings.h"

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
    fail(where, ": pre_tokenizer Split behavior '", name, "' is not supported");
}

struct Span {
    std::size_t begin, end;
    bool match;
};

// Matches of a literal: left to right, not overlapping.
std::vector<std::pair<std::size_t, std::size_t>> find_literal(const std::string& text,
                                                              const std::string& lit) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (std::size_t pos = text.find(lit); pos != std::string::npos; pos = text.find(lit, pos + lit.size()))
        out.emplace_back(pos, pos + lit.size());
    return out;
}

// Hugging Face's SplitDelimiterBehavior over the match / non-match spans of a text: the byte ranges
// of the resulting pieces.
std::vector<std::pair<std::size_t, std::size_t>> split_spans(
    const std::vector<std::pair<std::size_t, std::size_t>>& matches, std::size_t size, SplitBehavior behavior,
    bool invert) {
    std::vector<Span> spans;
    std::size_t last = 0;
    for (const auto& [b, e] : matches) {
        if (b > last) spans.push_back({last, b, invert});
        spans.push_back({b, e, !invert});
        last = e;
    }
    if (last < size) spans.push_back({last, size, invert});

    std::vector<std::pair<std::size_t, std::size_t>> out;
    switch (behavior) {
        case SplitBehavior::Removed:
            for (const auto& s : spans)
                if (!s.match) out.emplace_back(s.begin, s.end);
            break;
        case SplitBehavior::Isolated:
            for (const auto& s : spans) out.emplace_back(s.begin, s.end);
            break;
        case SplitBehavior::Contiguous:
            for (std::size_t i = 0; i < spans.size(); ++i) {
                if (i > 0 && spans[i].match == spans[i - 1].match)
                    out.back().second = spans[i].end;
                else
                    out.emplace_back(spans[i].begin, spans[i].end);
            }
            break;
        case SplitBehavior::MergedWithPrevious:
            for (std::size_t i = 0; i < spans.size(); ++i) {
                if (spans[i].match && i > 0 && !spans[i - 1].match)
                    out.back().second = spans[i].end;
                else
                    out.emplace_back(spans[i].begin, spans[i].end);
            }
            break;
        case SplitBehavior::MergedWithNext: {
            std::vector<std::pair<std::size_t, std::size_t>> reversed;
            for (std::size_t k = spans.size(); k-- > 0;) {
                if (spans[k].match && k + 1 < spans.size() && !spans[k + 1].match)
                    reversed.back().first = spans[k].begin;
                else
                    reversed.emplace_back(spans[k].begin, spans[k].end);
            }
            out.assign(reversed.rbegin(), reversed.rend());
            break;
        }
    }
    return out;
}

std::string replace_all(const std::string& text, char from, const std::string& to) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == from)
            out += to;
        else
            out += c;
    }
    return out;
}

}  // namespace

void HfPreTokenizer::add(const nlohmann::json& j, const std::string& where, std::vector<Step>& steps) {
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        fail(where, ": a \"pre_tokenizer\" must be an object with a \"type\"");
    const std::string type = j["type"].get<std::string>();
    Step step;
    if (type == "Sequence") {
        const auto& list = json_required(j, "pretokenizers", true, where);
        for (const auto& inner : list) add(inner, where, steps);
        return;
    }
    if (type == "Split") {
        step.kind = Kind::Split;
        const auto it = j.find("pattern");
        if (it == j.end() || !it->is_object())
            fail(where, ": pre_tokenizer Split needs a \"pattern\" with a \"String\" or a \"Regex\"");
        if (it->contains("Regex") && (*it)["Regex"].is_string()) {
            step.regex = std::make_shared<UnicodeRegex>((*it)["Regex"].get<std::string>(), false, where);
        } else if (it->contains("String") && (*it)["String"].is_string()) {
            step.literal = (*it)["String"].get<std::string>();
            if (step.literal.empty()) fail(where, ": pre_tokenizer Split has an empty \"String\" pattern");
        } else {
            fail(where, ": pre_tokenizer Split \"pattern\" needs a \"String\" or a \"Regex\", not ",
                 brief(it->dump()));
        }
        step.behavior = parse_behavior(json_string(j, "behavior", "Isolated", where), where);
        step.invert = json_bool(j, "invert", false, where);
    } else if (type == "Digits") {
        // Numbers (Unicode N*, as Rust's char::is_numeric) one by one, or runs of them.
        step.kind = Kind::Split;
        step.regex = std::make_shared<UnicodeRegex>("\\p{N}", false, where);
        step.behavior = json_bool(j, "individual_digits", false, where) ? SplitBehavior::Isolated
                                                                        : SplitBehavior::Contiguous;
    } else if (type == "ByteLevel") {
        step.kind = Kind::ByteLevel;
        step.add_prefix_space = json_bool(j, "add_prefix_space", true, where);
        if (json_bool(j, "use_regex", true, where))
            step.regex = std::make_shared<UnicodeRegex>(kGpt2Pattern, false, where);
    } else if (type == "Metaspace") {
        step.kind = Kind::Metaspace;
        step.replacement = json_string(j, "replacement", "\xE2\x96\x81", where);
        if (step.replacement.empty()) fail(where, ": pre_tokenizer Metaspace has an empty \"replacement\"");
        const auto scheme = j.find("prepend_scheme");
        if (scheme != j.end() && !scheme->is_null()) {
            const std::string s = json_string(j, "prepend_scheme", "always", where);
            if (s == "always")
                step.prepend = Step::Prepend::Always;
            else if (s == "first")
                step.prepend = Step::Prepend::First;
            else if (s == "never")
                step.prepend = Step::Prepend::Never;
            else
                fail(where, ": pre_tokenizer Metaspace prepend_scheme '", s, "' is not supported");
        } else {
            // Files from before prepend_scheme say add_prefix_space.
            step.prepend =
                json_bool(j, "add_prefix_space", true, where) ? Step::Prepend::Always : Step::Prepend::Never;
        }
        step.split = json_bool(j, "split", true, where);
    } else {
        fail(where, ": pre_tokenizer type '", type,
             "' is not supported (supported: Split, Digits, ByteLevel, Metaspace, Sequence)");
    }
    steps.push_back(std::move(step));
}

HfPreTokenizer HfPreTokenizer::from_json(const nlohmann::json& j, const std::string& where) {
    HfPreTokenizer p;
    if (j.is_null()) return p;
    add(j, where, p.steps_);
    for (const auto& s : p.steps_) p.byte_level_ = p.byte_level_ || s.kind == Kind::ByteLevel;
    return p;
}

void HfPreTokenizer::apply(const Step& step, Piece piece, std::vector<Piece>& out) {
    std::string& text = piece.text;
    std::vector<std::pair<std::size_t, std::size_t>> ranges;
    switch (step.kind) {
        case Kind::Split:
            ranges = split_spans(step.regex ? step.regex->find_all(text) : find_literal(text, step.literal),
                                 text.size(), step.behavior, step.invert);
            break;
        case Kind::ByteLevel: {
            if (step.add_prefix_space && !text.empty() && text[0] != ' ') text.insert(0, " ");
            if (step.regex)
                ranges = split_spans(step.regex->find_all(text), text.size(), SplitBehavior::Isolated, false);
            else
                ranges.emplace_back(0, text.size());
            for (const auto& [b, e] : ranges)
                if (e > b)
                    out.push_back(
                        {to_byte_level(std::string_view(text).substr(b, e - b)), piece.at_start && b == 0});
            return;
        }
        case Kind::Metaspace: {
            text = replace_all(text, ' ', step.replacement);
            const bool starts = text.compare(0, step.replacement.size(), step.replacement) == 0;
            const bool prepend = step.prepend == Step::Prepend::Always ||
                                 (step.prepend == Step::Prepend::First && piece.at_start);
            if (prepend && !starts && !text.empty()) text.insert(0, step.replacement);
            if (step.split)
                ranges = split_spans(find_literal(text, step.replacement), text.size(),
                                     SplitBehavior::MergedWithNext, false);
            else
                ranges.emplace_back(0, text.size());
            break;
        }
    }
    for (const auto& [b, e] : ranges)
        if (e > b) out.push_back({text.substr(b, e - b), piece.at_start && b == 0});
}

std::vector<std::string> HfPreTokenizer::split(std::string_view text, bool at_text_start) const {
    std::vector<Piece> pieces;
    if (!text.empty()) pieces.push_back({std::string(text), at_text_start});
    for (const auto& step : steps_) {
        std::vector<Piece> next;
        next.reserve(pieces.size() * 2);
        for (auto& p : pieces) apply(step, std::move(p), next);
        pieces = std::move(next);
    }
    std::vector<std::string> words;
    words.reserve(pieces.size());
    for (auto& p : pieces) words.push_back(std::move(p.text));
    return words;
}

}  // namespace sightline
