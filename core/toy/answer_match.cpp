#include "core/toy/answer_match.h"

#include "core/util/strings.h"

#include <algorithm>
#include <cctype>

namespace sightline::toy {

std::string normalize_answer(std::string_view answer) {
    std::string s = trim(answer);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (!s.empty() && s.back() == '.') {
        s.pop_back();
        s = trim(s);
    }
    return s;
}

bool answers_match(const std::string& predicted, const std::string& expected) {
    return normalize_answer(predicted) == normalize_answer(expected);
}

}  // namespace sightline::toy
