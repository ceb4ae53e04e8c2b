#pragma once
// Byte-level BPE tokenizer from a Hugging Face tokenizer.json (GPT-2 / Qwen family): added tokens
// first, then normalizer, pre-tokenizer regex, byte-level alphabet and merge ranks.
#include <memory>
#include <string>

#include "core/text/tokenizer.h"
#include "core/text/tokenizer_config.h"

namespace sightline {

std::unique_ptr<Tokenizer> load_bpe_tokenizer(const std::string& json_path, const TokenizerConfig& config);

}  // namespace sightline
