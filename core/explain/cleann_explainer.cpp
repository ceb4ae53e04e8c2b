#include "core/explain/cleann_explainer.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "core/causal/ci_test.h"
#include "core/causal/cleann.h"
#include "core/causal/icd.h"
#include "core/causal/matrix.h"
#include "core/causal/pag_json.h"
#include "core/explain/map_utils.h"
#include "core/explain/trace_context.h"
#include "core/util/error.h"
#include "core/util/stopwatch.h"

namespace sightline {
namespace {

std::string node_label(const Trace& t, std::int64_t pos) {
    const auto& tok = t.tokens[static_cast<std::size_t>(pos)];
    if (tok.role == TokenRole::Image)
        return tok.row >= 0 ? cat("img ", tok.row, ",", tok.col) : std::string("img cls");
    return tok.text;
}

// A graph node: one token, or a square group of image patches (big grids) that is masked and correlated
// as one.
struct Node {
    std::vector<std::int64_t> members;  // sequence positions, ascending
    double attention = 0;               // attention from the prediction step, summed over the members
    std::string label;
    std::int64_t first() const { return members.front(); }
};

// The view an image position belongs to (0 for traces without a layout, -1 for a pixel-less token).
int view_of(const Trace& t, std::int64_t position) {
    if (t.layout.empty()) return t.tokens[static_cast<std::size_t>(position)].row < 0 ? -1 : 0;
    return t.layout.tokens[static_cast<std::size_t>(position - t.image_begin)].view;
}

// Image nodes: every image position alone (g = 1), or g x g blocks of each view's cell grid; positions
// without a cell (a class token, a row separator) stay alone. Blocks are listed in order of first position.
std::vector<Node> image_groups(const Trace& t, const std::vector<std::int64_t>& image_pos, const double* a,
                               int g) {
    std::vector<Node> out;
    std::map<std::tuple<int, int, int>, std::size_t> block_of;
    for (const std::int64_t ip : image_pos) {
        const auto& tok = t.tokens[static_cast<std::size_t>(ip)];
        const int view = view_of(t, ip);
        if (g <= 1 || tok.row < 0 || view < 0) {
            out.push_back({{ip}, a[ip], node_label(t, ip)});
            continue;
        }
        const std::tuple<int, int, int> block{view, tok.row / g, tok.col / g};
        auto it = block_of.find(block);
        if (it == block_of.end()) {
            const int r0 = std::get<1>(block) * g, c0 = std::get<2>(block) * g;
            const int gh =
                t.layout.empty() ? t.grid_h : t.layout.views[static_cast<std::size_t>(view)].grid_h;
            const int gw =
                t.layout.empty() ? t.grid_w : t.layout.views[static_cast<std::size_t>(view)].grid_w;
            const std::string prefix =
                t.layout.single_grid() || t.layout.empty()
                    ? std::string("img ")
                    : cat("img ", t.layout.views[static_cast<std::size_t>(view)].kind, " ");
            it = block_of.emplace(block, out.size()).first;
            out.push_back(
                {{},
                 0.0,
                 cat(prefix, r0, "-", std::min(r0 + g, gh) - 1, ",", c0, "-", std::min(c0 + g, gw) - 1)});
        }
        Node& n = out[it->second];
        n.members.push_back(ip);
        n.attention += a[ip];
    }
    return out;
}

}  // namespace

std::pair<std::int64_t, double> run_with_masked_tokens(TraceContext& ctx, std::int64_t target,
                                                       const std::vector<std::int64_t>& positions,
                                                       const std::string& image_mask) {
    const std::int64_t pos = ctx.target_position(target);
    const Trace& t = ctx.trace();
    const at::Tensor& embeds = ctx.input_embeddings();  // [N, d]
    const auto image_pos = ctx.image_positions();
    at::Tensor image_fill = at::zeros({embeds.size(1)}, embeds.options());
    if (image_mask == "mean" && !image_pos.empty())
        image_fill = embeds.index_select(0, at::tensor(image_pos, at::kLong)).mean(0);
    const auto& special = ctx.model().tokenizer ? ctx.model().tokenizer->special_ids() : SpecialTokenIds{};
    const std::int64_t filler_id = special.pad >= 0 ? special.pad : (special.unk >= 0 ? special.unk : -1);
    const at::Tensor text_fill =
        filler_id >= 0 && filler_id < ctx.model().config.text.vocab_size
            ? ctx.model().model->decoder().embed(at::full({1}, filler_id, at::kLong))[0]
            : at::zeros({embeds.size(1)}, embeds.options());
    std::vector<std::int64_t> img, txt;
    for (auto p : positions) {
        if (p < 0 || p >= pos)
            fail("cannot mask position ", p, ": only positions before the target are inputs");
        (t.tokens[static_cast<std::size_t>(p)].role == TokenRole::Image ? img : txt).push_back(p);
    }
    RunOptions o;
    if (!img.empty()) o.interventions.push_back(Intervention::replace("lm.hook_embed", image_fill, img));
    if (!txt.empty()) o.interventions.push_back(Intervention::replace("lm.hook_embed", text_fill, txt));
    at::NoGradGuard ng;
    const at::Tensor logits = ctx.run_prefix(pos, &o);
    const std::int64_t y = t.tokens[static_cast<std::size_t>(pos)].id;
    return {logits.argmax().item<std::int64_t>(), at::softmax(logits, -1)[y].item<double>()};
}

std::string CleannExplainer::description() const {
    return "CLEANN (Rohekar et al. 2023): a causal graph over the tokens the prediction attends to, learned "
           "with "
           "(ordered) ICD from a last-layer head's attention, and the smallest candidate set whose masking "
           "really "
           "changes the predicted token (validated by re-running the model).";
}

std::vector<ParamSpec> CleannExplainer::params(const ModelConfig& c) const {
    return {
        {"alpha",
         "Significance (alpha)",
         "Fisher z test: independent when p > alpha",
         ParamKind::Double,
         0.3,
         1e-12,
         0.5,
         {}},
        {"head",
         "Head (-1 = most image-focused)",
         "Last-layer head whose attention gives the correlations",
         ParamKind::Int,
         -1,
         -1,
         static_cast<double>(c.text.num_attention_heads - 1),
         {}},
        {"max_image_nodes",
         "Image nodes",
         "Top image tokens (or patch groups) by attention from the target",
         ParamKind::Int,
         144,
         1,
         1000,
         {}},
        {"patch_group",
         "Patch group (0 = auto)",
         "Image nodes are g x g blocks of patches, masked together; auto picks the smallest g that leaves "
         "at most 'Image nodes' blocks (1 on grids up to 12x12, 2 on LLaVA-1.5's 24x24)",
         ParamKind::Int,
         0,
         0,
         16,
         {}},
        {"text_threshold",
         "Text threshold",
         "Text tokens above this attention become nodes",
         ParamKind::Double,
         0.005,
         0,
         1,
         {}},
        {"max_text_nodes",
         "Text nodes",
         "At most this many text tokens (the most attended) become nodes",
         ParamKind::Int,
         30,
         0,
         1000,
         {}},
        {"ordered", "Ordered ICD", "Use token order as the causal order", ParamKind::Bool, true, 0, 0, {}},
        {"radius", "Search radius", "Depth of the possible-d-separation tree", ParamKind::Int, 5, 1, 10, {}},
        {"max_set_size",
         "Max set size (0 = any)",
         "Largest candidate explanation",
         ParamKind::Int,
         0,
         0,
         1000,
         {}},
        {"max_tests",
         "Max model re-runs",
         "Cap on tester calls (each re-runs the prediction step)",
         ParamKind::Int,
         300,
         1,
         100000,
         {}},
        {"nested",
         "Nested search",
         "After the exhaustive search's share of re-runs, mask growing prefixes of the candidate pool "
         "and prune the first that changes the token to a 1-minimal set",
         ParamKind::Bool,
         true,
         0,
         0,
         {}},
        {"exhaustive_tests",
         "Exhaustive re-runs",
         "Re-runs for the exhaustive smallest-first search before the nested search takes over",
         ParamKind::Int,
         10,
         1,
         100000,
         {}},
        {"time_budget_ms",
         "Time budget (ms)",
         "Stop searching once the explanation has taken this long (0 = no limit)",
         ParamKind::Double,
         1500,
         0,
         600000,
         {}},
        {"min_reruns",
         "Re-runs the budget allows",
         "The budget grows to the time of this many forward passes of the loaded model when those take "
         "longer (big models); 0 = the budget as given",
         ParamKind::Int,
         12,
         0,
         10000,
         {}},
        {"image_mask",
         "Image masking",
         "Replace masked image tokens by the mean image embedding or zero",
         ParamKind::Choice,
         "mean",
         0,
         0,
         {"mean", "zero"}},
    };
}

Explanation CleannExplainer::explain(TraceContext& ctx, std::int64_t target, const nlohmann::json& p) const {
    const Stopwatch explain_clock;
    const std::int64_t pos = ctx.target_position(target);
    const std::int64_t q = pos - 1;  // the prediction step is the target node
    const Trace& trace = ctx.trace();
    const int last = ctx.layers() - 1;
    const at::Tensor full = ctx.full_pattern(last);  // [H, N, N]
    const at::Tensor row_all = full.select(1, q);    // [H, N]

    // Head: the given one, or the head putting the most attention on the image from the prediction step.
    int head = p.at("head").get<int>();
    const auto image_pos = ctx.image_positions();
    if (head < 0) {
        head = 0;
        if (!image_pos.empty())
            head = static_cast<int>(row_all.index_select(1, at::tensor(image_pos, at::kLong))
                                        .sum(1)
                                        .argmax()
                                        .item<std::int64_t>());
    }
    const at::Tensor a_row = row_all[head];  // attention of the prediction step over keys

    // Nodes: the target, the top image tokens (or patch groups), text tokens above the threshold (positions
    // before q).
    const at::Tensor a_cpu = a_row.to(at::kDouble).contiguous();
    const double* a = a_cpu.data_ptr<double>();
    const auto max_image = p.at("max_image_nodes").get<std::int64_t>();
    int group = p.at("patch_group").get<int>();
    if (group == 0) {  // auto: the smallest g with at most max_image blocks
        group = 1;
        if (trace.has_image() && trace.grid_h > 0)
            while (static_cast<std::int64_t>(image_groups(trace, image_pos, a, group).size()) > max_image &&
                   group < 64)
                ++group;
    }
    std::vector<Node> nodes = {{{q}, 0.0, node_label(trace, q)}};
    {
        std::vector<Node> image = image_groups(trace, image_pos, a, group);
        std::stable_sort(image.begin(), image.end(),
                         [](const Node& x, const Node& y) { return x.attention > y.attention; });
        if (static_cast<std::int64_t>(image.size()) > max_image)
            image.resize(static_cast<std::size_t>(max_image));
        for (auto& n : image) nodes.push_back(std::move(n));
    }
    const double threshold = p.at("text_threshold").get<double>();
    std::vector<std::pair<double, std::int64_t>> text;
    for (auto t : ctx.text_positions_before(q))
        if (a[t] > threshold) text.emplace_back(a[t], t);
    std::sort(text.begin(), text.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    const auto max_text = static_cast<std::size_t>(p.at("max_text_nodes").get<std::int64_t>());
    for (std::size_t i = 0; i < text.size() && i < max_text; ++i)
        nodes.push_back({{text[i].second}, text[i].first, node_label(trace, text[i].second)});
    std::sort(nodes.begin() + 1, nodes.end(),
              [](const Node& x, const Node& y) { return x.first() < y.first(); });
    const int n = static_cast<int>(nodes.size());

    // Correlations from the head's attention rows of the nodes (keys: every position up to q).
    causal::Matrix rows(n, static_cast<int>(q + 1));
    const at::Tensor head_pattern = full[head];
    for (int i = 0; i < n; ++i) {  // a group's row: the mean of its members' rows
        const auto& members = nodes[static_cast<std::size_t>(i)].members;
        const at::Tensor r = head_pattern.index_select(0, at::tensor(members, at::kLong))
                                 .narrow(1, 0, q + 1)
                                 .mean(0)
                                 .to(at::kDouble)
                                 .contiguous();
        const double* d = r.data_ptr<double>();
        for (int j = 0; j <= q; ++j) rows(i, j) = d[j];
    }
    const double sample_size = static_cast<double>(ctx.model().config.text.head_dim);
    causal::CITest test(causal::correlation_from_attention(rows), sample_size, p.at("alpha").get<double>());
    Stopwatch icd_clock;
    causal::IcdOptions io;
    io.cancel = nullptr;
    causal::IcdResult icd;
    if (p.at("ordered").get<bool>()) {
        std::vector<int> order(static_cast<std::size_t>(n));
        // Token order; the target (the latest position) comes last.
        std::vector<int> idx(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i;
        std::sort(idx.begin(), idx.end(), [&](int x, int y) {
            return nodes[static_cast<std::size_t>(x)].first() < nodes[static_cast<std::size_t>(y)].first();
        });
        order = idx;
        icd = causal::learn_ordered_icd(test, order, io);
    } else {
        icd = causal::learn_icd(test, io);
    }
    const double icd_ms = icd_clock.elapsed_ms();
    ctx.check_cancel();

    // The tester really re-runs the model with the candidate tokens masked.
    const std::string mask_mode = p.at("image_mask").get<std::string>();
    const std::int64_t y = trace.tokens[static_cast<std::size_t>(pos)].id;
    const Stopwatch forward_clock;
    const auto [clean_pred, clean_prob] = run_with_masked_tokens(ctx, target, {}, mask_mode);
    const double forward_ms = forward_clock.elapsed_ms();
    std::int64_t masked_pred = clean_pred;
    double masked_prob = clean_prob;
    auto positions_of = [&](const std::vector<int>& set) {
        std::vector<std::int64_t> out;
        for (int i : set)
            for (auto m : nodes[static_cast<std::size_t>(i)].members) out.push_back(m);
        std::sort(out.begin(), out.end());
        return out;
    };
    const causal::ExplanationTester tester = [&](const std::vector<int>& set) {
        ctx.check_cancel();
        const auto [pred, prob] = run_with_masked_tokens(ctx, target, positions_of(set), mask_mode);
        if (pred != y) {
            masked_pred = pred;
            masked_prob = prob;
            return true;
        }
        return false;
    };
    causal::ExplanationOptions eo;
    eo.search_radius = p.at("radius").get<int>();
    eo.max_set_size = p.at("max_set_size").get<int>();
    eo.max_tester_calls = p.at("max_tests").get<std::int64_t>();
    if (p.at("nested").get<bool>()) eo.exhaustive_calls = p.at("exhaustive_tests").get<std::int64_t>();
    for (const auto& node : nodes) eo.node_priority.push_back(node.attention);  // from the prediction step
    // The budget scales with the measured forward time: on a big model the given budget may not hold a
    // single re-run, so it always allows min_reruns of them.
    const double budget = p.at("time_budget_ms").get<double>();
    double budget_used = budget;
    if (budget > 0) {
        const double reruns_ms = p.at("min_reruns").get<double>() * forward_ms;
        if (reruns_ms > 0) budget_used = std::max(budget, explain_clock.elapsed_ms() + reruns_ms);
        eo.time_budget_ms = std::max(1.0, budget_used - explain_clock.elapsed_ms());
    }
    Stopwatch search_clock;
    const causal::ExplanationResult found = causal::find_explanation(icd.pag, 0, tester, eo);
    const double search_ms = search_clock.elapsed_ms();
    if (!found.validated && !found.nodes.empty()) {
        const auto r = run_with_masked_tokens(ctx, target, positions_of(found.nodes), mask_mode);
        masked_pred = r.first;
        masked_prob = r.second;
    }

    Explanation e;
    e.method = name();
    e.target = target;
    e.target_position = pos;
    const std::vector<std::int64_t> expl = positions_of(found.nodes);
    const std::set<std::int64_t> in_set(expl.begin(), expl.end());
    if (trace.has_image()) {
        e.grid_h = trace.grid_h;
        e.grid_w = trace.grid_w;
        std::vector<float> per_image;
        for (auto ip : image_pos) per_image.push_back(in_set.count(ip) ? 1.0f : 0.0f);
        ctx.set_image_map(e, per_image);
    }
    for (auto t : ctx.text_positions_before(q)) {
        e.text_positions.push_back(t);
        e.text_scores.push_back(in_set.count(t) ? 1.0f : 0.0f);
    }
    std::vector<std::string> labels;
    for (const auto& node : nodes) labels.push_back(node.label);
    std::vector<int> highlighted(found.nodes.begin(), found.nodes.end());
    // The PAG as a typed graph view: node i is nodes[i] (node 0 the target; a patch group is drawn at its
    // first member's position).
    const nlohmann::json pag = causal::pag_to_json(icd.pag, labels, 0, highlighted);
    CausalGraphView graph;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const auto& node = pag["nodes"][i];
        const auto role = trace.tokens[static_cast<std::size_t>(nodes[i].first())].role;
        graph.nodes.push_back({node["id"].get<int>(), node["label"].get<std::string>(),
                               i == 0 ? "target" : (role == TokenRole::Image ? "image" : "text"),
                               nodes[i].first(), node["highlighted"].get<bool>()});
    }
    for (const auto& ed : pag["edges"])
        graph.edges.push_back({ed["from"].get<int>(), ed["to"].get<int>(), ed["mark_from"].get<std::string>(),
                               ed["mark_to"].get<std::string>()});
    e.graph = std::move(graph);
    e.masking = MaskingCheck{
        found.validated, expl, clean_prob, masked_prob, ctx.model().token_text(masked_pred), found.message};
    e.budget = SearchBudget{budget_used, forward_ms, budget > 0 && budget_used > budget};
    e.diagnostics = {{"head", head},
                     {"layer", last},
                     {"nodes", nodes.size()},
                     {"patch_group", group},
                     {"candidates_tried", found.candidates_tried},
                     {"exhaustive_tried", found.exhaustive_tried},
                     {"minimality", found.minimality},
                     {"candidate_pool", found.possible_dsep.size()},
                     {"ci_tests", icd.tests_run},
                     {"icd_ms", icd_ms},
                     {"search_ms", search_ms},
                     {"stop", causal::stop_name(found.stop)}};
    return e;
}

}  // namespace sightline
