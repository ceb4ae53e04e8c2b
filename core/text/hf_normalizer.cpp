#include "core/text/hf_normalizer.h"

#include <unicode/uchar.h>
#include <nlohmann/json.hpp>

#include "core/text/json_file.h"
#include "core/text/utf8.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

// {"String": "..."} or {"Regex": "..."}: the pattern of Replace and Split.
void read_pattern(const nlohmann::json& j, const char* owner, const std::string& where, std::string& literal,
                  std::shared_ptr<const UnicodeRegex>& regex) {
    const auto it = j.find("pattern");
    if (it == j.end() || !it->is_object())
        fail(where, ": ", owner, " needs a \"pattern\" object with a \"String\" or a \"Regex\"");
    if (it->contains("String") && (*it)["String"].is_string()) {
        literal = (*it)["String"].get<std::string>();
        if (literal.empty()) fail(where, ": ", owner, " has an empty \"String\" pattern");
    } else if (it->contains("Regex") && (*it)["Regex"].is_string()) {
        regex = std::make_shared<UnicodeRegex>((*it)["Regex"].get<std::string>(), false, where);
    } else {
        fail(where, ": ", owner, " \"pattern\" needs a \"String\" or a \"Regex\", not ", brief(it->dump()));
    }
}

bool is_white_space(char32_t cp) {
    return u_isUWhiteSpace(static_cast<UChar32>(cp)) != 0;
}

}  // namespace

void HfNormalizer::add(const nlohmann::json& j, const std::string& where, std::vector<Step>& steps) {
    if (j.is_null()) return;
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        fail(where, ": a \"normalizer\" must be an object with a \"type\"");
    const std::string type = j["type"].get<std::string>();
    Step step;
    using U = TextNormalizer::Step;
    if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD" || type == "Lowercase") {
        const U form = type == "NFC"    ? U::NFC
                       : type == "NFD"  ? U::NFD
                       : type == "NFKC" ? U::NFKC
                       : type == "NFKD" ? U::NFKD
                                        : U::Lowercase;
        step.kind = Kind::Unicode;
        step.unicode = TextNormalizer({form});
    } else if (type == "Replace") {
        step.kind = Kind::Replace;
        read_pattern(j, "normalizer Replace", where, step.pattern, step.regex);
        if (!j.contains("content") || !j["content"].is_string())
            fail(where, ": normalizer Replace needs a string \"content\"");
        step.content = j["content"].get<std::string>();
    } else if (type == "Prepend") {
        step.kind = Kind::Prepend;
        if (!j.contains("prepend") || !j["prepend"].is_string())
            fail(where, ": normalizer Prepend needs a string \"prepend\"");
        step.content = j["prepend"].get<std::string>();
    } else if (type == "Strip") {
        step.kind = Kind::Strip;
        step.left = json_bool(j, "strip_left", true, where);
        step.right = json_bool(j, "strip_right", true, where);
    } else if (type == "Sequence") {
        const auto it = j.find("normalizers");
        if (it == j.end() || !it->is_array())
            fail(where, ": normalizer Sequence has no \"normalizers\" array");
        for (const auto& inner : *it) add(inner, where, steps);
        return;
    } else {
        fail(where, ": normalizer type '", type,
             "' is not supported (supported: NFC, NFD, NFKC, NFKD, Lowercase, Replace, Prepend, Strip, "
             "Sequence)");
    }
    steps.push_back(std::move(step));
}

HfNormalizer HfNormalizer::from_json(const nlohmann::json& j, const std::string& where) {
    HfNormalizer n;
    add(j, where, n.steps_);
    return n;
}

std::string HfNormalizer::apply_step(const Step& step, std::string text) {
    switch (step.kind) {
        case Kind::Unicode:
            return step.unicode.apply(text);
        case Kind::Prepend:
            if (!text.empty()) text.insert(0, step.content);
            return text;
        case Kind::Replace: {
            std::string out;
            std::size_t last = 0;
            if (step.regex) {
                for (const auto& [b, e] : step.regex->find_all(text)) {
                    out.append(text, last, b - last);
                    out += step.content;
                    last = e;
                }
            } else {
                for (std::size_t pos = text.find(step.pattern); pos != std::string::npos;
                     pos = text.find(step.pattern, last)) {
                    out.append(text, last, pos - last);
                    out += step.content;
                    last = pos + step.pattern.size();
                }
            }
            if (last == 0) return text;
            out.append(text, last, std::string::npos);
            return out;
        }
        case Kind::Strip: {
            std::size_t begin = 0, end = text.size();
            if (step.left) {
                while (begin < end) {
                    std::size_t pos = begin;
                    if (!is_white_space(next_code_point(text, pos))) break;
                    begin = pos;
                }
            }
            if (step.right) {
                while (end > begin) {
                    std::size_t start = end - 1;
                    while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
                    std::size_t pos = start;
                    if (!is_white_space(next_code_point(text, pos))) break;
                    end = start;
                }
            }
            return text.substr(begin, end - begin);
        }
    }
    return text;
}

std::string HfNormalizer::apply(std::string_view text) const {
    std::string out(text);
    for (const auto& step : steps_) out = apply_step(step, std::move(out));
    return out;
}

}  // namespace sightline
