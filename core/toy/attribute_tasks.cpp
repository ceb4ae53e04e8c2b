// Questions about one attribute of the scene: colour, shape, count, existence and position.
#include "core/toy/scene_queries.h"
#include "core/toy/task_builders.h"

#include <utility>
#include <vector>

namespace sightline::toy {
namespace {

template <typename T>
const T& pick(const std::vector<T>& items, Rng& rng) {
    return items[rng.below(uint32_t(items.size()))];
}

// A (colour, shape) that no object of the scene has. Half of the time (when possible) a "hard"
// negative sharing its colour or its shape with some object of the scene.
std::pair<Color, Shape> absent_kind(const Scene& scene, Rng& rng) {
    std::vector<std::pair<Color, Shape>> absent, hard;
    for (Color color : kAllColors) {
        for (Shape shape : kAllShapes) {
            if (find_object(scene, color, shape) >= 0) continue;
            absent.emplace_back(color, shape);
            for (const SceneObject& o : scene.objects) {
                if (o.color == color || o.shape == shape) {
                    hard.emplace_back(color, shape);
                    break;
                }
            }
        }
    }
    const bool want_hard = rng.coin();
    return pick(want_hard && !hard.empty() ? hard : absent, rng);
}

}  // namespace

std::vector<int> color_task_objects(const Scene& scene) {
    std::vector<int> objects;
    for (size_t i = 0; i < scene.objects.size(); ++i)
        if (shape_is_unique(scene, int(i))) objects.push_back(int(i));
    return objects;
}

std::vector<int> shape_task_objects(const Scene& scene) {
    std::vector<int> objects;
    for (size_t i = 0; i < scene.objects.size(); ++i)
        if (color_is_unique(scene, int(i))) objects.push_back(int(i));
    return objects;
}

void add_reference(AnnotatedText& text, const Scene& scene, int object, Rng& rng) {
    const SceneObject& o = scene.objects.at(size_t(object));
    const bool with_color = !shape_is_unique(scene, object) || rng.coin();
    text.add("the");
    if (with_color) text.add(to_string(o.color), WordKind::ObjectColor, object);
    text.add(to_string(o.shape), WordKind::ObjectShape, object);
}

void add_indefinite(AnnotatedText& text, Color color, Shape shape, int object) {
    const std::string color_word = to_string(color);
    text.add(indefinite_article(color_word));
    text.add(color_word, WordKind::ObjectColor, object);
    text.add(to_string(shape), WordKind::ObjectShape, object);
}

// "what color is the star?" | "what is the color of the star?" -> "red"
TaskText build_color_task(const Scene& scene, Rng& rng) {
    const int k = pick(color_task_objects(scene), rng);
    const SceneObject& o = scene.objects[size_t(k)];
    TaskText t;
    if (rng.coin())
        t.question.add_words("what color is the");
    else
        t.question.add_words("what is the color of the");
    t.question.add(to_string(o.shape), WordKind::ObjectShape, k).punct("?");
    t.answer.add(to_string(o.color), WordKind::ObjectColor, k);
    return t;
}

// "what shape is the red object?" | "what is the shape of the red object?" -> "star"
TaskText build_shape_task(const Scene& scene, Rng& rng) {
    const int k = pick(shape_task_objects(scene), rng);
    const SceneObject& o = scene.objects[size_t(k)];
    TaskText t;
    if (rng.coin())
        t.question.add_words("what shape is the");
    else
        t.question.add_words("what is the shape of the");
    t.question.add(to_string(o.color), WordKind::ObjectColor, k).add("object").punct("?");
    t.answer.add(to_string(o.shape), WordKind::ObjectShape, k);
    return t;
}

// "how many objects are there?" | "how many objects are in the image?" -> "three"
TaskText build_count_task(const Scene& scene, Rng& rng) {
    TaskText t;
    if (rng.coin())
        t.question.add_words("how many objects are there");
    else
        t.question.add_words("how many objects are in the image");
    t.question.punct("?");
    t.answer.add(number_word(int(scene.objects.size())), WordKind::Number);
    return t;
}

// "is there a blue ring?" | "is there a blue ring in the image?" -> "yes" / "no" (50/50)
TaskText build_exist_task(const Scene& scene, Rng& rng) {
    const bool yes = rng.coin();
    int k = -1;
    std::pair<Color, Shape> kind;
    if (yes) {
        k = int(rng.below(uint32_t(scene.objects.size())));
        kind = {scene.objects[size_t(k)].color, scene.objects[size_t(k)].shape};
    } else {
        kind = absent_kind(scene, rng);
    }
    TaskText t;
    t.question.add_words("is there");
    add_indefinite(t.question, kind.first, kind.second, k);
    if (rng.coin()) t.question.add_words("in the image");
    t.question.punct("?");
    t.answer.add(yes ? "yes" : "no", WordKind::YesNo);
    return t;
}

// "where is the green square?" | "where in the image is the green square?" -> "top left"
TaskText build_position_task(const Scene& scene, Rng& rng) {
    const int k = int(rng.below(uint32_t(scene.objects.size())));
    TaskText t;
    if (rng.coin())
        t.question.add_words("where is");
    else
        t.question.add_words("where in the image is");
    add_reference(t.question, scene, k, rng);
    t.question.punct("?");
    t.answer.add_words(scene.objects[size_t(k)].position(), WordKind::Position);
    return t;
}

}  // namespace sightline::toy
