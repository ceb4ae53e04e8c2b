#pragma once
// One shard of a dataset batch run (`sightline-cli batch`): every manifest item the shard owns is
// answered by the model, its chosen answer tokens explained by the chosen methods, the maps written as
// NumPy arrays (and overlay PNGs on request) to OUT/items/<id>/ and scored against the item's ground
// truth (answer_scoring), and one JSON line per item appended to OUT/shards/shard-I-of-N.jsonl.
//
// The shard file starts with a header line that records the run (manifest digest, model identity,
// methods, parameters, targets, generation and scoring settings, software version); a later run into the
// same folder must match it. Resuming: an item is complete when its line is in the shard file; each item
// is computed in OUT/items/.<id>.partial-<pid> and renamed into place before its line is appended (one
// write, then fsync), so a crash or a killed job loses at most the item in progress, and a torn last
// line is cut off when the shard is opened again. OUT/shards/shard-I-of-N.started journals every item
// started (its id), so a run can show that nothing was computed twice. Two processes cannot run the same
// shard at once (an exclusive lock on the shard file).
#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/batch/manifest.h"

namespace sightline {
class Explorer;
struct LoadedModel;
}  // namespace sightline

namespace sightline::batch {

enum class TargetMode { AnswerWords, All, First };
TargetMode parse_target_mode(const std::string& s);  // answer-words | all | first
std::string to_string(TargetMode m);

struct BatchOptions {
    std::string manifest_path;
    std::string out_dir;
    Shard shard;
    ScoringOptions scoring;  // methods, their parameters, deletion/insertion settings (eval's defaults)
    TargetMode targets = TargetMode::AnswerWords;
    bool png = false;          // overlay PNGs beside the arrays
    int max_new_tokens = 48;   // greedy answers, as the evaluation asks
    std::string model_dir;     // identifies the model in the header (its identity digest)
    std::string digest_cache;  // model identity cache file ("" = none)
    // Loads the model (only when the shard has work left) and prepares the explorer (plugins).
    std::function<std::unique_ptr<LoadedModel>()> load_model;
    std::function<void(Explorer&)> setup_explorer;
    const std::atomic<bool>* cancel = nullptr;
};

struct BatchProgress {
    int shard_items = 0;  // items this shard owns
    int done = 0;         // complete (skipped + computed + errors)
    int skipped = 0, computed = 0, errors = 0;
    double elapsed_s = 0;
    std::string last_id;
    double last_seconds = 0;
    std::string last_error;
};

struct BatchShardSummary {
    Shard shard;
    int manifest_items = 0, shard_items = 0, skipped = 0, computed = 0, errors = 0;
    double seconds = 0, items_per_minute = 0;
    std::string results_path;
    nlohmann::json to_json() const;
};

// The header's "run" object: what every shard of one run shares.
nlohmann::json batch_run_record(const BatchOptions& o, const Manifest& m, const std::string& model_identity);

BatchShardSummary run_batch_shard(const BatchOptions& o,
                                  const std::function<void(const BatchProgress&)>& progress);

// Paths inside an output folder.
std::string shards_dir(const std::string& out_dir);
std::string shard_results_path(const std::string& out_dir, const Shard& s);
std::string shard_journal_path(const std::string& out_dir, const Shard& s);

// Every shard file in `dir` (named shard-I-of-N.jsonl), in directory order; none when `dir` is no folder.
std::vector<std::pair<Shard, std::string>> shard_files(const std::string& dir);
// The top-level keys in which two run records differ ("methods, png"), for messages.
std::string run_differences(const nlohmann::json& a, const nlohmann::json& b);

// The lines of a shard file: the header and each complete item record, in order. A last line without its
// newline or that does not parse (a write cut short) is left out; `good_bytes` receives the length of the
// part that is whole. Throws sightline::Error naming the file when the header is missing or malformed or a
// record before the last line is unreadable.
struct ShardFile {
    nlohmann::json header;
    std::vector<nlohmann::json> records;
    std::uint64_t good_bytes = 0;
    bool torn_tail = false;
};
ShardFile read_shard_file(const std::string& path);

}  // namespace sightline::batch
