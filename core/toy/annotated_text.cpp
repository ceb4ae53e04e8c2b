#include "core/toy/annotated_text.h"

#include "core/util/error.h"

namespace sightline::toy {

std::string to_string(WordKind kind) {
    switch (kind) {
        case WordKind::ObjectColor:
            return "object_color";
        case WordKind::ObjectShape:
            return "object_shape";
        case WordKind::Position:
            return "position";
        case WordKind::Number:
            return "number";
        case WordKind::YesNo:
            return "yes_no";
        case WordKind::Relation:
            return "relation";
        case WordKind::Function:
            return "function";
    }
    fail("unknown word kind ", int(kind));
}

void AnnotatedText::append(std::string_view word, WordKind kind, int object, bool space) {
    if (word.empty()) fail("AnnotatedText: empty word");
    if (space && !text_.empty()) text_ += ' ';
    AnswerWord w;
    w.text = std::string(word);
    w.kind = kind;
    w.object = object;
    w.char_begin = text_.size();
    text_ += word;
    w.char_end = text_.size();
    words_.push_back(std::move(w));
}

AnnotatedText& AnnotatedText::add(std::string_view word, WordKind kind, int object) {
    append(word, kind, object, true);
    return *this;
}

AnnotatedText& AnnotatedText::add_words(std::string_view phrase, WordKind kind, int object) {
    size_t start = 0;
    while (start < phrase.size()) {
        size_t end = phrase.find(' ', start);
        if (end == std::string_view::npos) end = phrase.size();
        if (end > start) append(phrase.substr(start, end - start), kind, object, true);
        start = end + 1;
    }
    return *this;
}

AnnotatedText& AnnotatedText::punct(std::string_view mark) {
    append(mark, WordKind::Function, -1, false);
    return *this;
}

}  // namespace sightline::toy
