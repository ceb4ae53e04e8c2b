#pragma once
// Key/value cache for incremental decoding, preallocated to a fixed capacity (keys and values are stored
// per key/value head, before grouped-query expansion).
#include <ATen/core/Tensor.h>

#include <utility>
#include <vector>

namespace sightline {

class KVCache {
  public:
    KVCache(std::int64_t layers, std::int64_t batch, std::int64_t kv_heads, std::int64_t head_dim,
            std::int64_t capacity, c10::ScalarType dtype);
    static std::uint64_t bytes_needed(std::int64_t layers, std::int64_t batch, std::int64_t kv_heads,
                                      std::int64_t head_dim, std::int64_t capacity, c10::ScalarType dtype);

    // Number of positions already stored (same for all layers after a complete forward pass).
    std::int64_t length() const { return lengths_.empty() ? 0 : lengths_[0]; }
    std::int64_t capacity() const { return capacity_; }
    // Appends k, v [batch, kv_heads, T, head_dim] to `layer`; returns all keys/values stored so far.
    std::pair<at::Tensor, at::Tensor> append(int layer, const at::Tensor& k, const at::Tensor& v);
    // M-RoPE (Qwen2-VL): how far the positions of tokens after the prompt are shifted from their index.
    std::int64_t rope_delta() const { return rope_delta_; }
    void set_rope_delta(std::int64_t d) { rope_delta_ = d; }

  private:
    std::vector<at::Tensor> keys_, values_;
    std::vector<std::int64_t> lengths_;
    std::int64_t capacity_;
    std::int64_t rope_delta_ = 0;
};

}  // namespace sightline
