#pragma once
// The question types of the scene world.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sightline::toy {

enum class TaskType { Color, Shape, Count, Exist, Position, Relation, Describe };

// "color", "shape", "count", "exist", "position", "relation", "describe".
std::string to_string(TaskType task);
std::optional<TaskType> parse_task(std::string_view name);
// Every task type, in enum order.
std::vector<TaskType> all_tasks();

}  // namespace sightline::toy
