#include "core/text/text_normalizer.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <nlohmann/json.hpp>

#include "core/util/error.h"

namespace sightline {
namespace {

const icu::Normalizer2* instance(TextNormalizer::Step step) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = nullptr;
    switch (step) {
        case TextNormalizer::Step::NFC:
            n = icu::Normalizer2::getNFCInstance(status);
            break;
        case TextNormalizer::Step::NFD:
            n = icu::Normalizer2::getNFDInstance(status);
            break;
        case TextNormalizer::Step::NFKC:
            n = icu::Normalizer2::getNFKCInstance(status);
            break;
        case TextNormalizer::Step::NFKD:
            n = icu::Normalizer2::getNFKDInstance(status);
            break;
        case TextNormalizer::Step::Lowercase:
            return nullptr;
    }
    if (U_FAILURE(status) || n == nullptr) fail("ICU normalizer unavailable: ", u_errorName(status));
    return n;
}

bool is_ascii(std::string_view s) {
    for (const char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

void add_steps(const nlohmann::json& j, const std::string& where, std::vector<TextNormalizer::Step>& steps) {
    if (j.is_null()) return;
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        fail(where, ": \"normalizer\" must be an object with a \"type\"");
    const std::string type = j["type"].get<std::string>();
    using Step = TextNormalizer::Step;
    if (type == "NFC") {
        steps.push_back(Step::NFC);
    } else if (type == "NFD") {
        steps.push_back(Step::NFD);
    } else if (type == "NFKC") {
        steps.push_back(Step::NFKC);
    } else if (type == "NFKD") {
        steps.push_back(Step::NFKD);
    } else if (type == "Lowercase") {
        steps.push_back(Step::Lowercase);
    } else if (type == "Sequence") {
        if (!j.contains("normalizers") || !j["normalizers"].is_array())
            fail(where, ": normalizer Sequence has no \"normalizers\" array");
        for (const auto& inner : j["normalizers"]) add_steps(inner, where, steps);
    } else {
        fail(where, ": unsupported normalizer type \"", type,
             "\" (supported: NFC, NFD, NFKC, NFKD, Lowercase, Sequence)");
    }
}

}  // namespace

TextNormalizer TextNormalizer::from_json(const nlohmann::json& j, const std::string& where) {
    std::vector<Step> steps;
    add_steps(j, where, steps);
    return TextNormalizer(std::move(steps));
}

std::string TextNormalizer::apply(std::string_view text) const {
    if (steps_.empty()) return std::string(text);
    const bool ascii = is_ascii(text);
    bool only_forms = true;
    for (const Step s : steps_) only_forms = only_forms && s != Step::Lowercase;
    if (ascii && only_forms) return std::string(text);  // ASCII is invariant under every normal form

    icu::UnicodeString u =
        icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    for (const Step s : steps_) {
        if (s == Step::Lowercase) {
            u.toLower(icu::Locale::getRoot());
            continue;
        }
        const icu::Normalizer2* n = instance(s);
        UErrorCode status = U_ZERO_ERROR;
        if (n->isNormalized(u, status) && U_SUCCESS(status)) continue;
        status = U_ZERO_ERROR;
        icu::UnicodeString normalized = n->normalize(u, status);
        if (U_FAILURE(status)) fail("Unicode normalization failed: ", u_errorName(status));
        u = std::move(normalized);
    }
    std::string out;
    u.toUTF8String(out);
    return out;
}

}  // namespace sightline
