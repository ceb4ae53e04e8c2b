#pragma once
// Tiny random checkpoints written by the tests themselves in Hugging Face layout (config.json,
// safetensors, a byte-level tokenizer.json, tokenizer_config.json, preprocessor_config.json,
// chat_template.json), so the whole loading path runs without any downloaded model.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/generate/prompt.h"
#include "core/model/config.h"
#include "core/model/weight_names.h"

namespace sightline::test {

struct TinySpec {
    bool multimodal = true;
    VisionKind vision = VisionKind::Clip;
    DecoderKind decoder = DecoderKind::Llama;
    bool tied = false;
    KeyLayout layout = KeyLayout::Hub;
    int shards = 1;
    std::string strategy = "default";
    std::vector<int> feature_layers{-2};
    bool with_tokenizer = true;
    bool with_preprocessor = true;
    std::uint64_t seed = 1;
    double init_std = 0.2;  // large enough that outputs depend visibly on inputs
};

// Token ids of the tiny byte-level tokenizer: bytes 0..255, then these specials.
constexpr std::int64_t kTinyBos = 256, kTinyEos = 257, kTinyImage = 258, kTinyVocab = 260;

ModelConfig tiny_config(const TinySpec& spec);
// Writes the folder (created if needed) and returns its path.
std::string write_tiny_model(const std::string& dir, const TinySpec& spec);
// Writes a byte-level tokenizer.json (ids 0..255 the bytes, then `specials` as special added tokens) and a
// tokenizer_config.json (<s> / </s>, BOS added) into `dir`.
void write_byte_tokenizer(const std::string& dir,
                          const std::vector<std::pair<std::int64_t, std::string>>& specials);
// Writes only the byte-level tokenizer files into `dir` (the tiny specials, plus a LLaVA-style chat
// template).
void write_tiny_tokenizer(const std::string& dir);
// A short human-readable label for data-driven test rows.
std::string describe(const TinySpec& spec);
// `question` about a 32x32 RGB image of uniform noise drawn from OpenCV's global generator (seed it with
// cv::theRNG().state for a fixed image).
PromptRequest question_about_noise(const std::string& question);

}  // namespace sightline::test
