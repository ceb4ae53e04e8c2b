#pragma once
// One training/evaluation example of the scene world: a scene, a question about it and the exact
// answer, with every word of both annotated (kind, object it names, byte offsets).
#include "core/toy/annotated_text.h"
#include "core/toy/scene.h"
#include "core/toy/scene_queries.h"
#include "core/toy/task.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sightline::toy {

struct Sample {
    uint64_t seed = 0;  // the sample's seed; scene.seed equals it unless a forced task needed a new scene
    Scene scene;
    TaskType task = TaskType::Count;
    std::string question;
    std::string answer;
    std::vector<AnswerWord> words;           // the answer's words
    std::vector<AnswerWord> question_words;  // the question's words
};

// The sample of a seed. Without `task`, the task type is drawn uniformly among the types answerable
// for the seed's scene (count, exist, position and describe always are; color needs an object with a
// unique shape, shape an object with a unique colour, relation an object with exactly one object in
// some relation to it). With `task`, when the seed's scene cannot answer it, the scene is regenerated
// from derived seeds (kDerivedSeedBit set) until one can; the result is still a pure function of
// (seed, task).
Sample make_sample(uint64_t seed, std::optional<TaskType> task = {});

// A further question about an existing scene (a follow-up turn of a multi-turn dialogue): the task must be
// answerable for `scene` (see answerable_tasks); the question's choices are drawn from `question_seed`.
Sample make_sample_on_scene(const Scene& scene, TaskType task, uint64_t question_seed);

// What a relation question asks: the reference object (anchor) and the relation, read back from the
// question's annotated words. Empty for other tasks.
struct RelationAsked {
    int anchor = -1;
    Relation relation = Relation::LeftOf;
};
std::optional<RelationAsked> relation_asked(const Sample& sample);

// The task types answerable for a scene, in enum order.
std::vector<TaskType> answerable_tasks(const Scene& scene);

}  // namespace sightline::toy
