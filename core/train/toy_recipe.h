#pragma once
// The recipe of the embedded default model ("scene-llava"): a LLaVA-1.5-shaped model (CLIP-style vision
// tower with class token and pre-LN, feature layer -2, strategy "default", 2-layer GELU projector, Llama
// decoder) sized to train on two CPU cores, plus the Hugging Face side files it ships with.
#include <cstdint>
#include <string>

#include "core/image/image_processor_config.h"
#include "core/model/config.h"

namespace sightline::train {

struct ToyModelSize {
    int vision_layers = 5;  // with feature layer -2, the last block is present but unused (as in llava-1.5)
    int vision_hidden = 128;
    int vision_heads = 4;
    int vision_mlp = 512;
    int lm_layers = 4;
    int lm_hidden = 256;
    int lm_heads = 4;
    int lm_kv_heads = 4;
    int lm_mlp = 688;
    int max_positions = 512;
};

// A much smaller size for smoke tests.
ToyModelSize tiny_toy_size();

// Special token ids of the toy tokenizer (SentencePiece BPE with byte fallback; see train_toy_tokenizer).
struct ToyTokenIds {
    std::int64_t unk = 0, bos = 1, eos = 2;
    std::int64_t image = -1, pad = -1;  // appended after the SentencePiece vocabulary
    std::int64_t vocab = 0;             // model vocabulary (SentencePiece pieces + <image> + <pad>)
};

ModelConfig toy_model_config(const ToyModelSize& size, const ToyTokenIds& ids);
ImageProcessorConfig toy_image_processor();

// Trains the SentencePiece tokenizer with the `spm_train` program on a generated corpus and writes
// tokenizer.model into `dir`. Returns the ids. Throws sightline::Error when spm_train fails.
ToyTokenIds train_toy_tokenizer(const std::string& dir, const std::string& spm_train = "spm_train",
                                int vocab_size = 512, std::size_t corpus_samples = 20000);
// Ids of an existing toy tokenizer.model in `dir` (vocab from the model's piece count).
ToyTokenIds toy_token_ids(const std::string& dir);

// Writes tokenizer_config.json, special_tokens_map.json, chat_template.json, preprocessor_config.json
// and generation_config.json in the layout of llava-1.5-hf.
void write_toy_side_files(const std::string& dir, const ToyTokenIds& ids, int max_positions);

}  // namespace sightline::train
