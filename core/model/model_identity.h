#pragma once
// The identity of a model folder, for review records: the SHA-256 of every file that decides what the
// model computes (config, weights, tokenizer, processor and template files), and one SHA-256 over
// that list. Two folders with the same identity give the same answers and maps; a session or report
// made with one model can be checked against the model loaded later.
//
// Hashing a 7B checkpoint reads ~14 GB, so file digests are cached (keyed by the file's absolute
// path, size and modification time) in a JSON file; a model is hashed in full once.
#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sightline {

struct FileDigest {
    std::string name;  // file name inside the model folder
    std::uint64_t bytes = 0;
    std::string sha256;
};

struct ModelIdentity {
    std::string sha256;  // over "name\tbytes\tsha256\n" of every file, sorted by name
    std::vector<FileDigest> files;
    std::string short_id() const { return sha256.substr(0, 12); }
    bool empty() const { return sha256.empty(); }
};

nlohmann::json model_identity_to_json(const ModelIdentity& id);
// Throws sightline::Error naming the field for a malformed record.
ModelIdentity model_identity_from_json(const nlohmann::json& j);

// The files of `dir` that take part in its identity, sorted: config.json, generation_config.json,
// *.safetensors, *.safetensors.index.json, tokenizer.model, tokenizer.json, tokenizer_config.json,
// special_tokens_map.json, added_tokens.json, preprocessor_config.json, processor_config.json,
// chat_template.json, chat_template.jinja. Throws when the folder cannot be read or has no config.json.
std::vector<std::string> model_identity_files(const std::string& dir);

// Where digests are cached: $SIGHTLINE_CACHE_DIR, else $XDG_CACHE_HOME/sightline, else
// ~/.cache/sightline; the file is file-digests.json in that folder.
std::string default_digest_cache_path();

// Computes the identity of the model folder `dir`, using and updating the cache at `cache_path`
// (empty: no cache). A cache that cannot be read or written is ignored (the digests are recomputed),
// never an error. `cancelled` is polled between reads (CancelledError).
ModelIdentity compute_model_identity(const std::string& dir, const std::string& cache_path,
                                     const std::atomic<bool>* cancelled = nullptr);

}  // namespace sightline
