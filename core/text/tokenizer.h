#pragma once
// The tokenizer interface of the engine and the loaders for Hugging Face tokenizer folders:
// SentencePiece (tokenizer.model, with transformers' LlamaTokenizer semantics) and BPE tokenizer.json
// files (byte-level as Qwen / Llama 3, byte fallback as Gemma), run as the Hugging Face tokenizers
// library runs them (see tokenizer_json.h for the supported components).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/util/error.h"

namespace sightline {

// Ids of the special tokens; -1 where the tokenizer has none.
struct SpecialTokenIds {
    int64_t bos = -1, eos = -1, pad = -1, unk = -1;
};

class Tokenizer {
  public:
    virtual ~Tokenizer() = default;

    // Added/special tokens written literally in the text ("<image>", "<|im_start|>") become single ids,
    // as Hugging Face does. add_special_tokens adds BOS (and EOS) as tokenizer_config.json says
    // (add_bos_token / add_eos_token; defaults per tokenizer class). Text must be valid UTF-8.
    virtual std::vector<int64_t> encode(const std::string& text, bool add_special_tokens) const = 0;
    // Ids out of range throw; bytes that do not form valid UTF-8 decode to U+FFFD.
    virtual std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = false) const = 0;
    // Vocabulary form of one token: "▁red", "Ġred", "<0x0A>", "<image>".
    virtual std::string piece(int64_t id) const = 0;
    // Display text of one token: " red", "\n"; a byte that is not valid UTF-8 on its own shows as "<0xF0>".
    virtual std::string token_text(int64_t id) const = 0;
    // Number of ids, added tokens included.
    virtual int64_t vocab_size() const = 0;
    // Id of a vocabulary piece or added token.
    virtual std::optional<int64_t> token_id(const std::string& piece) const = 0;
    virtual bool is_special(int64_t id) const = 0;
    // "sentencepiece" or "bpe".
    virtual std::string kind() const = 0;

    const SpecialTokenIds& special_ids() const { return special_ids_; }

  protected:
    SpecialTokenIds special_ids_;
};

// model_dir: a Hugging Face folder. Uses tokenizer.json when present (as transformers' AutoTokenizer loads
// the fast tokenizer), else tokenizer.model (SentencePiece); reads tokenizer_config.json, special_tokens_map.json and added_tokens.json where
// present. Returns nullptr when the folder has no tokenizer at all. Throws sightline::Error for an
// unsupported or corrupt tokenizer.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& model_dir);

// A single file: ".../tokenizer.model" or ".../tokenizer.json" (the sibling config files are read when
// present). Throws when the file is missing, unsupported or corrupt.
std::unique_ptr<Tokenizer> load_tokenizer_file(const std::string& path);

}  // namespace sightline
