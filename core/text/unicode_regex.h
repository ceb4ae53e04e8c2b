#pragma once
// A compiled PCRE2 pattern in UTF + UCP mode (\s, \p{L}, \w are Unicode-aware), JIT-compiled when
// available: the engine behind tokenizer.json "Split" pre-tokenizers. Safe to share across threads.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sightline {

class UnicodeRegex {
  public:
    // `literal` matches the pattern text as-is. Throws sightline::Error naming `where` when the
    // pattern does not compile.
    UnicodeRegex(const std::string& pattern, bool literal, const std::string& where);
    ~UnicodeRegex();
    UnicodeRegex(const UnicodeRegex&) = delete;
    UnicodeRegex& operator=(const UnicodeRegex&) = delete;

    // Byte ranges [begin, end) of all non-overlapping matches, left to right (subject: valid UTF-8).
    std::vector<std::pair<std::size_t, std::size_t>> find_all(std::string_view subject) const;
    const std::string& pattern() const { return pattern_; }

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string pattern_;
};

}  // namespace sightline
