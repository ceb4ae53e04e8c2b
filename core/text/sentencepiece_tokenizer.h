#pragma once
// SentencePiece tokenizer (tokenizer.model) with the semantics of transformers' LlamaTokenizer:
// added tokens are split off first; legacy=false adds the dummy "▁" only at the start of the text
// (never after an added token); legacy=true/absent encodes every segment as SentencePiece does.
#include <memory>
#include <string>

#include "core/text/tokenizer.h"
#include "core/text/tokenizer_config.h"

namespace sightline {

// `config` may be default-constructed: plain SentencePiece behaviour with BOS added.
std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::string& model_path,
                                                        const TokenizerConfig& config);

}  // namespace sightline
