#include "core/toy/sample.h"

#include "core/toy/rng.h"
#include "core/toy/seeds.h"
#include "core/toy/task_builders.h"
#include "core/util/error.h"

namespace sightline::toy {
namespace {

constexpr uint64_t kTaskTag = 0x7A5C;
constexpr uint64_t kRetryTag = 0x5CE7E;
constexpr int kMaxSceneAttempts = 10'000;

}  // namespace

namespace {

// Builds the question and answer of sample.task about sample.scene.
void set_text(Sample& sample, Rng& rng) {
    TaskText text = build_task(sample.task, sample.scene, rng);
    sample.question = text.question.text();
    sample.question_words = text.question.words();
    sample.answer = text.answer.text();
    sample.words = text.answer.words();
}

}  // namespace

bool task_answerable(TaskType task, const Scene& scene) {
    if (scene.objects.empty()) return false;
    switch (task) {
        case TaskType::Color:
            return !color_task_objects(scene).empty();
        case TaskType::Shape:
            return !shape_task_objects(scene).empty();
        case TaskType::Relation:
            return !relation_task_anchors(scene).empty();
        case TaskType::Count:
        case TaskType::Exist:
        case TaskType::Position:
        case TaskType::Describe:
            return true;
    }
    return false;
}

TaskText build_task(TaskType task, const Scene& scene, Rng& rng) {
    if (!task_answerable(task, scene))
        fail("task ", to_string(task), " is not answerable for the scene of seed ", scene.seed);
    switch (task) {
        case TaskType::Color:
            return build_color_task(scene, rng);
        case TaskType::Shape:
            return build_shape_task(scene, rng);
        case TaskType::Count:
            return build_count_task(scene, rng);
        case TaskType::Exist:
            return build_exist_task(scene, rng);
        case TaskType::Position:
            return build_position_task(scene, rng);
        case TaskType::Relation:
            return build_relation_task(scene, rng);
        case TaskType::Describe:
            return build_describe_task(scene, rng);
    }
    fail("unknown task type ", int(task));
}

std::vector<TaskType> answerable_tasks(const Scene& scene) {
    std::vector<TaskType> tasks;
    for (TaskType task : all_tasks())
        if (task_answerable(task, scene)) tasks.push_back(task);
    return tasks;
}

Sample make_sample(uint64_t seed, std::optional<TaskType> task) {
    Sample sample;
    sample.seed = seed;
    sample.scene = generate_scene(seed);
    Rng rng(derive_seed(seed, kTaskTag));
    if (task) {
        for (int attempt = 1; !task_answerable(*task, sample.scene); ++attempt) {
            if (attempt > kMaxSceneAttempts)
                fail("no scene answers task ", to_string(*task), " for seed ", seed);
            sample.scene = generate_scene(derive_seed(seed, kRetryTag + uint64_t(attempt)) | kDerivedSeedBit);
        }
        sample.task = *task;
    } else {
        const std::vector<TaskType> tasks = answerable_tasks(sample.scene);
        sample.task = tasks[rng.below(uint32_t(tasks.size()))];
    }
    set_text(sample, rng);
    return sample;
}

Sample make_sample_on_scene(const Scene& scene, TaskType task, uint64_t question_seed) {
    Sample sample;
    sample.seed = scene.seed;
    sample.scene = scene;
    sample.task = task;
    Rng rng(derive_seed(question_seed, kTaskTag));
    set_text(sample, rng);
    return sample;
}

std::optional<RelationAsked> relation_asked(const Sample& sample) {
    if (sample.task != TaskType::Relation) return std::nullopt;
    RelationAsked asked;
    bool have_relation = false;
    for (const AnswerWord& w : sample.question_words) {
        if (w.kind == WordKind::Relation)
            for (Relation r : kAllRelations)
                if (to_string(r).rfind(w.text, 0) == 0) {  // "left" starts "left of"
                    asked.relation = r;
                    have_relation = true;
                }
        if (w.object >= 0) asked.anchor = w.object;
    }
    if (!have_relation || asked.anchor < 0)
        fail("relation question without its relation or anchor: ", sample.question);
    return asked;
}

}  // namespace sightline::toy
