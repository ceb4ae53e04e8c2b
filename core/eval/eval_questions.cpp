#include "core/eval/eval_questions.h"

#include "core/explore/explorer.h"
#include "core/toy/vocabulary.h"
#include "core/util/strings.h"

namespace sightline {

toy::Sample eval_question(std::uint64_t first_seed, int i) {
    static const toy::TaskType tasks[] = {toy::TaskType::Describe, toy::TaskType::Color, toy::TaskType::Shape,
                                          toy::TaskType::Relation};
    return toy::make_sample(first_seed + static_cast<std::uint64_t>(i),
                            tasks[static_cast<std::size_t>(i) % 4]);
}

std::shared_ptr<const Trace> answer_eval_question(Explorer& explorer, const toy::Sample& s,
                                                  const JobControl* control) {
    PromptRequest req;
    req.question = s.question;
    req.image_rgb = s.scene.image;
    GenerationSettings g;
    g.max_new_tokens = 48;
    return explorer.generate(req, g, control);
}

std::int64_t default_target(const Trace& t) {
    for (std::int64_t k = 0; k < t.answer_size(); ++k) {
        const std::string w = trim(t.tokens[static_cast<std::size_t>(t.answer_begin + k)].text);
        if (toy::parse_color(w) || toy::parse_shape(w)) return k;
    }
    return t.answer_size() > 0 ? 0 : -1;
}

}  // namespace sightline
