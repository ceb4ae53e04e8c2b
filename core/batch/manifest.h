#pragma once
// The input of a dataset batch run: a JSON Lines manifest, one image/question item a line.
//   {"id": "q17",                       optional; default "item-<line>" (letters, digits, '.', '_', '-')
//    "image": "images/17.png",          required; relative paths are read from the manifest's folder
//    "prompt": "What color is ...?",    required ("question" is accepted too)
//    "expected": "red",                 optional expected answer ("answer" accepted): accuracy
//    "truth": "truth/17.json",          optional ground truth: a COCO-style file or a folder of PNG masks
//                                       (the format of `explain --truth`), or that JSON inline
//    "answer_words": [{"begin": 0, "end": 3, "kind": "object", "object": "red ball"}, ...],
//                                       optional: words of "expected" by byte span, kind object / function /
//                                       other, the object as its label or its index in the ground truth
//    "group": "color",                  optional question type ("task" accepted): results by group
//    "seed": 17}                        optional: seeds the random baseline (default: from the id)
// And which items a shard of a run computes: item i (0-based line order, blank lines skipped) belongs to
// shard i mod N.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/eval/answer_scoring.h"

namespace sightline::batch {

struct ManifestItem {
    int index = 0;  // 0-based among the manifest's items
    int line = 0;   // 1-based line in the file
    std::string id;
    std::string image;  // resolved path
    std::string prompt;
    std::optional<std::string> expected;
    nlohmann::json truth;         // null, a resolved path (string) or an inline object
    nlohmann::json answer_words;  // null or an array
    std::string group;
    std::uint64_t seed = 0;
    std::string error;  // set when the line cannot be used (bad JSON, missing field, duplicate id)
};

struct Manifest {
    std::string path;    // absolute
    std::string sha256;  // of the file's bytes
    std::vector<ManifestItem> items;
};

// Reads a manifest. Throws sightline::Error when the file cannot be read, is empty or has more than
// 10 million items; a bad line becomes an item with `error` set (the run records it and goes on).
Manifest read_manifest(const std::string& path);

// The ground truth of an item for an image of width x height: objects (from the truth file, folder or
// inline JSON), expected answer, answer-word spans, group and seed. Throws sightline::Error naming the
// field for a malformed item.
AnswerTruth item_truth(const ManifestItem& item, int image_width, int image_height);

// A folder-safe id: 1-128 of letters, digits, '.', '_', '-', not starting with '.'.
bool valid_item_id(const std::string& id);

struct Shard {
    int index = 0, count = 1;
    bool owns(int item_index) const { return item_index % count == index; }
    std::string name() const;  // "shard-1-of-4"
};
// "I/N" (0 <= I < N <= 100000); throws with the accepted forms.
Shard parse_shard(const std::string& text);
// From SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN) and SLURM_ARRAY_TASK_COUNT when set; nullopt
// otherwise. Throws when they are set but inconsistent.
std::optional<Shard> shard_from_slurm_environment();

}  // namespace sightline::batch
