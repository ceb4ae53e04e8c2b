// Explainers on a tiny random LLaVA: each method's output is recomputed independently in the test from
// raw model tensors (attention aggregation, the relevancy rule in loop form, TAM's class activations),
// relevancy gradients are checked by finite differences, the CLEANN tester really re-runs the model, and
// the service caches by (trace, target, method, parameters).
#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>

#include "core/explain/attention_explainer.h"
#include "core/explain/cleann_explainer.h"
#include "core/explain/explanation_service.h"
#include "core/explain/relevancy_explainer.h"
#include "core/explain/tam_math.h"
#include "core/generate/generator.h"
#include "core/util/error.h"
#include "tests/support/tiny_models.h"

using namespace sightline;

class TestExplainers : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::unique_ptr<LoadedModel> m_;
    std::shared_ptr<Trace> trace_;
    std::unique_ptr<TraceContext> ctx_;
    ExplanationService service_;

    ActivationCache full_cache(std::int64_t n) {
        RunOptions o;
        o.cache = {"lm.blocks.*.attn.hook_pattern", "lm.ln_final.hook_normalized"};
        ActivationCache c;
        at::NoGradGuard ng;
        m_->model->forward(ctx_->input_ids().narrow(1, 0, n), trace_->pixel_values, &o, &c);
        return c;
    }

    // Relevancy of the token at `pos` computed the plain way: a forward over the prefix 0..pos-1 alone,
    // the logit's backward, the rule in loop form; the image map min-max normalised. `c` keeps the
    // patterns (with gradients) for further checks.
    std::vector<float> direct_relevancy_map(std::int64_t pos, ActivationCache& c) {
        RunOptions o;
        o.cache = {"lm.blocks.*.attn.hook_pattern"};
        o.keep_grad = o.cache;
        o.interventions = {Intervention::apply("lm.hook_embed", [](const at::Tensor& x, const HookContext&) {
            return x.detach().requires_grad_(true);
        })};
        const at::Tensor ids = ctx_->input_ids().narrow(1, 0, pos);
        const std::int64_t y = trace_->tokens[static_cast<std::size_t>(pos)].id;
        const at::Tensor logits = m_->model->forward(ids, trace_->pixel_values, &o, &c).logits;
        logits[0][pos - 1][y].backward();
        at::Tensor r = at::eye(pos, at::kDouble);
        for (int l = 0; l < 2; ++l) {
            const auto& a = c.get("lm.blocks." + std::to_string(l) + ".attn.hook_pattern");
            at::Tensor abar = at::zeros({pos, pos}, at::kDouble);
            for (int h = 0; h < 4; ++h)
                abar += (a.grad()[0][h] * a[0][h].detach()).clamp_min(0).to(at::kDouble) / 4.0;
            r = r + at::matmul(abar, r);
        }
        std::vector<float> img;
        for (auto ip : ctx_->image_positions())
            img.push_back(static_cast<float>(r[pos - 1][ip].item<double>()));
        const auto [lo, hi] = std::minmax_element(img.begin(), img.end());
        const float lo_v = *lo, span = *hi - *lo;
        for (auto& v : img) v = (v - lo_v) / span;
        return img;
    }

  private Q_SLOTS:
    void initTestCase() {
        test::TinySpec spec;
        spec.init_std = 0.3;
        m_ = load_model(test::write_tiny_model((tmp_.path() + "/m").toStdString(), spec));
        const PromptRequest r = test::question_about_noise("what is red?");
        GenerationSettings g;
        g.max_new_tokens = 5;
        g.stop_ids = {-1};
        trace_ = std::make_shared<Trace>(generate(*m_, prepare_prompt(*m_, r), g));
        ctx_ = std::make_unique<TraceContext>(*m_, trace_);
    }

    void attention_equals_direct_aggregation() {
        const std::int64_t target = 2, pos = trace_->answer_begin + target;
        const Explanation e = service_.explain(*ctx_, "attention", target,
                                               {{"layers", "1"}, {"heads", "0,2"}, {"aggregation", "max"}});
        const auto c = full_cache(ctx_->length());
        const at::Tensor p = c.get("lm.blocks.1.attn.hook_pattern")[0];  // [H, N, N]
        const at::Tensor row = at::max(p[0][pos - 1], p[2][pos - 1]);
        std::vector<float> img;
        for (auto ip : ctx_->image_positions()) img.push_back(row[ip].item<float>());
        const auto [lo, hi] = std::minmax_element(img.begin(), img.end());
        QCOMPARE(e.grid_h, 4);
        QCOMPARE(e.image_map.size(), std::size_t{16});
        for (int i = 0; i < 16; ++i)  // CLIP default: image position i is patch i
            QVERIFY(std::abs(e.image_map[static_cast<std::size_t>(i)] -
                             (img[static_cast<std::size_t>(i)] - *lo) / (*hi - *lo)) < 1e-5f);
        QCOMPARE(e.text_positions.front(), std::int64_t{0});
        QVERIFY(std::abs(e.text_scores.front() - row[0].item<float>()) < 1e-6f);
        // Layer shares sum to one per layer (every key has a role).
        QVERIFY(e.layer_shares && e.head_layer);
        const LayerShares& s = *e.layer_shares;
        QCOMPARE(s.image.size(), std::size_t{2});
        for (std::size_t l = 0; l < 2; ++l) {
            const double total = s.image[l] + s.prompt[l] + s.system[l] + s.answer[l];
            QVERIFY(std::abs(total - 1.0) < 1e-5);
        }
        QCOMPARE(e.head_layer->values.size(), std::size_t{2});
        QCOMPARE(e.head_layer->values[1].size(), std::size_t{4});  // one value per head
        // The heads x layers grid is the image share of each head; its mean over heads is the layer's.
        for (std::size_t l = 0; l < 2; ++l) {
            double mean = 0;
            for (double v : e.head_layer->values[l]) mean += v / 4;
            QVERIFY(std::abs(mean - s.image[l]) < 1e-5);
        }
        // Image -> answer for two selected patches.
        const auto scores = image_to_answer_scores(*ctx_, {{0, 0}, {1, 2}}, {1}, {0, 1, 2, 3}, "mean");
        QCOMPARE(scores.size(), static_cast<std::size_t>(trace_->answer_size()));
        const at::Tensor mean_row = p.select(1, pos - 1).mean(0);
        const float expected = (mean_row[trace_->image_begin + 0].item<float>() +
                                mean_row[trace_->image_begin + 6].item<float>()) /
                               2;
        QVERIFY(std::abs(scores[static_cast<std::size_t>(target)] - expected) < 1e-6f);
    }

    void relevancy_rule_matches_loop_form() {
        // Two layers, one head, n = 3: R = (I + A1')(I + A0') with A' = max(0, G * A), by hand.
        const at::Tensor a0 =
            at::tensor(std::vector<double>{1.0, 0, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5}).view({1, 3, 3});
        const at::Tensor g0 = at::tensor(std::vector<double>{0.0, 0, 0, 2, -1, 0, 1, 1, 1}).view({1, 3, 3});
        const at::Tensor a1 =
            at::tensor(std::vector<double>{1.0, 0, 0, 0.1, 0.9, 0, 0.3, 0.3, 0.4}).view({1, 3, 3});
        const at::Tensor g1 = at::tensor(std::vector<double>{1.0, 0, 0, -1, 1, 0, 0, 2, 1}).view({1, 3, 3});
        const at::Tensor r = relevancy_matrix({a0, a1}, {g0, g1});
        const at::Tensor b0 = (g0 * a0).clamp_min(0)[0], b1 = (g1 * a1).clamp_min(0)[0];
        at::Tensor expected = at::eye(3, at::kDouble) + b0;
        expected = expected + at::matmul(b1, expected);
        QVERIFY(at::allclose(r, expected));
        // Hand value: row 2 of R.
        // b0 row2 = [0.2, 0.3, 0.5]; b1 row2 = [0, 0.6, 0.4]; R0 row2 = [0.2, 0.3, 1.5], R0 row1 = [1, 0,
        // 1]... checked via expected.
        QVERIFY(std::abs(r[2][2].item<double>() - expected[2][2].item<double>()) < 1e-12);
    }

    void relevancy_matches_direct_computation_and_finite_differences() {
        const std::int64_t target = 1, pos = trace_->answer_begin + target;
        const Explanation e = service_.explain(*ctx_, "relevancy", target);
        // Direct: forward over 0..pos-1 with grad, pattern grads by autograd.
        ActivationCache c;
        const std::vector<float> direct = direct_relevancy_map(pos, c);
        for (std::size_t i = 0; i < 16; ++i) QVERIFY(std::abs(e.image_map[i] - direct[i]) < 1e-4f);
        const at::Tensor ids = ctx_->input_ids().narrow(1, 0, pos);
        const std::int64_t y = trace_->tokens[static_cast<std::size_t>(pos)].id;
        // Text scores exclude the prediction position's own diagonal.
        QVERIFY(std::find(e.text_positions.begin(), e.text_positions.end(), pos - 1) ==
                e.text_positions.end());
        // The pattern gradient the rule used agrees with central differences.
        const auto& a1 = c.get("lm.blocks.1.attn.hook_pattern");
        const double eps = 1e-2;
        auto bump = [&](double d) {
            at::Tensor v = at::zeros({1, 4, 1, pos});
            v[0][1][0][trace_->image_begin + 2] = d;
            RunOptions p;
            p.interventions = {Intervention::add("lm.blocks.1.attn.hook_pattern", v, {pos - 1})};
            at::NoGradGuard ng;
            return m_->model->forward(ids, trace_->pixel_values, &p).logits[0][pos - 1][y].item<double>();
        };
        const double fd = (bump(eps) - bump(-eps)) / (2 * eps);
        const double ad = a1.grad()[0][1][pos - 1][trace_->image_begin + 2].item<double>();
        QVERIFY2(std::abs(fd - ad) < 1e-3 + 1e-2 * std::abs(fd),
                 qPrintable(QString("%1 vs %2").arg(ad).arg(fd)));
        // Vision-tower relevancy options produce patch maps too.
        for (const char* mode : {"propagate", "cls"}) {
            const Explanation v = service_.explain(*ctx_, "relevancy", target, {{"vision", mode}});
            QCOMPARE(v.image_map.size(), std::size_t{16});
            QVERIFY(*std::max_element(v.image_map.begin(), v.image_map.end()) > 0.99f);
        }
    }

    void relevancy_reuses_one_graph_and_equals_the_prefix_computation() {
        // A fresh context: the first click builds the graph over prompt + answer, every further click
        // (each answer token) back-propagates through it and must equal the prefix-only computation.
        TraceContext ctx(*m_, trace_);
        ExplanationService service;
        for (std::int64_t target = 0; target < trace_->answer_size(); ++target) {
            const Explanation e = service.explain(ctx, "relevancy", target);
            QCOMPARE(QString::fromStdString(e.diagnostics["prefix_graph"].get<std::string>()),
                     QString(target == 0 ? "built" : "reused"));
            ActivationCache c;
            const auto direct = direct_relevancy_map(trace_->answer_begin + target, c);
            for (std::size_t i = 0; i < 16; ++i)
                QVERIFY2(std::abs(e.image_map[i] - direct[i]) < 1e-4f,
                         qPrintable(QString("target %1 cell %2: %3 vs %4")
                                        .arg(target)
                                        .arg(i)
                                        .arg(e.image_map[i])
                                        .arg(direct[i])));
        }
        QVERIFY(ctx.state_bytes() > 0);
        // The vision-tower option needs a graph through the pixels: built once, then it serves both.
        QCOMPARE(
            QString::fromStdString(
                service.explain(ctx, "relevancy", 1, {{"vision", "propagate"}}).diagnostics["prefix_graph"]),
            QString("built"));
        QCOMPARE(QString::fromStdString(
                     service.explain(ctx, "relevancy", 2, {{"vision", "cls"}}).diagnostics["prefix_graph"]),
                 QString("reused"));
        const Explanation lm = service.explain(ctx, "relevancy", 3, {{"first_layer", 1}});
        QCOMPARE(QString::fromStdString(lm.diagnostics["prefix_graph"]), QString("reused"));
    }

    void relevancy_backward_reports_layers_and_cancels() {
        TraceContext ctx(*m_, trace_);
        ExplanationService service;
        std::atomic<bool> cancel{false};
        std::vector<std::int64_t> steps;
        JobControl control(&cancel, [&](const Progress& p) {
            if (p.stage != "backward") return;
            steps.push_back(p.done);
            if (p.done == 1 && steps.size() > 3) cancel = true;  // cancel the second click's backward
        });
        ctx.set_control(&control);
        service.explain(ctx, "relevancy", 0);
        QCOMPARE(steps, (std::vector<std::int64_t>{0, 1, 2}));  // the start, then one report per layer
        bool cancelled = false;
        try {
            service.explain(ctx, "relevancy", 2);
        } catch (const CancelledError&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QCOMPARE(steps.size(), std::size_t{5});  // stopped after the first layer of the backward
        // The graph survives a cancelled backward: the next click reuses it and is exact.
        cancel = false;
        steps.clear();
        const Explanation e = service.explain(ctx, "relevancy", 2);
        QCOMPARE(QString::fromStdString(e.diagnostics["prefix_graph"]), QString("reused"));
        ActivationCache c;
        const auto direct = direct_relevancy_map(trace_->answer_begin + 2, c);
        for (std::size_t i = 0; i < 16; ++i) QVERIFY(std::abs(e.image_map[i] - direct[i]) < 1e-4f);
    }

    void tam_matches_direct_recomputation() {
        const std::int64_t target = 3, pos = trace_->answer_begin + target;
        const Explanation e =
            service_.explain(*ctx_, "tam", target, {{"filter", false}, {"remove_interference", false}});
        const auto c = full_cache(ctx_->length());
        const at::Tensor logits =
            m_->model->decoder().head(c.get("lm.ln_final.hook_normalized"))[0];     // [N, V]
        const std::int64_t cls = trace_->tokens[static_cast<std::size_t>(pos)].id;  // the token's own class
        std::vector<float> img, txt;
        for (auto ip : ctx_->image_positions()) img.push_back(std::max(0.0f, logits[ip][cls].item<float>()));
        for (auto t : e.text_positions) txt.push_back(std::max(0.0f, logits[t][cls].item<float>()));
        QVERIFY(std::find(e.text_positions.begin(), e.text_positions.end(), pos - 1) ==
                e.text_positions.end());
        tam::joint_minmax(img, txt);
        for (std::size_t i = 0; i < 16; ++i) QVERIFY(std::abs(e.image_map[i] - img[i]) < 1e-4f);
        for (std::size_t i = 0; i < txt.size(); ++i) QVERIFY(std::abs(e.text_scores[i] - txt[i]) < 1e-4f);
        // With the filter the map is the rank Gaussian filter of the unfiltered one.
        const Explanation f = service_.explain(*ctx_, "tam", target, {{"remove_interference", false}});
        const auto filtered = tam::rank_gaussian_filter(e.image_map, 4, 4);
        for (std::size_t i = 0; i < 16; ++i) QVERIFY(std::abs(f.image_map[i] - filtered[i]) < 1e-5f);
    }

    void tam_removes_interference_with_weights_at_predicting_steps() {
        // Last answer token: every earlier prompt/answer word is context. Recomputed from the raw logits
        // with METHODS.md section 3: an answer token's weight is its predicting position's score, a prompt
        // token's its own; template (System) positions never take part.
        const std::int64_t target = trace_->answer_size() - 1, pos = trace_->answer_begin + target;
        QVERIFY(target >= 2);
        const Explanation e = service_.explain(*ctx_, "tam", target, {{"filter", false}});
        const auto c = full_cache(ctx_->length());
        const at::Tensor logits = m_->model->decoder().head(c.get("lm.ln_final.hook_normalized"))[0];
        auto act = [&](std::int64_t cls, std::int64_t at_pos) {
            return std::max(0.0, logits[at_pos][cls].item<double>());
        };
        const auto& toks = trace_->tokens;
        const std::int64_t cls = toks[static_cast<std::size_t>(pos)].id;
        std::vector<std::int64_t> context, weight_at;
        for (std::int64_t i = 0; i < pos; ++i) {
            const auto& t = toks[static_cast<std::size_t>(i)];
            if (t.text == toks[static_cast<std::size_t>(pos)].text) continue;
            if (t.role == TokenRole::Prompt) context.push_back(i), weight_at.push_back(i);
            if (t.role == TokenRole::Answer) context.push_back(i), weight_at.push_back(i - 1);
        }
        QVERIFY(!context.empty());
        double wsum = 0;
        for (auto p : weight_at) wsum += act(cls, p);
        const auto image = ctx_->image_positions();
        std::vector<double> a_v, inter(image.size(), 0.0);
        for (auto ip : image) a_v.push_back(act(cls, ip));
        for (std::size_t k = 0; k < context.size(); ++k) {
            const double w = act(cls, weight_at[k]) / (wsum + 1e-8);
            const std::int64_t ck = toks[static_cast<std::size_t>(context[k])].id;
            for (std::size_t j = 0; j < image.size(); ++j) inter[j] += w * act(ck, image[j]);
        }
        double num = 0, den = 0;
        for (std::size_t j = 0; j < image.size(); ++j) num += a_v[j] * inter[j], den += inter[j] * inter[j];
        const double alpha = den > 0 ? std::max(0.0, num / den) : 0.0;
        QVERIFY(e.interference);
        QVERIFY(std::abs(e.interference->alpha - alpha) < 1e-4 * std::max(1.0, alpha));
        QCOMPARE(e.interference->context.size(), context.size());
        std::vector<float> img, txt;
        for (std::size_t j = 0; j < image.size(); ++j)
            img.push_back(static_cast<float>(std::max(0.0, a_v[j] - alpha * inter[j])));
        for (auto t : e.text_positions) txt.push_back(static_cast<float>(act(cls, t)));
        tam::joint_minmax(img, txt);
        for (std::size_t i = 0; i < 16; ++i)
            QVERIFY2(std::abs(e.image_map[i] - img[i]) < 1e-4f,
                     qPrintable(QString("cell %1: %2 vs %3").arg(i).arg(e.image_map[i]).arg(img[i])));
        // The recorded context says where each weight was read.
        for (std::size_t k = 0; k < context.size(); ++k) {
            QCOMPARE(e.interference->context[k].position, context[k]);
            QCOMPARE(e.interference->context[k].weight_position, weight_at[k]);
        }
    }

    void cleann_tester_really_reruns_the_model() {
        const std::int64_t target = 0, pos = trace_->answer_begin;
        const std::int64_t y = trace_->tokens[static_cast<std::size_t>(pos)].id;
        // Masking nothing reproduces the greedy token, so the empty set can never be an explanation.
        const auto [pred, prob] = run_with_masked_tokens(*ctx_, target, {});
        QCOMPARE(pred, y);
        QVERIFY(prob > 0);
        // Masking every input token changes the model's distribution (it really re-ran).
        std::vector<std::int64_t> all;
        for (std::int64_t i = 1; i < pos - 1; ++i) all.push_back(i);
        QVERIFY(std::abs(run_with_masked_tokens(*ctx_, target, all).second - prob) > 1e-6);
        QVERIFY_THROWS_EXCEPTION(Error, run_with_masked_tokens(*ctx_, target, {pos}));
        // Single-node candidates only: validated exactly when masking that node flips the argmax.
        const Explanation e =
            service_.explain(*ctx_, "cleann", target, {{"max_set_size", 1}, {"alpha", 0.01}});
        QVERIFY(e.masking && e.graph && e.budget);
        const bool validated = e.masking->validated;
        const auto expl = e.masking->positions;
        if (validated) {
            QCOMPARE(expl.size(), std::size_t{1});
            QVERIFY(run_with_masked_tokens(*ctx_, target, expl).first != y);
        } else {
            for (const auto& n : e.graph->nodes) {
                const auto p = n.position;
                if (p == pos - 1) continue;
                // No single node flips the token within the tried candidates.
                if (n.highlighted) QCOMPARE(run_with_masked_tokens(*ctx_, target, {p}).first, y);
            }
        }
        QVERIFY(e.graph->nodes.size() >= 2);
        QCOMPARE(e.graph->nodes[0].kind, std::string("target"));
        for (const auto& ed : e.graph->edges)  // edges join nodes of the graph
            QVERIFY(ed.from >= 0 && ed.to >= 0 && ed.from < static_cast<int>(e.graph->nodes.size()) &&
                    ed.to < static_cast<int>(e.graph->nodes.size()));
        // The budget scales with the measured forward time: a budget too short for one re-run grows to
        // min_reruns re-runs; with min_reruns 0 it is the budget as given.
        const Explanation scaled = service_.explain(
            *ctx_, "cleann", target, {{"time_budget_ms", 0.001}, {"min_reruns", 5}, {"alpha", 0.01}});
        const double forward_ms = scaled.budget->forward_ms;
        QVERIFY(forward_ms > 0);
        QVERIFY(scaled.budget->scaled);
        QVERIFY(scaled.budget->budget_ms >= 5 * forward_ms);
        const Explanation fixed = service_.explain(
            *ctx_, "cleann", target, {{"time_budget_ms", 0.001}, {"min_reruns", 0}, {"alpha", 0.01}});
        QVERIFY(!fixed.budget->scaled);
        QCOMPARE(fixed.budget->budget_ms, 0.001);
        QCOMPARE(fixed.diagnostics["patch_group"].get<int>(), 1);  // a 4x4 grid holds 144 nodes: singletons
    }

    void cleann_groups_patches_on_big_grids() {
        // Four image nodes allowed on the 4x4 grid: auto grouping makes 2x2 blocks, each one node that is
        // masked as a whole, so the map is constant on every block and a validated set flips the token
        // when its blocks are masked.
        const std::int64_t target = 0, pos = trace_->answer_begin;
        const std::int64_t y = trace_->tokens[static_cast<std::size_t>(pos)].id;
        const Explanation e = service_.explain(
            *ctx_, "cleann", target, {{"max_image_nodes", 4}, {"alpha", 0.3}, {"time_budget_ms", 0}});
        QCOMPARE(e.diagnostics["patch_group"].get<int>(), 2);
        int image_nodes = 0;
        for (const auto& n : e.graph->nodes)
            if (n.kind == "image") {
                ++image_nodes;
                QVERIFY2(n.label.find('-') != std::string::npos, n.label.c_str());  // "img 0-1,2-3"
            }
        QCOMPARE(image_nodes, 4);
        for (int br = 0; br < 2; ++br)
            for (int bc = 0; bc < 2; ++bc) {
                const float v = e.at(2 * br, 2 * bc);
                for (int r = 0; r < 2; ++r)
                    for (int c = 0; c < 2; ++c) QCOMPARE(e.at(2 * br + r, 2 * bc + c), v);
            }
        std::size_t masked_cells = 0;
        for (float v : e.image_map) masked_cells += v > 0.5f ? 1 : 0;
        QCOMPARE(masked_cells % 4, std::size_t{0});
        if (e.masking->validated)
            QVERIFY(run_with_masked_tokens(*ctx_, target, e.masking->positions).first != y);
        // An explicit group of 1 keeps one node per patch (four of them, the most attended).
        const Explanation single = service_.explain(
            *ctx_, "cleann", target, {{"max_image_nodes", 4}, {"patch_group", 1}, {"time_budget_ms", 0}});
        QCOMPARE(single.diagnostics["patch_group"].get<int>(), 1);
        int singles = 0;
        for (const auto& n : single.graph->nodes) singles += n.kind == "image" ? 1 : 0;
        QCOMPARE(singles, 4);
    }

    void service_caches_and_validates() {
        ExplanationService s;
        const Explanation a = s.explain(*ctx_, "tam", 1);
        QVERIFY(!a.from_cache);
        const Explanation b = s.explain(*ctx_, "tam", 1);
        QVERIFY(b.from_cache);
        QCOMPARE(b.image_map, a.image_map);
        QVERIFY(!s.explain(*ctx_, "tam", 1, {{"filter", false}}).from_cache);
        QVERIFY(s.cached(*ctx_, "tam", 1));
        QVERIFY_THROWS_EXCEPTION(Error, s.explain(*ctx_, "nope", 0));
        QVERIFY_THROWS_EXCEPTION(Error, s.explain(*ctx_, "tam", 99));
        QVERIFY_THROWS_EXCEPTION(Error, s.explain(*ctx_, "attention", 0, {{"layers", "7"}}));
        QVERIFY_THROWS_EXCEPTION(Error, s.explain(*ctx_, "attention", 0, {{"colour", 1}}));
        QCOMPARE(parse_index_list("0,2-3", 5, "x"), (std::vector<int>{0, 2, 3}));
        QCOMPARE(parse_index_list("-1", 5, "x"), (std::vector<int>{5}));
        QVERIFY_THROWS_EXCEPTION(Error, parse_index_list("3-1", 5, "x"));
        // Explanations survive a JSON round trip.
        const Explanation c = explanation_from_json(explanation_to_json(a));
        QCOMPARE(c.image_map, a.image_map);
        QCOMPARE(c.text_positions, a.text_positions);
    }

    void typed_views_round_trip_and_old_files_still_read() {
        Explanation e;
        e.method = "cleann";
        e.target = 1;
        e.grid_h = 1;
        e.grid_w = 2;
        e.image_map = {0.f, 1.f};
        e.image_tokens = {-2.f, 3.5f, 7.f};
        e.layer_shares = LayerShares{{0.5}, {0.25}, {0.125}, {0.125}};
        e.head_layer = HeadLayerGrid{{{0.25, 0.75}}};
        e.graph = CausalGraphView{{{0, "a", "target", 7, false}, {1, "b", "image", 3, true}},
                                  {{1, 0, "tail", "arrow"}}};
        e.masking = MaskingCheck{true, {3}, 0.75, 0.25, "red", "found"};
        e.budget = SearchBudget{1500, 300, true};
        e.interference = Interference{42, 0.5, {{2, 1, 0.25}}};
        e.ground_truth = GroundTruthReadout{true, "", "red", 0, "the red star", "hit", true, 0.5};
        e.diagnostics = {{"ci_tests", 12}};
        const auto j = explanation_to_json(e);
        QCOMPARE(j["views"]["masking"]["probability_drop"].get<double>(), 0.5);
        const Explanation b = explanation_from_json(j);
        QCOMPARE(b.image_tokens, (std::vector<float>{-2.f, 3.5f, 7.f}));
        QCOMPARE(b.layer_shares->system, std::vector<double>{0.125});
        QCOMPARE(b.head_layer->values[0][1], 0.75);
        QCOMPARE(b.graph->nodes[1].kind, std::string("image"));
        QCOMPARE(b.graph->nodes[1].position, std::int64_t{3});
        QVERIFY(b.graph->nodes[1].highlighted);
        QCOMPARE(b.graph->edges[0].mark_to, std::string("arrow"));
        QCOMPARE(b.masking->positions, std::vector<std::int64_t>{3});
        QCOMPARE(b.masking->masked_prediction, std::string("red"));
        QVERIFY(b.budget->scaled);
        QCOMPARE(b.budget->forward_ms, 300.0);
        QCOMPARE(b.interference->context[0].weight, 0.25);
        QCOMPARE(b.interference->class_id, std::int64_t{42});
        QCOMPARE(b.ground_truth->object_name, std::string("the red star"));
        QCOMPARE(b.diagnostics["ci_tests"].get<int>(), 12);
        // No views: none come back.
        Explanation plain;
        plain.method = "tam";
        const Explanation p = explanation_from_json(explanation_to_json(plain));
        QVERIFY(!p.layer_shares && !p.graph && !p.masking && !p.budget && !p.interference && !p.ground_truth);
        // A file written before the views were typed kept everything flat under "extras".
        const nlohmann::json old = {
            {"method", "cleann"},
            {"target", 0},
            {"grid", {1, 2}},
            {"image_map", {0.0, 1.0}},
            {"extras",
             {{"validated", false},
              {"explanation", {5}},
              {"prob_clean", 0.5},
              {"prob_masked", 0.4},
              {"budget_ms", 1500.0},
              {"forward_ms", 10.0},
              {"budget_scaled", false},
              {"alpha", 0.3},
              {"context", {{{"position", 2}, {"weight_position", 2}, {"weight", 1.0}}}},
              {"graph",
               {{"nodes", {{{"id", 0}, {"label", "x"}, {"kind", "target"}}}},
                {"edges", nlohmann::json::array()}}},
              {"ground_truth", {{"applicable", false}, {"reason", "no"}}}}}};
        const Explanation o = explanation_from_json(old);
        QVERIFY(o.masking && !o.masking->validated);
        QCOMPARE(o.masking->positions, std::vector<std::int64_t>{5});
        QCOMPARE(o.budget->budget_ms, 1500.0);
        QCOMPARE(o.interference->alpha, 0.3);
        QCOMPARE(o.graph->nodes.size(), std::size_t{1});
        QVERIFY(o.ground_truth && !o.ground_truth->applicable);
        // An edge to a node the graph does not have is refused, not drawn out of bounds.
        auto bad = j;
        bad["views"]["graph"]["edges"][0]["to"] = 9;
        QVERIFY_THROWS_EXCEPTION(Error, explanation_from_json(bad));
        auto wrong_type = j;
        wrong_type["views"]["masking"]["validated"] = "yes";
        QVERIFY_THROWS_EXCEPTION(Error, explanation_from_json(wrong_type));
    }
};

QTEST_APPLESS_MAIN(TestExplainers)
#include "test_explainers.moc"
