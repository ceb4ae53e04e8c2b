#pragma once
// A tokenizer from a Hugging Face tokenizer.json, run as the tokenizers library runs it: added
// tokens are cut out first (leftmost, longest; "normalized" ones after the normalizer), then each
// stretch of text goes through the normalizer, the pre-tokenizer and the BPE model; the
// post-processor says what add_special_tokens puts around the ids, and the decoder turns ids back
// into text. Covers byte-level BPE files (GPT-2, Qwen, Llama 3, SmolVLM) and SentencePiece-style BPE
// files with byte fallback (Gemma, Llama 2 converted). Components and options it does not support are
// named in the error thrown at load time.
//
// Supported components:
//   normalizer:     NFC, NFD, NFKC, NFKD, Lowercase, Replace, Prepend, Strip, Sequence
//   pre_tokenizer:  Split, Digits, ByteLevel, Metaspace, Sequence
//   model:          BPE (byte_fallback, unk_token, fuse_unk, ignore_merges, continuing_subword_prefix,
//                   end_of_word_suffix; no dropout)
//   post_processor: TemplateProcessing (single sequence), ByteLevel, Sequence
//   decoder:        Replace, ByteFallback, Fuse, Strip, ByteLevel, Metaspace, Sequence
#include <memory>
#include <string>

#include "core/text/tokenizer.h"
#include "core/text/tokenizer_config.h"

namespace sightline {

// `config` is what the folder's tokenizer_config.json (and friends) say; its add_bos_token /
// add_eos_token, where set, win over the post-processor (as transformers' Llama and Gemma tokenizers).
std::unique_ptr<Tokenizer> load_tokenizer_json(const std::string& json_path, const TokenizerConfig& config);

}  // namespace sightline
