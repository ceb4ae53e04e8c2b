#include "core/toy/task.h"

#include "core/util/error.h"
#include "core/util/strings.h"

#include <array>

namespace sightline::toy {
namespace {

constexpr std::array<const char*, 7> kTaskNames = {"color",    "shape",    "count",   "exist",
                                                   "position", "relation", "describe"};

}  // namespace

std::string to_string(TaskType task) {
    const auto index = size_t(task);
    if (index >= kTaskNames.size()) fail("unknown task type ", int(task));
    return kTaskNames[index];
}

std::optional<TaskType> parse_task(std::string_view name) {
    const std::string s = trim(name);
    for (size_t i = 0; i < kTaskNames.size(); ++i)
        if (s == kTaskNames[i]) return TaskType(i);
    return std::nullopt;
}

std::vector<TaskType> all_tasks() {
    std::vector<TaskType> tasks;
    for (size_t i = 0; i < kTaskNames.size(); ++i) tasks.push_back(TaskType(i));
    return tasks;
}

}  // namespace sightline::toy
