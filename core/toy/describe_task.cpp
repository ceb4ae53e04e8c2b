// Descriptions: "describe the image." -> "at the top left there is a red circle, in the center a blue
// square and at the bottom right an orange star."
#include "core/toy/task_builders.h"

namespace sightline::toy {

// Objects in row-major cell order (the scene's order), each named place first: "at the <position>"
// ("in the center" for the middle cell) followed by "<a|an> <colour> <shape>", with "there is" after
// the first place only. Items are joined "X", "X and Y", "X, Y and Z", "W, X, Y and Z".
//
// Place first, because one object occupies each cell: once the place is written, it alone identifies
// the object whose colour and shape come next. With the colour written first (the earlier phrasing,
// "there is a red circle at the top left, ..."), a small model tended to look the shape up by the
// colour it had just written, and named the wrong shape whenever two objects shared a colour.
TaskText build_describe_task(const Scene& scene, Rng& rng) {
    TaskText t;
    if (rng.coin())
        t.question.add_words("describe the image").punct(".");
    else
        t.question.add_words("what is in the image").punct("?");

    const size_t n = scene.objects.size();
    for (size_t i = 0; i < n; ++i) {
        const SceneObject& o = scene.objects[i];
        if (i > 0 && i + 1 < n) t.answer.punct(",");
        if (i > 0 && i + 1 == n) t.answer.add("and");
        const bool center = o.cell_row == 1 && o.cell_col == 1;
        t.answer.add(center ? "in" : "at").add("the");
        t.answer.add_words(o.position(), WordKind::Position);
        if (i == 0) t.answer.add_words("there is");
        add_indefinite(t.answer, o.color, o.shape, int(i));
    }
    t.answer.punct(".");
    return t;
}

}  // namespace sightline::toy
