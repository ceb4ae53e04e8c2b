#include "core/text/unicode_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/util/error.h"

namespace sightline {

struct UnicodeRegex::Impl {
    pcre2_code* code = nullptr;
    bool jit = false;
    ~Impl() {
        if (code) pcre2_code_free(code);
    }
};

UnicodeRegex::UnicodeRegex(const std::string& pattern, bool literal, const std::string& where)
    : impl_(std::make_unique<Impl>()), pattern_(pattern) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    uint32_t options = PCRE2_UTF | PCRE2_UCP;
    if (literal) options |= PCRE2_LITERAL;
    impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, &error,
                                &offset, nullptr);
    if (impl_->code == nullptr) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(error, message, sizeof message);
        fail(where, ": pre-tokenizer regex does not compile at offset ", offset, ": ",
             reinterpret_cast<const char*>(message), " (pattern: ", pattern, ")");
    }
    impl_->jit = pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE) == 0;
}

UnicodeRegex::~UnicodeRegex() = default;

std::vector<std::pair<std::size_t, std::size_t>> UnicodeRegex::find_all(std::string_view subject) const {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    pcre2_match_data* data = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
    if (data == nullptr) fail("out of memory for a regex match");
    const auto* text = reinterpret_cast<PCRE2_SPTR>(subject.data());
    std::size_t start = 0;
    while (start <= subject.size()) {
        // The subject was validated once by the caller; skip PCRE2's check on every call.
        const int rc =
            impl_->jit
                ? pcre2_jit_match(impl_->code, text, subject.size(), start, PCRE2_NO_UTF_CHECK, data, nullptr)
                : pcre2_match(impl_->code, text, subject.size(), start, PCRE2_NO_UTF_CHECK, data, nullptr);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            pcre2_match_data_free(data);
            PCRE2_UCHAR message[256];
            pcre2_get_error_message(rc, message, sizeof message);
            fail("regex match failed: ", reinterpret_cast<const char*>(message), " (pattern: ", pattern_,
                 ")");
        }
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data);
        const std::size_t b = ov[0], e = ov[1];
        if (e > b) {
            out.emplace_back(b, e);
            start = e;
        } else {
            // Empty match: step over one whole UTF-8 character.
            start = b + 1;
            while (start < subject.size() && (static_cast<unsigned char>(subject[start]) & 0xC0) == 0x80)
                ++start;
        }
    }
    pcre2_match_data_free(data);
    return out;
}

}  // namespace sightline
