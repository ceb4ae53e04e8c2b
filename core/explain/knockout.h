#pragma once
// Knockout and ablation (METHODS.md section 9): cut chosen image patches or prompt tokens out of the
// computation and re-run. Three interventions: block attention from the answer positions to them (in
// chosen layers), replace their LM input embeddings by the mean image embedding, or by those of a blurred
// image. Reported: the new answer beside the old, the clicked token's probability before and after
// (teacher-forced on the original answer), and, for blocking, the probability with one window of layers
// blocked at a time.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/explain/knockout_result.h"
#include "core/generate/trace.h"
#include "core/model/hooks.h"

namespace sightline {

class TraceContext;

// The run options of a knockout: attention blocks from query positions [query_begin, query_end) to the
// knocked-out keys, or the knocked-out positions' LM input embeddings replaced. `blurred_embeds` (LM
// input embeddings [N, d] of the trace with a blurred image) is needed for "blur" only.
RunOptions knockout_options(TraceContext& ctx, const KnockoutSpec& spec, std::int64_t query_begin,
                            std::int64_t query_end, const at::Tensor& blurred_embeds = {});

// Validates the spec (positions inside the prompt, layers inside the model, a known op), runs the
// teacher-forced readout, the per-layer curve and a greedy re-generation of the answer (as many tokens as
// the original answer plus 8, at most `max_new_tokens`).
KnockoutResult run_knockout(TraceContext& ctx, std::int64_t target, const KnockoutSpec& spec,
                            int max_new_tokens = 48);

// Positions of the image patches under map cells (row, col) of the trace's map grid.
std::vector<std::int64_t> positions_of_cells(const TraceContext& ctx,
                                             const std::vector<std::pair<int, int>>& cells);

}  // namespace sightline
