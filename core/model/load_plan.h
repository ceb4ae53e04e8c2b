#pragma once
// What loading a checkpoint folder will take, read from config.json and the safetensors headers only
// (nothing of the weights is read): parameters, the stored dtypes, the memory each compute dtype needs
// against what the machine has, and the compute dtype Sightline picks when none is asked for. The GUI
// shows it before loading; the CLI prints it with `info --plan`.
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/torch_dtype.h"

namespace sightline {

struct LoadPlan {
    std::string dir;
    std::int64_t parameters = 0;      // elements of floating-point tensors
    std::string stored_dtypes;        // "F16", "BF16", "F32", or a list when mixed
    bool stored_16bit = false;        // every floating tensor is F16 or BF16
    std::uint64_t weights_f32 = 0;    // resident bytes of the weights in float32
    std::uint64_t weights_bf16 = 0;   // ... in bfloat16
    std::uint64_t weights_int8 = 0;   // ... in the int8 weight-only mode (the rest in bfloat16)
    std::uint64_t runtime_bytes = 0;  // allowance for activations, KV cache and the capture (estimate)
    std::uint64_t available = 0;      // MemAvailable now (0 = unknown)
    bool cpu_bf16 = false;            // the CPU has BF16 instructions
    ComputeDType recommended = ComputeDType::F32;
    std::string reason;  // why `recommended`, in one sentence

    std::uint64_t needed(ComputeDType d) const {
        return (d == ComputeDType::BF16 ? weights_bf16 : weights_f32) + runtime_bytes;
    }
    bool fits(ComputeDType d) const { return available == 0 || needed(d) <= available; }
    std::uint64_t needed_int8() const { return weights_int8 + runtime_bytes; }
    bool fits_int8() const { return available == 0 || needed_int8() <= available; }
    // Several lines for people: parameters, stored dtype, memory per dtype against available, the choice.
    std::string describe() const;
};

// Models below this many parameters stay in float32 unless float32 does not fit (exactness against
// reference outputs matters more than speed there).
constexpr std::int64_t kBf16MinParameters = 1'000'000'000;

// Which checkpoint tensors the int8 weight-only mode quantises: two-dimensional ".weight" matrices of
// linear layers (not embeddings, not the LM head, which explainers read directly).
bool int8_eligible(const std::string& name, const std::vector<std::int64_t>& shape);

// Reads config.json and the checkpoint's headers; throws sightline::Error like load_model would.
LoadPlan plan_load(const std::string& dir);
// The automatic choice for a plan (see LoadPlan::recommended), separated for tests.
ComputeDType choose_dtype(LoadPlan& plan);

}  // namespace sightline
