#pragma once
// A model folder loaded and ready: config, weights, tokenizer (optional), image processor and chat
// template. Everything downstream (generation, explainers, CLI, GUI) takes a LoadedModel.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/image/image_processor_config.h"
#include "core/io/torch_dtype.h"
#include "core/model/config.h"
#include "core/model/model.h"
#include "core/text/chat_template.h"
#include "core/text/tokenizer.h"
#include "core/util/progress.h"

namespace sightline {

struct LoadOptions {
    // Compute dtype; unset = chosen automatically (plan_load: bfloat16 for 16-bit checkpoints of 1B
    // parameters or more on CPUs with BF16 instructions, or when float32 would not fit; float32 otherwise).
    std::optional<ComputeDType> dtype;
    int threads = 0;  // 0 = all hardware threads
    // Int8 weight-only mode: linear layers' weights (not embeddings, norms or the LM head) quantised to
    // int8 with per-output-channel scales while loading, dequantised layer by layer on the fly
    // (core/io/int8_weights.h). The compute dtype still applies to activations.
    bool int8_weights = false;
    // Progress ("loading weights", in MiB) and cancellation between tensors; may be null.
    const JobControl* control = nullptr;
};

struct LoadedModel {
    std::string dir;
    std::string name;  // folder name, or "_name_or_path" from config.json
    ModelConfig config;
    std::unique_ptr<Model> model;
    std::unique_ptr<Tokenizer> tokenizer;  // null when the folder has no tokenizer (drive it with ids)
    std::optional<ImageProcessorConfig> image_processor;       // multimodal models only
    ChatTemplateKind chat_template = ChatTemplateKind::Plain;  // the built-in format (fallback)
    // The checkpoint's own chat template, rendered for text prompts; nullopt when the folder has none.
    std::optional<ChatTemplate> own_chat_template;
    std::vector<std::int64_t> stop_ids;  // end-of-sequence ids from generation_config / config / tokenizer
    double load_ms = 0;
    std::string dtype_reason;        // why this compute dtype ("asked for", or the automatic choice's reason)
    std::vector<std::string> notes;  // non-fatal observations (defaults used, unused tensors...)

    // Display text of one token id (falls back to "[id]" without a tokenizer).
    std::string token_text(std::int64_t id) const;
    std::string decode(const std::vector<std::int64_t>& ids) const;
};

std::unique_ptr<LoadedModel> load_model(const std::string& dir, const LoadOptions& options = {});
// Options for a dtype choice as the GUI and the CLI name it: "auto" (or empty), "f32", "bf16", or "int8"
// (int8 weights, activations in the automatic dtype). Throws for anything else.
LoadOptions load_options_for(const std::string& choice);

// Makes LibTorch (and OpenMP/BLAS) use `threads` threads on the calling thread (0 = $SIGHTLINE_THREADS
// if set, else all cores).
// Call once on every thread that runs the model.
void configure_threads(int threads = 0);
int active_threads();

}  // namespace sightline
