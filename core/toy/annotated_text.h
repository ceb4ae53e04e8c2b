#pragma once
// Text built word by word, remembering for every word what it is (a colour naming an object, a
// position, a function word, ...) and where it sits in the text (byte offsets). Questions and answers
// are built this way so evaluation can map answer tokens back to ground-truth object masks.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sightline::toy {

enum class WordKind {
    ObjectColor,  // a colour word ("red"); object = the object it names, or -1 if it names none
    ObjectShape,  // a shape word ("star"); object as for colours
    Position,     // a grid position word ("top", "left", "center")
    Number,       // a number word ("three")
    YesNo,        // "yes" / "no"
    Relation,     // the spatial word of a relation question ("left", "right", "above", "below")
    Function,     // everything else: "a", "the", "is", "there", "at", "in", "and", "what", ",", ".", "?"
};

// "object_color", "object_shape", "position", "number", "yes_no", "relation", "function".
std::string to_string(WordKind kind);

struct AnswerWord {
    std::string text;
    WordKind kind = WordKind::Function;
    int object = -1;        // index into Scene::objects for colour/shape words naming an object
    size_t char_begin = 0;  // byte offsets of the word in its text: text.substr(begin, end - begin)
    size_t char_end = 0;
};

class AnnotatedText {
  public:
    // Appends a word, separated by one space from the previous one.
    AnnotatedText& add(std::string_view word, WordKind kind = WordKind::Function, int object = -1);
    // Appends each space-separated word of `phrase` with the same kind and object.
    AnnotatedText& add_words(std::string_view phrase, WordKind kind = WordKind::Function, int object = -1);
    // Appends punctuation (",", ".", "?") directly after the previous word, as a function word.
    AnnotatedText& punct(std::string_view mark);

    const std::string& text() const { return text_; }
    const std::vector<AnswerWord>& words() const { return words_; }

  private:
    void append(std::string_view word, WordKind kind, int object, bool space);

    std::string text_;
    std::vector<AnswerWord> words_;
};

}  // namespace sightline::toy
