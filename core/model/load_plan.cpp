#include "core/model/load_plan.h"

#include <ATen/ATen.h>

#include <set>
#include <sstream>

#include "core/io/safetensors_format.h"
#include "core/io/weight_store.h"
#include "core/model/config.h"
#include "core/util/error.h"
#include "core/util/strings.h"
#include "core/util/system_info.h"

namespace sightline {

ComputeDType choose_dtype(LoadPlan& p) {
    if (!p.fits(ComputeDType::F32)) {
        p.recommended = ComputeDType::BF16;
        p.reason = cat("float32 would need about ", format_bytes(p.needed(ComputeDType::F32)), " but only ",
                       format_bytes(p.available), " is available",
                       p.fits(ComputeDType::BF16) ? "; bfloat16 fits" : "; bfloat16 does not fit either");
    } else if (p.stored_16bit && p.cpu_bf16 && p.parameters >= kBf16MinParameters) {
        p.recommended = ComputeDType::BF16;
        p.reason = cat("a 16-bit checkpoint of ", p.parameters / 1'000'000,
                       "M parameters on a CPU with BF16 "
                       "instructions: bfloat16 halves the memory and computes natively");
    } else {
        p.recommended = ComputeDType::F32;
        if (p.parameters < kBf16MinParameters)
            p.reason = "a small model: float32 keeps it exact";
        else if (!p.stored_16bit)
            p.reason = "the checkpoint is stored in float32 and float32 fits";
        else
            p.reason = "this CPU has no BF16 instructions, so bfloat16 would be emulated; float32 fits";
    }
    return p.recommended;
}

bool int8_eligible(const std::string& name, const std::vector<std::int64_t>& shape) {
    return shape.size() == 2 && ends_with(name, ".weight") && name.find("embed") == std::string::npos &&
           name.find("lm_head") == std::string::npos;
}

LoadPlan plan_load(const std::string& dir) {
    LoadPlan p;
    p.dir = dir;
    const ModelConfig config = load_model_config(dir);
    std::set<std::string> dtypes;
    bool all_16 = true, any_float = false;
    for (const auto& path : checkpoint_files(dir)) {
        const auto f = SafetensorsFile::open(path);
        for (const auto& t : f->tensors()) {
            const auto st = to_scalar_type(t.dtype);
            const auto n = static_cast<std::uint64_t>(t.numel());
            if (!at::isFloatingType(st)) {
                p.weights_f32 += n * dtype_size(t.dtype);
                p.weights_bf16 += n * dtype_size(t.dtype);
                p.weights_int8 += n * dtype_size(t.dtype);
                continue;
            }
            any_float = true;
            dtypes.insert(dtype_name(t.dtype));
            all_16 = all_16 && (t.dtype == StDType::F16 || t.dtype == StDType::BF16);
            p.parameters += static_cast<std::int64_t>(n);
            p.weights_f32 += n * 4;
            p.weights_bf16 += n * 2;
            p.weights_int8 +=
                int8_eligible(t.name, t.shape) ? n + static_cast<std::uint64_t>(t.shape[0]) * 4 : n * 2;
        }
    }
    p.stored_16bit = any_float && all_16;
    for (const auto& d : dtypes) p.stored_dtypes += (p.stored_dtypes.empty() ? "" : ", ") + d;
    // Runtime allowance: a prompt of a few hundred positions with the image, a KV cache of 2048
    // positions in the compute dtype's size (counted in float32 here), and 512 MiB for the rest.
    const auto& t = config.text;
    const std::uint64_t kv = 2ull * static_cast<std::uint64_t>(t.num_hidden_layers) * t.num_key_value_heads *
                             t.head_dim * 2048 * 2;
    p.runtime_bytes = kv + (512ull << 20);
    p.available = available_memory_bytes();
    p.cpu_bf16 = cpu_has_bf16();
    choose_dtype(p);
    return p;
}

std::string LoadPlan::describe() const {
    std::ostringstream s;
    s << parameters / 1'000'000 << "M parameters stored as " << (stored_dtypes.empty() ? "?" : stored_dtypes)
      << "\n";
    for (ComputeDType d : {ComputeDType::F32, ComputeDType::BF16})
        s << "  " << to_string(d) << ": about " << format_bytes(needed(d))
          << (fits(d) ? "" : " (does not fit)") << "\n";
    s << "  int8 weights (activations " << to_string(recommended) << "): about "
      << format_bytes(needed_int8()) << (fits_int8() ? "" : " (does not fit)") << "\n";
    s << "available memory: " << (available ? format_bytes(available) : std::string("unknown")) << "; CPU "
      << (cpu_bf16 ? "has" : "has no") << " BF16 instructions\n";
    s << "choice: " << to_string(recommended) << " (" << reason << ")";
    return s.str();
}

}  // namespace sightline
