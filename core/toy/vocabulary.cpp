#include "core/toy/vocabulary.h"

#include "core/util/error.h"
#include "core/util/strings.h"

#include <algorithm>
#include <cctype>

namespace sightline::toy {
namespace {

constexpr std::array<const char*, kShapeCount> kShapeNames = {"circle", "square", "triangle",
                                                              "star",   "cross",  "ring"};
constexpr std::array<const char*, kColorCount> kColorNames = {"red",    "green",  "blue",  "yellow",
                                                              "purple", "orange", "white", "gray"};
constexpr std::array<const char*, kSizeCount> kSizeNames = {"small", "medium", "large"};
constexpr std::array<const char*, 10> kNumberNames = {"zero", "one", "two",   "three", "four",
                                                      "five", "six", "seven", "eight", "nine"};
constexpr std::array<const char*, 3> kRowNames = {"top", "middle", "bottom"};
constexpr std::array<const char*, 3> kColNames = {"left", "center", "right"};

// Render colours: saturated or bright, every pair differs by >= 80 in some channel, and every one has
// a channel >= 140 while the background stays <= 80 in all channels.
constexpr std::array<Rgb, kColorCount> kColorRgb = {{
    {220, 40, 40},    // red
    {40, 180, 60},    // green
    {50, 90, 235},    // blue
    {240, 220, 40},   // yellow
    {160, 60, 210},   // purple
    {245, 140, 20},   // orange
    {245, 245, 245},  // white
    {145, 145, 145},  // gray
}};

constexpr std::array<int, kSizeCount> kSizePixels = {20, 25, 30};

std::string normalized(std::string_view text) {
    std::string s = trim(text);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

template <typename Enum, size_t N>
std::optional<Enum> parse_name(std::string_view text, const std::array<const char*, N>& names) {
    const std::string s = normalized(text);
    for (size_t i = 0; i < N; ++i)
        if (s == names[i]) return Enum(i);
    return std::nullopt;
}

}  // namespace

std::string to_string(Shape shape) {
    return kShapeNames.at(size_t(shape));
}
std::string to_string(Color color) {
    return kColorNames.at(size_t(color));
}
std::string to_string(Size size) {
    return kSizeNames.at(size_t(size));
}

std::optional<Shape> parse_shape(std::string_view text) {
    return parse_name<Shape>(text, kShapeNames);
}
std::optional<Color> parse_color(std::string_view text) {
    return parse_name<Color>(text, kColorNames);
}
std::optional<Size> parse_size(std::string_view text) {
    return parse_name<Size>(text, kSizeNames);
}

Rgb color_rgb(Color color) {
    return kColorRgb.at(size_t(color));
}
int size_pixels(Size size) {
    return kSizePixels.at(size_t(size));
}

std::string position_phrase(int row, int col) {
    if (row < 0 || row >= kGridSize || col < 0 || col >= kGridSize)
        fail("position_phrase: cell (", row, ", ", col, ") is outside the 3x3 grid");
    if (row == 1 && col == 1) return "center";
    return std::string(kRowNames[size_t(row)]) + " " + kColNames[size_t(col)];
}

std::optional<std::pair<int, int>> parse_position(std::string_view text) {
    const std::string s = normalized(text);
    for (int row = 0; row < kGridSize; ++row)
        for (int col = 0; col < kGridSize; ++col)
            if (s == position_phrase(row, col)) return std::make_pair(row, col);
    return std::nullopt;
}

std::string number_word(int n) {
    if (n < 0 || n >= int(kNumberNames.size())) fail("number_word: ", n, " has no word (0..9 only)");
    return kNumberNames[size_t(n)];
}

std::optional<int> parse_number_word(std::string_view text) {
    return parse_name<int>(text, kNumberNames);
}

std::string indefinite_article(std::string_view next_word) {
    if (next_word.empty()) return "a";
    const char c = char(std::tolower(static_cast<unsigned char>(next_word.front())));
    return (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') ? "an" : "a";
}

}  // namespace sightline::toy
