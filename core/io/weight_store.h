#pragma once
// All tensors of a checkpoint, by their file names, as CPU tensors in the compute dtype.
// Floating-point tensors are converted to the compute dtype (F16 always is: LibTorch 1.13 cannot compute
// in F16 on CPU); when the stored dtype already matches and the data is aligned, tensors alias the
// memory map (zero copy) and keep it alive.
#include <ATen/core/Tensor.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/io/torch_dtype.h"
#include "core/util/progress.h"

namespace sightline {

class WeightStore {
  public:
    // A Hugging Face folder: model.safetensors, or model.safetensors.index.json (sharded), or the only
    // *.safetensors file present. Throws sightline::Error naming the folder/file/tensor on any problem,
    // and OutOfMemoryRisk when the weights would not fit in available memory.
    //
    // Files are read one at a time, in storage order: a tensor that must be converted (F16 always, or any
    // floating dtype other than the compute dtype) is converted and its pages are dropped from the
    // process at once, and a file's mapping is released when its last tensor is done, so the peak
    // resident memory is the converted weights plus about one tensor. Tensors stored in the compute dtype
    // alias the mapping (no copy). `control` (may be null) gets "loading weights" progress in MiB and
    // can cancel between tensors.
    //
    // With `int8` set, every tensor it accepts (by name and shape; floating, two-dimensional) is quantised
    // to int8 with per-row scales right after its conversion (core/io/int8_weights.h), so the peak is
    // the int8 weights plus about one tensor in the compute dtype.
    using Int8Filter = std::function<bool(const std::string& name, const std::vector<std::int64_t>& shape)>;
    static WeightStore load_dir(const std::string& dir, ComputeDType dtype,
                                const JobControl* control = nullptr, const Int8Filter& int8 = {});
    // Explicit list of safetensors files (duplicate tensor names across files are an error).
    static WeightStore load_files(const std::vector<std::string>& files, ComputeDType dtype,
                                  const JobControl* control = nullptr, const Int8Filter& int8 = {});

    bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
    // Throws sightline::Error naming the tensor and the checkpoint when absent.
    const at::Tensor& get(const std::string& name) const;
    const std::map<std::string, at::Tensor>& tensors() const { return tensors_; }
    const std::string& source_of(const std::string& name) const;
    // The per-row scales of a tensor stored as int8 (null for every other tensor).
    const at::Tensor* int8_scale(const std::string& name) const;
    std::uint64_t total_bytes() const { return total_bytes_; }
    const std::string& origin() const { return origin_; }

  private:
    std::map<std::string, at::Tensor> tensors_;
    std::map<std::string, std::string> sources_;
    std::map<std::string, at::Tensor> int8_scales_;
    std::uint64_t total_bytes_ = 0;
    std::string origin_;
};

// Lists the safetensors files of a checkpoint folder (see WeightStore::load_dir); validates the index.
std::vector<std::string> checkpoint_files(const std::string& dir);

}  // namespace sightline
