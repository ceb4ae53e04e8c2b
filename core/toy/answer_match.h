#pragma once
// Scoring a model's answer against the exact answer of a sample.
#include <string>
#include <string_view>

namespace sightline::toy {

// Lower-cases, trims surrounding whitespace and drops one final period (then trims again).
std::string normalize_answer(std::string_view answer);
// Exact match of the normalised answers: "Red " matches "red", "there is a red star" matches
// "there is a red star.", but "a red" does not match "red".
bool answers_match(const std::string& predicted, const std::string& expected);

}  // namespace sightline::toy
