#include "core/text/hf_decoder.h"

#include <nlohmann/json.hpp>

#include "core/text/byte_level.h"
#include "core/text/json_file.h"
#include "core/text/utf8.h"
#include "core/util/error.h"

namespace sightline {
namespace {

// "<0xAB>" -> 0xAB; -1 for anything else.
int byte_token(const std::string& token) {
    if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>') return -1;
    int value = 0;
    for (std::size_t i = 3; i < 5; ++i) {
        const char c = token[i];
        int digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

std::string replace_all(const std::string& text, const std::string& pattern, const UnicodeRegex* regex,
                        const std::string& content) {
    std::string out;
    std::size_t last = 0;
    if (regex != nullptr) {
        for (const auto& [b, e] : regex->find_all(text)) {
            out.append(text, last, b - last);
            out += content;
            last = e;
        }
    } else {
        for (std::size_t pos = text.find(pattern); pos != std::string::npos; pos = text.find(pattern, last)) {
            out.append(text, last, pos - last);
            out += content;
            last = pos + pattern.size();
        }
    }
    out.append(text, last, std::string::npos);
    return out;
}

// Strip: removes up to `start` leading and `stop` trailing copies of the character `c`.
std::string strip(const std::string& token, const std::string& c, std::size_t start, std::size_t stop) {
    std::size_t begin = 0, end = token.size();
    for (std::size_t i = 0; i < start && token.compare(begin, c.size(), c) == 0 && begin + c.size() <= end;
         ++i)
        begin += c.size();
    for (std::size_t i = 0;
         i < stop && end >= begin + c.size() && token.compare(end - c.size(), c.size(), c) == 0; ++i)
        end -= c.size();
    return token.substr(begin, end - begin);
}

// Invalid UTF-8 from ByteFallback bytes: one U+FFFD per byte, as the tokenizers library does.
void flush_bytes(std::string& bytes, bool display, std::vector<std::string>& out) {
    if (bytes.empty()) return;
    if (display || is_valid_utf8(bytes)) {
        out.push_back(bytes);
    } else {
        for (std::size_t i = 0; i < bytes.size(); ++i) out.emplace_back("\xEF\xBF\xBD");
    }
    bytes.clear();
}

}  // namespace

void HfDecoder::add(const nlohmann::json& j, const std::string& where, std::vector<Step>& steps) {
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        fail(where, ": a \"decoder\" must be an object with a \"type\"");
    const std::string type = j["type"].get<std::string>();
    Step step;
    if (type == "Sequence") {
        const auto& list = json_required(j, "decoders", true, where);
        for (const auto& inner : list) add(inner, where, steps);
        return;
    }
    if (type == "Replace") {
        step.kind = Kind::Replace;
        const auto it = j.find("pattern");
        if (it != j.end() && it->is_object() && it->contains("String") && (*it)["String"].is_string())
            step.pattern = (*it)["String"].get<std::string>();
        else if (it != j.end() && it->is_object() && it->contains("Regex") && (*it)["Regex"].is_string())
            step.regex = std::make_shared<UnicodeRegex>((*it)["Regex"].get<std::string>(), false, where);
        else
            fail(where, ": decoder Replace needs a \"pattern\" with a \"String\" or a \"Regex\"");
        if (!step.regex && step.pattern.empty()) fail(where, ": decoder Replace has an empty pattern");
        if (!j.contains("content") || !j["content"].is_string())
            fail(where, ": decoder Replace needs a string \"content\"");
        step.content = j["content"].get<std::string>();
    } else if (type == "ByteFallback") {
        step.kind = Kind::ByteFallback;
    } else if (type == "Fuse") {
        step.kind = Kind::Fuse;
    } else if (type == "Strip") {
        step.kind = Kind::Strip;
        step.content = json_string(j, "content", " ", where);
        if (step.content.empty()) fail(where, ": decoder Strip has an empty \"content\"");
        const auto count = [&](const char* field) -> std::size_t {
            const auto it = j.find(field);
            if (it == j.end() || it->is_null()) return 0;
            if (!it->is_number_integer() || it->get<int64_t>() < 0)
                fail(where, ": decoder Strip \"", field, "\" must be a count");
            return it->get<std::size_t>();
        };
        step.start = count("start");
        step.stop = count("stop");
    } else if (type == "ByteLevel") {
        step.kind = Kind::ByteLevel;
    } else if (type == "Metaspace") {
        step.kind = Kind::Metaspace;
        step.replacement = json_string(j, "replacement", "\xE2\x96\x81", where);
        if (step.replacement.empty()) fail(where, ": decoder Metaspace has an empty \"replacement\"");
        const auto scheme = j.find("prepend_scheme");
        if (scheme != j.end() && !scheme->is_null()) {
            const std::string s = json_string(j, "prepend_scheme", "always", where);
            if (s != "always" && s != "first" && s != "never")
                fail(where, ": decoder Metaspace prepend_scheme '", s, "' is not supported");
            step.strip_first = s != "never";
        } else {
            step.strip_first = json_bool(j, "add_prefix_space", true, where);
        }
    } else {
        fail(where, ": decoder type '", type,
             "' is not supported (supported: Replace, ByteFallback, Fuse, Strip, ByteLevel, Metaspace, "
             "Sequence)");
    }
    steps.push_back(std::move(step));
}

HfDecoder HfDecoder::from_json(const nlohmann::json& j, const std::string& where) {
    HfDecoder d;
    if (j.is_null()) return d;
    add(j, where, d.steps_);
    d.present_ = true;
    return d;
}

bool HfDecoder::byte_level() const {
    for (const auto& s : steps_)
        if (s.kind == Kind::ByteLevel) return true;
    return false;
}

std::vector<std::string> HfDecoder::run(std::vector<std::string> tokens, bool display) const {
    for (const auto& step : steps_) {
        std::vector<std::string> next;
        next.reserve(tokens.size());
        switch (step.kind) {
            case Kind::Replace:
                for (const auto& t : tokens)
                    next.push_back(replace_all(t, step.pattern, step.regex.get(), step.content));
                break;
            case Kind::ByteFallback: {
                std::string bytes;
                for (auto& t : tokens) {
                    const int b = byte_token(t);
                    if (b >= 0) {
                        bytes += static_cast<char>(b);
                        continue;
                    }
                    flush_bytes(bytes, display, next);
                    next.push_back(std::move(t));
                }
                flush_bytes(bytes, display, next);
                break;
            }
            case Kind::Fuse: {
                std::string all;
                for (const auto& t : tokens) all += t;
                next.push_back(std::move(all));
                break;
            }
            case Kind::Strip:
                for (auto& t : tokens)
                    next.push_back(display ? std::move(t) : strip(t, step.content, step.start, step.stop));
                break;
            case Kind::ByteLevel: {
                std::string bytes;
                for (const auto& t : tokens) {
                    auto raw = from_byte_level(t);
                    bytes += raw ? *raw : t;
                }
                next.push_back(display ? std::move(bytes) : utf8_lossy(bytes));
                break;
            }
            case Kind::Metaspace:
                for (std::size_t i = 0; i < tokens.size(); ++i) {
                    const bool first = i == 0 && !display && step.strip_first;
                    next.push_back(replace_all(tokens[i], step.replacement, nullptr, first ? "" : " "));
                }
                break;
        }
        tokens = std::move(next);
    }
    return tokens;
}

std::string HfDecoder::decode(const std::vector<std::string>& tokens) const {
    std::string out;
    if (!present_) {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (i > 0) out += ' ';
            out += tokens[i];
        }
        return out;
    }
    for (const auto& t : run(tokens, false)) out += t;
    return out;
}

std::string HfDecoder::token_bytes(const std::string& token) const {
    std::string out;
    for (const auto& t : run({token}, true)) out += t;
    return out;
}

}  // namespace sightline
