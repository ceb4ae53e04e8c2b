#pragma once
// Builders of one question/answer pair per task type (internal to core/toy; use make_sample).
// Each builder requires that its task is answerable for the scene (see task_answerable) and draws its
// choices (which object, which paraphrase) from `rng`.
#include "core/toy/annotated_text.h"
#include "core/toy/rng.h"
#include "core/toy/scene.h"
#include "core/toy/scene_queries.h"
#include "core/toy/task.h"

#include <utility>
#include <vector>

namespace sightline::toy {

struct TaskText {
    AnnotatedText question;
    AnnotatedText answer;
};

bool task_answerable(TaskType task, const Scene& scene);
TaskText build_task(TaskType task, const Scene& scene, Rng& rng);

TaskText build_color_task(const Scene& scene, Rng& rng);
TaskText build_shape_task(const Scene& scene, Rng& rng);
TaskText build_count_task(const Scene& scene, Rng& rng);
TaskText build_exist_task(const Scene& scene, Rng& rng);
TaskText build_position_task(const Scene& scene, Rng& rng);
TaskText build_relation_task(const Scene& scene, Rng& rng);
TaskText build_describe_task(const Scene& scene, Rng& rng);

// Indices of the objects a colour question can ask about (unique shape) / a shape question (unique
// colour); the (anchor, relation) pairs with exactly one related object.
std::vector<int> color_task_objects(const Scene& scene);
std::vector<int> shape_task_objects(const Scene& scene);
std::vector<std::pair<int, Relation>> relation_task_anchors(const Scene& scene);

// Appends "the <shape>" when the shape is unique (or, at random, "the <colour> <shape>"), otherwise
// always "the <colour> <shape>"; the colour and shape words map to the object.
void add_reference(AnnotatedText& text, const Scene& scene, int object, Rng& rng);
// Appends "<a|an> <colour> <shape>" mapping both words to `object` (-1 for an absent object).
void add_indefinite(AnnotatedText& text, Color color, Shape shape, int object);

}  // namespace sightline::toy
