#pragma once
// Autoregressive generation with a KV cache: one prefill over the prompt, then one position per step.
#include <atomic>
#include <functional>

#include "core/generate/prompt.h"
#include "core/generate/trace.h"
#include "core/model/hooks.h"
#include "core/model/loaded_model.h"
#include "core/util/progress.h"

namespace sightline {

struct GenerationCallbacks {
    // Called after every new token with the trace so far; return false to stop early.
    std::function<bool(const Trace& trace)> on_token;
    const std::atomic<bool>* cancel = nullptr;  // polled between steps; stops with stop_reason "cancelled"
    // Progress ("vision encoding" and "prefill" per layer, "decode" per token) and cancellation inside
    // the prefill (per layer): a cancel there throws CancelledError, one between tokens stops with
    // stop_reason "cancelled". Its cancel flag, when set, replaces `cancel`.
    const JobControl* control = nullptr;
    // Record what the explainers need (trace.capture): attention rows of the answer's query positions,
    // final hidden states and input embeddings. Skipped, with trace.capture left null, when the rows would
    // take more than a quarter of the available memory.
    bool capture = false;
    // Interventions and attention knockouts applied on every pass (prefill and each step), e.g. a
    // knockout's; positions are absolute. May be null.
    const RunOptions* interventions = nullptr;
};

// Generates an answer for a prepared prompt. Throws sightline::Error for invalid settings and
// OutOfMemoryRisk when the KV cache would not fit.
Trace generate(const LoadedModel& model, PreparedPrompt prompt, const GenerationSettings& settings,
               const GenerationCallbacks& callbacks = {});

}  // namespace sightline
