#pragma once
// What the explainers need from a trace, recorded while it is generated so that no second pass over the
// whole sequence is needed afterwards: every LM layer's attention rows for the answer's query positions
// (the prediction step of the first answer token onwards), the final normalised hidden states and the LM
// input embeddings of every position. Each decode step computes these anyway; keeping them costs a copy.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace sightline {

struct GenerationCapture {
    std::int64_t row0 = 0;         // first captured query position (answer_begin - 1, or 0)
    std::vector<at::Tensor> rows;  // per layer: [heads, N - row0, N] float32, zero above the diagonal
    at::Tensor hidden;             // [N, d] final normalised hidden states (compute dtype)
    at::Tensor embeds;             // [N, d] LM input embeddings, image features merged (compute dtype)
    std::int64_t positions() const { return hidden.defined() ? hidden.size(0) : 0; }
};

}  // namespace sightline
