#include "core/model/kv_cache.h"

#include <ATen/ATen.h>

#include "core/util/error.h"

namespace sightline {

KVCache::KVCache(std::int64_t layers, std::int64_t batch, std::int64_t kv_heads, std::int64_t head_dim,
                 std::int64_t capacity, c10::ScalarType dtype)
    : lengths_(static_cast<std::size_t>(layers), 0), capacity_(capacity) {
    for (std::int64_t l = 0; l < layers; ++l) {
        keys_.push_back(at::empty({batch, kv_heads, capacity, head_dim}, at::TensorOptions().dtype(dtype)));
        values_.push_back(at::empty({batch, kv_heads, capacity, head_dim}, at::TensorOptions().dtype(dtype)));
    }
}

std::uint64_t KVCache::bytes_needed(std::int64_t layers, std::int64_t batch, std::int64_t kv_heads,
                                    std::int64_t head_dim, std::int64_t capacity, c10::ScalarType dtype) {
    return 2ull * static_cast<std::uint64_t>(layers * batch * kv_heads * head_dim * capacity) *
           c10::elementSize(dtype);
}

std::pair<at::Tensor, at::Tensor> KVCache::append(int layer, const at::Tensor& k, const at::Tensor& v) {
    auto& len = lengths_.at(static_cast<std::size_t>(layer));
    const auto t = k.size(2);
    if (len + t > capacity_)
        fail("KV cache full: ", len + t, " positions exceed its capacity of ", capacity_);
    keys_[layer].narrow(2, len, t).copy_(k);
    values_[layer].narrow(2, len, t).copy_(v);
    len += t;
    return {keys_[layer].narrow(2, 0, len), values_[layer].narrow(2, 0, len)};
}

}  // namespace sightline
