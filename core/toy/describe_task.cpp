// Descriptions: "describe the image." -> "there is a red circle at the top left, a blue square in the
// center and an orange star at the bottom right."
#include "core/toy/task_builders.h"

namespace sightline::toy {

// Objects in row-major cell order (the scene's order). Each item is "<a|an> <colour> <shape> at the
// <position>", or "... in the center" for the middle cell; items are joined "X", "X and Y",
// "X, Y and Z", "W, X, Y and Z"; the sentence is "there is <items>.".
TaskText build_describe_task(const Scene& scene, Rng& rng) {
    TaskText t;
    if (rng.coin())
        t.question.add_words("describe the image").punct(".");
    else
        t.question.add_words("what is in the image").punct("?");

    t.answer.add_words("there is");
    const size_t n = scene.objects.size();
    for (size_t i = 0; i < n; ++i) {
        const SceneObject& o = scene.objects[i];
        if (i > 0 && i + 1 < n) t.answer.punct(",");
        if (i > 0 && i + 1 == n) t.answer.add("and");
        add_indefinite(t.answer, o.color, o.shape, int(i));
        const bool center = o.cell_row == 1 && o.cell_col == 1;
        t.answer.add(center ? "in" : "at").add("the");
        t.answer.add_words(o.position(), WordKind::Position);
    }
    t.answer.punct(".");
    return t;
}

}  // namespace sightline::toy
