#pragma once
// Exact-match evaluation of a model on held-out scene-world questions, through the same path the app
// uses (chat template, tokenizer, preprocessing, greedy generation with the KV cache).
#include <atomic>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/model/loaded_model.h"
#include "core/toy/seeds.h"
#include "core/toy/task.h"

namespace sightline::train {

struct ToyEvalOptions {
    int n = 1000;
    std::uint64_t first_seed = toy::kHeldOutSeedBase;
    bool balanced_tasks =
        true;  // task of seed s = all_tasks()[(s - first_seed) % 7]; else the scene's own draw
    int max_new_tokens = 48;
    // Only questions of these tasks are asked (empty: all). The seed -> task assignment is unchanged, so a
    // run restricted to some tasks scores exactly the questions of those tasks in the full run.
    std::vector<toy::TaskType> only_tasks;
    int max_failures = 25;  // failures kept in the result, in seed order
    std::function<void(int done, int total)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

struct ToyEvalFailure {
    std::uint64_t seed = 0;
    std::string task, question, expected, predicted;
};

struct ToyEvalResult {
    int n = 0;
    int correct = 0;
    std::map<std::string, std::pair<int, int>> by_task;  // task -> (correct, total)
    int descriptions = 0;
    int descriptions_objects_right = 0;  // every colour/shape word right, in order
    // Relation questions split by whether another object lies in the asked direction but off the anchor's
    // row or column (toy::relation_decoys): (correct, total) with such a decoy and without.
    std::pair<int, int> relation_with_decoy{0, 0}, relation_without_decoy{0, 0};
    double mean_ms_per_question = 0;
    std::vector<ToyEvalFailure> failures;  // the first max_failures

    // correct / total of a (correct, total) pair; 0 when nothing was asked.
    static double rate(const std::pair<int, int>& ct) {
        return ct.second ? static_cast<double>(ct.first) / ct.second : 0.0;
    }
    double overall() const { return n ? static_cast<double>(correct) / n : 0.0; }
    double description_object_words() const {
        return descriptions ? static_cast<double>(descriptions_objects_right) / descriptions : 0.0;
    }
    nlohmann::json to_json() const;
};

ToyEvalResult evaluate_toy(const LoadedModel& model, const ToyEvalOptions& options);

// Colour and shape words of a description, in order (for the description metric).
std::vector<std::string> object_words(const std::string& text);

}  // namespace sightline::train
