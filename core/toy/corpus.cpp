#include "core/toy/corpus.h"

#include "core/toy/sample.h"
#include "core/toy/scene_queries.h"
#include "core/toy/vocabulary.h"

#include <vector>

namespace sightline::toy {
namespace {

// The fixed phrases of the question and answer builders (attribute_tasks.cpp, relation_task.cpp,
// describe_task.cpp).
const char* const kPhrases[] = {
    "what color is the",
    "what is the color of the",
    "what shape is the",
    "what is the shape of the",
    "object",
    "how many objects are there?",
    "how many objects are in the image?",
    "is there a",
    "is there an",
    "in the image",
    "where is the",
    "where in the image is the",
    "what is",
    "which object is",
    "describe the image.",
    "what is in the image?",
    "there is",
    "at the",
    "in the center",
    "and",
    "a",
    "an",
    "the",
    "yes",
    "no",
    ",",
    ".",
    "?",
};

void add_line(std::string& out, const std::string& line) {
    out += line;
    out += '\n';
}

}  // namespace

std::string vocabulary_corpus() {
    std::string out;
    for (Color color : kAllColors) {
        add_line(out, to_string(color));
        for (Shape shape : kAllShapes)
            add_line(out,
                     indefinite_article(to_string(color)) + " " + to_string(color) + " " + to_string(shape));
    }
    for (Shape shape : kAllShapes) add_line(out, to_string(shape));
    for (Size size : kAllSizes) add_line(out, to_string(size));
    for (int row = 0; row < kGridSize; ++row)
        for (int col = 0; col < kGridSize; ++col) add_line(out, position_phrase(row, col));
    for (int n = 0; n <= 9; ++n) add_line(out, number_word(n));
    for (Relation relation : kAllRelations) add_line(out, to_string(relation));
    for (TaskType task : all_tasks()) add_line(out, to_string(task));
    for (const char* phrase : kPhrases) add_line(out, phrase);
    return out;
}

std::string corpus_for_tokenizer(size_t n_samples, uint64_t first_seed) {
    std::string out;
    const std::vector<TaskType> tasks = all_tasks();
    for (size_t i = 0; i < n_samples; ++i) {
        const Sample sample = make_sample(first_seed + i, tasks[i % tasks.size()]);
        add_line(out, sample.question);
        add_line(out, sample.answer);
    }
    out += vocabulary_corpus();
    return out;
}

}  // namespace sightline::toy
