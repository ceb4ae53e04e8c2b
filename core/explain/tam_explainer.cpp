#include "core/explain/tam_explainer.h"

#include <ATen/ATen.h>

#include "core/explain/map_utils.h"
#include "core/explain/tam_context.h"
#include "core/explain/tam_math.h"
#include "core/explain/trace_context.h"

namespace sightline {
namespace {

tam::Segment segment_of(TokenRole role) {
    switch (role) {
        case TokenRole::Prompt:
            return tam::Segment::Prompt;
        case TokenRole::Image:
            return tam::Segment::Image;
        case TokenRole::Answer:
            return tam::Segment::Answer;
        case TokenRole::System:
            break;
    }
    return tam::Segment::Template;
}

std::vector<tam::SequenceToken> sequence_of(const Trace& trace) {
    std::vector<tam::SequenceToken> seq;
    seq.reserve(trace.tokens.size());
    for (const auto& t : trace.tokens) seq.push_back({t.id, t.text, segment_of(t.role)});
    return seq;
}

}  // namespace

std::string TamExplainer::description() const {
    return "Token Activation Map (Li et al. 2025): the token's class activation ReLU(logit) read at every "
           "image position, with interference from the earlier prompt and answer words estimated and "
           "removed, normalised jointly with the text scores and denoised by the rank Gaussian filter. "
           "No gradients.";
}

std::vector<ParamSpec> TamExplainer::params(const ModelConfig&) const {
    return {
        {"remove_interference",
         "Remove context interference",
         "Estimated causal inference against the earlier prompt and answer words",
         ParamKind::Bool,
         true,
         0,
         0,
         {}},
        {"filter",
         "Rank Gaussian filter",
         "Denoise the image map with the 3x3 rank Gaussian filter",
         ParamKind::Bool,
         true,
         0,
         0,
         {}},
    };
}

Explanation TamExplainer::explain(TraceContext& ctx, std::int64_t target, const nlohmann::json& p) const {
    const std::int64_t pos = ctx.target_position(target);
    const Trace& trace = ctx.trace();
    const auto seq = sequence_of(trace);
    const auto target_index = static_cast<std::size_t>(pos);
    const bool remove = p.at("remove_interference").get<bool>();

    // Class activations ReLU(logit) at every position, for the target's class and its context's.
    const std::vector<std::int64_t> classes =
        remove ? tam::classes_needed(seq, target_index) : std::vector<std::int64_t>{seq[target_index].id};
    const at::Tensor act = ctx.class_logits(classes).clamp_min(0);  // [N, classes]
    tam::ClassActivations table;
    for (std::size_t k = 0; k < classes.size(); ++k)
        table[classes[k]] = to_vector(act.select(1, static_cast<std::int64_t>(k)).contiguous());
    const tam::TokenActivation r = tam::token_activation(seq, target_index, table, remove);

    Explanation e;
    e.method = name();
    e.target = target;
    e.target_position = pos;
    for (auto i : r.text_positions) e.text_positions.push_back(static_cast<std::int64_t>(i));
    e.text_scores = r.text_scores;
    if (trace.has_image()) {
        e.grid_h = trace.grid_h;
        e.grid_w = trace.grid_w;
        ctx.set_image_map(e, r.image);
    }
    tam::joint_minmax(e.image_map, e.text_scores);
    if (trace.has_image() && p.at("filter").get<bool>())
        e.image_map = tam::rank_gaussian_filter(e.image_map, e.grid_h, e.grid_w);

    Interference interference;
    interference.class_id = seq[target_index].id;
    interference.alpha = r.alpha;
    for (std::size_t k = 0; k < r.context.size(); ++k)
        interference.context.push_back({static_cast<std::int64_t>(r.context[k].position),
                                        static_cast<std::int64_t>(r.context[k].weight_position),
                                        r.weights[k]});
    e.interference = std::move(interference);
    return e;
}

}  // namespace sightline
