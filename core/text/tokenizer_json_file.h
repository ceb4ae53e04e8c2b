#pragma once
// Streams a Hugging Face tokenizer.json into memory without building a JSON tree for its two big
// parts: model.vocab (piece -> id) and model.merges ("a b" strings or ["a", "b"] pairs) go straight
// into vectors; everything else (normalizer, pre_tokenizer, added_tokens, ...) is kept as a small
// nlohmann::json tree. A 33 MB Gemma 3 tokenizer.json parses in a fraction of a second this way,
// with far less memory than a full tree would take.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sightline {

struct TokenizerJsonFile {
    nlohmann::json doc;  // the whole file, less model.vocab / model.merges when they were streamed
    std::vector<std::pair<std::string, int64_t>> vocab;       // in file order
    std::vector<std::pair<std::string, std::string>> merges;  // in rank order
    bool has_vocab = false;                                   // model.vocab was an object and is in `vocab`
    bool has_merges = false;                                  // model.merges was an array and is in `merges`
};

// Throws sightline::Error naming `path` when the file is missing, is not valid JSON (truncated
// included), or its vocabulary / merges entries have the wrong shape.
TokenizerJsonFile read_tokenizer_json_file(const std::string& path);

// The same from text in memory; `where` names it in messages.
TokenizerJsonFile parse_tokenizer_json(const std::string& text, const std::string& where);

}  // namespace sightline
