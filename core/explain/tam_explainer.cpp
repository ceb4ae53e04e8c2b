#include "core/explain/tam_explainer.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <map>

#include "core/explain/map_utils.h"
#include "core/explain/tam_math.h"
#include "core/explain/trace_context.h"
#include "core/util/error.h"

namespace sightline {

std::string TamExplainer::description() const {
    return "Token Activation Map (Li et al. 2025): the token's class activation ReLU(logit) read at every "
           "image "
           "position, with interference from earlier context tokens estimated and removed, normalised "
           "jointly with "
           "the text scores and denoised by the rank Gaussian filter. No gradients.";
}

std::vector<ParamSpec> TamExplainer::params(const ModelConfig&) const {
    return {
        {"remove_interference",
         "Remove context interference",
         "Estimated causal inference against earlier tokens",
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
    const auto& tokens = trace.tokens;
    const std::int64_t cls_v =
        tokens[static_cast<std::size_t>(pos)].id;  // class of the token itself (no off-by-one)

    // Context: earlier non-image tokens whose text differs from the target's.
    std::vector<std::int64_t> context;
    for (auto i : ctx.text_positions_before(pos))
        if (tokens[static_cast<std::size_t>(i)].text != tokens[static_cast<std::size_t>(pos)].text)
            context.push_back(i);

    // Class logits for the target class and every context token's class, at all positions.
    std::vector<std::int64_t> classes = {cls_v};
    std::map<std::int64_t, std::int64_t> column{{cls_v, 0}};
    for (auto i : context) {
        const auto c = tokens[static_cast<std::size_t>(i)].id;
        if (column.emplace(c, static_cast<std::int64_t>(classes.size())).second) classes.push_back(c);
    }
    const at::Tensor act = ctx.class_logits(classes).clamp_min(0);  // [N, classes]
    const at::Tensor s_v = act.select(1, 0);
    const auto image_pos = ctx.image_positions();

    Explanation e;
    e.method = name();
    e.target = target;
    e.target_position = pos;
    // Text scores: the target class's activation at earlier text positions, minus the position predicting it.
    for (auto i : ctx.text_positions_before(pos))
        if (i != pos - 1) e.text_positions.push_back(i);
    e.text_scores = gather(s_v, e.text_positions);

    double alpha = 0;
    if (trace.has_image()) {
        e.grid_h = trace.grid_h;
        e.grid_w = trace.grid_w;
        std::vector<float> map = gather(s_v, image_pos);
        if (p.at("remove_interference").get<bool>() && !context.empty()) {
            std::vector<std::vector<float>> maps;
            for (auto i : context)
                maps.push_back(
                    gather(act.select(1, column.at(tokens[static_cast<std::size_t>(i)].id)), image_pos));
            const auto r = tam::remove_interference(map, maps, gather(s_v, context));
            map = r.map;
            alpha = r.alpha;
        }
        e.image_map = ctx.to_grid(map);
        tam::joint_minmax(e.image_map, e.text_scores);
        if (p.at("filter").get<bool>())
            e.image_map = tam::rank_gaussian_filter(e.image_map, e.grid_h, e.grid_w);
    } else {
        std::vector<float> none;
        tam::joint_minmax(none, e.text_scores);
    }
    e.extras = {{"class", cls_v}, {"alpha", alpha}, {"context_tokens", context.size()}};
    return e;
}

}  // namespace sightline
