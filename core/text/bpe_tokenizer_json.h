#pragma once
// Reads a byte-level BPE tokenizer.json (Hugging Face tokenizers format): model vocab and merges
// (as "a b" strings or ["a", "b"] pairs), added tokens, normalizer, pre-tokenizer and the special
// tokens a TemplateProcessing post-processor puts around a single sequence.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/text/bpe_model.h"
#include "core/text/pre_tokenizer.h"
#include "core/text/text_normalizer.h"
#include "core/text/tokenizer_config.h"

namespace sightline {

struct BpeTokenizerFile {
    std::unique_ptr<BpeModel> model;
    std::vector<AddedToken> added_tokens;
    TextNormalizer normalizer;
    PreTokenizer pre_tokenizer;
    std::vector<int64_t> template_prefix;  // e.g. BOS from TemplateProcessing "single"
    std::vector<int64_t> template_suffix;
    std::string unk_token;  // model.unk_token, "" when none
};

// Throws sightline::Error naming the file and the field for malformed or unsupported content.
BpeTokenizerFile read_bpe_tokenizer_json(const std::string& path);

}  // namespace sightline
