#pragma once
// The scene world's vocabulary: shapes, colours, sizes, grid positions and number words, with their
// canonical (lower-case) names and parsers back. Names are the exact words used in questions/answers.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sightline::toy {

enum class Shape { Circle, Square, Triangle, Star, Cross, Ring };
enum class Color { Red, Green, Blue, Yellow, Purple, Orange, White, Gray };
enum class Size { Small, Medium, Large };

constexpr int kShapeCount = 6;
constexpr int kColorCount = 8;
constexpr int kSizeCount = 3;

// The 3x3 grid of cells: cells are kCellSize pixels square, row-major, row 0 at the top.
constexpr int kGridSize = 3;
constexpr int kCellSize = 32;

constexpr std::array<Shape, kShapeCount> kAllShapes = {Shape::Circle, Shape::Square, Shape::Triangle,
                                                       Shape::Star,   Shape::Cross,  Shape::Ring};
constexpr std::array<Color, kColorCount> kAllColors = {Color::Red,    Color::Green,  Color::Blue,
                                                       Color::Yellow, Color::Purple, Color::Orange,
                                                       Color::White,  Color::Gray};
constexpr std::array<Size, kSizeCount> kAllSizes = {Size::Small, Size::Medium, Size::Large};

struct Rgb {
    uint8_t r, g, b;
    bool operator==(const Rgb& o) const { return r == o.r && g == o.g && b == o.b; }
};

// "circle", "square", "triangle", "star", "cross", "ring".
std::string to_string(Shape shape);
// "red", "green", "blue", "yellow", "purple", "orange", "white", "gray".
std::string to_string(Color color);
// "small", "medium", "large".
std::string to_string(Size size);

// Parsers accept exactly the canonical names (case-insensitive, surrounding spaces ignored).
std::optional<Shape> parse_shape(std::string_view text);
std::optional<Color> parse_color(std::string_view text);
std::optional<Size> parse_size(std::string_view text);

// The fixed render colour of each object colour (all far from each other and from the background).
Rgb color_rgb(Color color);
// Outer extent in pixels of an object of this size (the side of its drawing square): 20 / 25 / 30
// (every object covers at least 2 x 2 full 8-pixel patches of the embedded model).
int size_pixels(Size size);

// "top left", "top center", "top right", "middle left", "center", "middle right", "bottom left",
// "bottom center", "bottom right" for (row, col) in [0, 3)^2; throws sightline::Error otherwise.
std::string position_phrase(int row, int col);
// The (row, col) of a position phrase, or nothing.
std::optional<std::pair<int, int>> parse_position(std::string_view text);

// "one" .. "four" (and up to "nine"); throws sightline::Error outside [0, 9].
std::string number_word(int n);
std::optional<int> parse_number_word(std::string_view text);

// "a" or "an", whichever reads right before this word ("an orange star").
std::string indefinite_article(std::string_view next_word);

}  // namespace sightline::toy
