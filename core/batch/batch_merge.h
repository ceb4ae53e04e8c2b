#pragma once
// Merging the shards of a dataset batch run (`sightline-cli batch-merge`) and comparing two runs
// (`sightline-cli batch-diff`).
//
// The merge reads OUT/shards/shard-I-of-N.jsonl for every I, refuses shards that disagree on the run
// (manifest digest, model identity, methods, parameters, targets, settings, software version) or a missing
// shard or item (unless partial), and writes OUT/results.jsonl (every item's record in manifest order)
// and OUT/summary.json: per method the evaluation's figures where ground truth exists (Obj-IoU, Func-IoU,
// F1-IoU, pointing game with misses by kind and by group, deletion/insertion AUC, CLEANN validation,
// mean time — the same sums `sightline-cli eval` makes, in the same order), answer accuracy where expected
// answers exist (overall and by group), bad items with their errors, and timing (compute seconds, wall
// time from the first item started to the last finished, items per minute, per shard).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sightline::batch {

struct MergeResult {
    nlohmann::json summary;
    std::string results_path, summary_path;
    int items = 0, missing = 0, errors = 0;
};

// Everything the shard files of a run hold, read without writing anything (a run still in progress can be
// looked at): the run record, every item's record in index order, per shard its counts and times, what is
// missing. Throws sightline::Error when there are no shard files or they belong to different runs.
struct CollectedRun {
    nlohmann::json run;
    int shards = 0, manifest_items = 0;
    std::vector<nlohmann::json> records;
    nlohmann::json per_shard;  // [{"shard", "items", "owned", "compute_seconds", ...}]
    std::vector<int> missing_shards;
    int missing_items = 0, duplicates = 0;
};
CollectedRun collect_batch(const std::string& out_dir);

// The records of a merged run (DIR/results.jsonl), in order.
std::vector<nlohmann::json> read_merged_results(const std::string& dir);

// Throws sightline::Error with the reason (and what to do) when the shards cannot be merged.
MergeResult merge_batch(const std::string& out_dir, bool partial = false);

// The summary of already-merged records (in index order) of a run: used by merge_batch.
nlohmann::json summarize_records(const std::vector<nlohmann::json>& records);

struct DiffResult {
    bool equal = true;
    std::vector<std::string> differences;  // "item 12 (s1000200012): /answer: 'red' vs 'blue'", at most max
    int count = 0;                         // all differences found
};
// Compares two merged runs, record by record and summary to summary, ignoring what differs from run to
// run by nature: times, hosts, process ids and paths of the manifest or model folder. Numbers must be equal,
// or within `tolerance` relative to max(1, |a|, |b|) when it is above 0 (runs with different thread counts
// round differently in the last digits).
DiffResult diff_batches(const std::string& dir_a, const std::string& dir_b, int max_differences = 20,
                        double tolerance = 0);

}  // namespace sightline::batch
