// Relation questions: "what is left of the red circle?" -> "the blue square". Asked only when exactly
// one object stands in the relation (rule in scene_queries.h).
#include "core/toy/task_builders.h"

namespace sightline::toy {

std::vector<std::pair<int, Relation>> relation_task_anchors(const Scene& scene) {
    std::vector<std::pair<int, Relation>> anchors;
    for (size_t i = 0; i < scene.objects.size(); ++i)
        for (Relation relation : kAllRelations)
            if (related_objects(scene, int(i), relation).size() == 1) anchors.emplace_back(int(i), relation);
    return anchors;
}

// "what is <relation> <reference>?" | "which object is <relation> <reference>?" -> "the <colour> <shape>"
TaskText build_relation_task(const Scene& scene, Rng& rng) {
    const auto anchors = relation_task_anchors(scene);
    const auto [anchor, relation] = anchors[rng.below(uint32_t(anchors.size()))];
    const int answer = related_objects(scene, anchor, relation).front();

    TaskText t;
    if (rng.coin())
        t.question.add_words("what is");
    else
        t.question.add_words("which object is");
    // "left of" -> "left" (relation) + "of" (function); "above" -> "above" (relation).
    const std::string phrase = to_string(relation);
    const size_t space = phrase.find(' ');
    t.question.add(phrase.substr(0, space), WordKind::Relation);
    if (space != std::string::npos) t.question.add(phrase.substr(space + 1));
    add_reference(t.question, scene, anchor, rng);
    t.question.punct("?");

    const SceneObject& o = scene.objects[size_t(answer)];
    t.answer.add("the")
        .add(to_string(o.color), WordKind::ObjectColor, answer)
        .add(to_string(o.shape), WordKind::ObjectShape, answer);
    return t;
}

}  // namespace sightline::toy
