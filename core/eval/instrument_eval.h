#pragma once
// The research instruments measured on held-out scene-world questions (docs/EVALUATION.md,
// "Instruments"). Only colour and shape questions the model answers correctly count; the token is the
// first colour or shape word (the one the window explains first), whose object is known.
//  - Causal tracing (image noise, residual stream, text columns off): whether the traced map's peak at
//    its best layer lies on the named object (pointing game), and the layer profile: the share of the
//    corrupted-to-clean probability gap recovered by restoring the object's patches at each layer.
//  - Logit lens: the pointing game of the lens map at the best layer and at the last layer.
//  - Knockout: the answer's accuracy with the object's patches knocked out (attention from the answer
//    blocked in every layer; and the patches' embeddings replaced by the image mean) against the same
//    number of random patches off the object.
#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sightline {

class Explorer;

struct InstrumentCase {
    std::uint64_t seed = 0;
    std::string task, question, answer, token;
    int object_cells = 0;          // map cells the object touches (= random cells knocked out)
    bool tracing_hit = false;      // traced map's peak on the object (best layer)
    int tracing_layer = 0;         // the map's layer
    std::vector<double> recovery;  // per layer: (p_restore_object - p_corrupt) / (p_clean - p_corrupt)
    bool lens_hit_best = false, lens_hit_last = false;
    int lens_best_layer = 0;
    bool block_object_correct = false, block_random_correct = false;  // answers still right after
    bool mean_object_correct = false, mean_random_correct = false;
};

struct InstrumentEvalOptions {
    int n = 60;  // questions drawn (colour and shape ones are used)
    std::uint64_t first_seed = 0;
    int tracing_samples = 3;  // noise samples of causal tracing
    std::function<void(int done, int total)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

std::vector<InstrumentCase> evaluate_instruments(Explorer& explorer, const InstrumentEvalOptions& options);
// Counts, rates and the mean recovery per layer.
nlohmann::json summarize_instruments(const std::vector<InstrumentCase>& cases);
nlohmann::json instrument_case_to_json(const InstrumentCase& c);

}  // namespace sightline
