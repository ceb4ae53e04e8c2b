// The Explorer used headless (load, generate, explain with progress and cancel, adopt a saved answer,
// image-to-answer, visual relevance, faithfulness curves) and the explainer conformance test: every
// registered explainer, the plugins found next to the binary included, honours the contract on a tiny model.
#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <opencv2/core.hpp>

#include "core/explain/explanation.h"
#include "core/explore/explorer.h"
#include "core/image/image_io.h"
#include "core/util/error.h"
#include "core/util/strings.h"
#include "plugins/loader/plugin_loader.h"
#include "tests/support/test_paths.h"
#include "tests/support/tiny_models.h"

using namespace sightline;

namespace {

// A plugin-like explainer defined outside the engine: a uniform map. Must survive model reloads.
class UniformExplainer : public Explainer {
  public:
    std::string name() const override { return "uniform"; }
    std::string title() const override { return "Uniform"; }
    std::string description() const override { return "Every patch the same (test explainer)."; }
    std::vector<ParamSpec> params(const ModelConfig&) const override {
        return {{"level", "Level", "The constant", ParamKind::Double, 0.5, 0, 1, {}}};
    }
    Explanation explain(TraceContext& ctx, std::int64_t target, const nlohmann::json& p) const override {
        Explanation e;
        e.method = name();
        e.target = target;
        e.target_position = ctx.target_position(target);
        e.grid_h = ctx.trace().grid_h;
        e.grid_w = ctx.trace().grid_w;
        e.image_map.assign(static_cast<std::size_t>(e.grid_h * e.grid_w), p.at("level").get<float>());
        return e;
    }
};

PromptRequest question_with_image() {
    return test::question_about_noise("what is red?");
}

GenerationSettings four_tokens() {
    GenerationSettings g;
    g.max_new_tokens = 4;
    g.stop_ids = {-1};
    return g;
}

}  // namespace

class TestExplorer : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::string dir_;

    // The rollout plugin keeps head-fused patterns over the whole answer; each token's map must equal the
    // rollout computed from a forward over its own prefix (mean fusion, w = 0.5, rows renormalised).
    static void check_rollout_against_prefix_computation(Explorer& x) {
        const auto& t = *x.trace();
        for (std::int64_t k = 0; k < t.answer_size(); ++k) {
            const std::int64_t pos = t.answer_begin + k;
            RunOptions o;
            o.cache = {"lm.blocks.*.attn.hook_pattern"};
            o.prompt_length = t.answer_begin;  // prefix-LM models (PaliGemma)
            ActivationCache c;
            {
                at::NoGradGuard ng;
                x.model().model->forward(x.context().input_ids().narrow(1, 0, pos), t.pixel_values, &o, &c);
            }
            const at::Tensor eye = at::eye(pos, at::kDouble);
            at::Tensor r = eye;
            for (int l = 0; l < x.context().layers(); ++l) {
                const at::Tensor a = c.get("lm.blocks." + std::to_string(l) + ".attn.hook_pattern")[0];
                at::Tensor m = 0.5 * a.to(at::kDouble).mean(0) + 0.5 * eye;
                m = m / m.sum(-1, true);
                r = at::matmul(m, r);
            }
            std::vector<float> img;
            for (auto ip : x.context().image_positions())
                img.push_back(static_cast<float>(r[pos - 1][ip].item<double>()));
            // Drawn on the map grid (cell for cell on one grid; views averaged on tiled models), min-max
            // scaled.
            const std::vector<float> drawn = x.context().to_grid(img);
            const auto [lo, hi] = std::minmax_element(drawn.begin(), drawn.end());
            const float lo_v = *lo, span = *hi - *lo;
            const Explanation e = x.explain("rollout", k);
            QCOMPARE(e.image_map.size(), drawn.size());
            // The per-token values are kept raw, in the layout's token order.
            QCOMPARE(e.image_tokens.size(), img.size());
            const float top = *std::max_element(img.begin(), img.end());
            for (std::size_t i = 0; i < img.size(); ++i)
                QVERIFY(std::abs(e.image_tokens[i] - img[i]) <= 1e-4f * top);
            for (std::size_t i = 0; i < drawn.size(); ++i)
                QVERIFY2(std::abs(e.image_map[i] - (drawn[i] - lo_v) / span) < 1e-4f,
                         qPrintable(QString("rollout token %1 cell %2").arg(k).arg(i)));
        }
    }

  private Q_SLOTS:
    void initTestCase() {
        test::TinySpec spec;
        spec.init_std = 0.3;
        dir_ = test::write_tiny_model((tmp_.path() + "/m").toStdString(), spec);
    }

    void without_a_model_or_answer_it_says_so() {
        Explorer x;
        QVERIFY(!x.has_model());
        QVERIFY_THROWS_EXCEPTION(Error, x.model());
        QVERIFY_THROWS_EXCEPTION(Error, x.generate(question_with_image(), four_tokens()));
        QVERIFY_THROWS_EXCEPTION(Error, x.explain("attention", 0));
        QVERIFY_THROWS_EXCEPTION(Error, x.visual_relevance());
    }

    void generates_explains_and_keeps_added_explainers_across_loads() {
        Explorer x;
        x.add_explainer(std::make_shared<UniformExplainer>());
        x.load(dir_);
        QVERIFY(x.registry().find("uniform") != nullptr);
        x.load(dir_);  // a reload rebuilds the service: the added explainer stays
        QVERIFY(x.registry().find("uniform") != nullptr);
        QVERIFY(x.registry().find("attention") != nullptr);
        QCOMPARE(x.trace_serial(), std::uint64_t{0});

        std::vector<std::string> stages;
        std::atomic<bool> cancel{false};
        const JobControl control(&cancel, [&](const Progress& p) {
            if (stages.empty() || stages.back() != p.stage) stages.push_back(p.stage);
        });
        int streamed = 0;
        const auto trace = x.generate(question_with_image(), four_tokens(), &control, [&](const Trace&) {
            ++streamed;
            return true;
        });
        QCOMPARE(trace->answer_size(), std::int64_t{4});
        QCOMPARE(streamed, 4);
        QCOMPARE(x.trace_serial(), std::uint64_t{1});
        QVERIFY(trace->capture != nullptr);  // recorded during generation
        QVERIFY(std::find(stages.begin(), stages.end(), "prefill") != stages.end());
        QVERIFY(!x.original_image().empty());

        // The first click on attention needs no pass of its own: generation recorded the rows.
        const Explanation a = x.explain("attention", 1, nlohmann::json::object(), &control);
        QCOMPARE(x.context().full_passes(), 0);
        QCOMPARE(a.image_map.size(), std::size_t{16});
        QVERIFY(x.context().control() != &control);  // the job's control is not kept after the call

        // Relevancy reports its backward per layer; a cancelled job throws CancelledError.
        stages.clear();
        x.explain("relevancy", 2, nlohmann::json::object(), &control);
        QVERIFY(std::find(stages.begin(), stages.end(), "backward") != stages.end());
        cancel = true;
        QVERIFY_THROWS_EXCEPTION(CancelledError,
                                 x.explain("relevancy", 3, nlohmann::json::object(), &control));
        cancel = false;

        // A new generation frees what explainers kept for the previous answer before it runs.
        QVERIFY(x.context().state_bytes() > 0);  // relevancy's graph
        TraceContext& previous = x.context();
        x.generate(question_with_image(), four_tokens(), nullptr, [&](const Trace&) {
            if (previous.state_bytes() != 0) throw Error("the previous answer's graph is still held");
            return true;
        });
        QCOMPARE(x.trace_serial(), std::uint64_t{2});

        // Image -> answer and visual relevance: one value per answer token.
        QCOMPARE(x.image_to_answer({{0, 0}, {1, 1}}, nlohmann::json::object()).size(), std::size_t{4});
        const auto llr = x.visual_relevance(&control);
        QCOMPARE(llr.size(), std::size_t{4});
        for (double v : llr) QVERIFY(std::isfinite(v));

        // Deletion/insertion curves: steps + 1 points each, every re-run counted.
        std::int64_t reruns = 0, total = 0;
        const JobControl counting(nullptr, [&](const Progress& p) {
            if (p.stage != "faithfulness re-runs") return;
            reruns = p.done;
            total = p.total;
        });
        const FaithfulnessResult f = x.faithfulness("tam", 0, nlohmann::json::object(), 4, &counting);
        QCOMPARE(f.fraction.size(), std::size_t{5});
        QCOMPARE(f.deletion.size(), std::size_t{5});
        QCOMPARE(f.insertion.size(), std::size_t{5});
        QCOMPARE(total, std::int64_t{10});
        QCOMPARE(reruns, std::int64_t{10});
        QVERIFY(std::isfinite(f.deletion_auc) && std::isfinite(f.insertion_auc));
        QVERIFY_THROWS_EXCEPTION(Error, x.faithfulness("tam", 0, nlohmann::json::object(), 0));
    }

    void adopts_a_saved_answer_with_its_image() {
        Explorer x(load_model(dir_));
        const PromptRequest r = question_with_image();
        const auto original = x.generate(r, four_tokens());
        const Explanation before = x.explain("tam", 1);
        Trace saved = *original;
        saved.pixel_values = ImageInput();  // a session file holds no pixel values
        const auto adopted = x.adopt_trace(saved, *r.image_rgb);
        QCOMPARE(x.trace_serial(), std::uint64_t{2});
        QVERIFY(at::equal(adopted->pixel_values.pixels, original->pixel_values.pixels));
        const Explanation after = x.explain("tam", 1);
        QCOMPARE(after.image_map, before.image_map);
        // Refused: no image for an image answer; a grid this model does not have.
        QVERIFY_THROWS_EXCEPTION(Error, x.adopt_trace(saved, cv::Mat()));
        Trace other = saved;
        other.grid_h = 7;
        QVERIFY_THROWS_EXCEPTION(Error, x.adopt_trace(other, *r.image_rgb));
    }

    // Every registered explainer (built-ins, the plugins next to this binary, an explainer added by the
    // host) on every answer token: the contract the panels, exports and sessions rely on.
    static void check_contract(Explorer& x, const PromptRequest& request) {
        QStringList errors;
        add_plugin_explainers(x, {}, &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join("; ")));
        x.add_explainer(std::make_shared<UniformExplainer>());
        const auto names = x.registry().names();
        for (const char* expected : {"attention", "relevancy", "tam", "cleann", "uniform"})
            QVERIFY2(std::find(names.begin(), names.end(), expected) != names.end(), expected);
#ifdef SIGHTLINE_EXPECT_ROLLOUT_PLUGIN
        QVERIFY2(std::find(names.begin(), names.end(), "rollout") != names.end(), "rollout plugin");
#endif
        const auto trace = x.generate(request, four_tokens());
        const ModelConfig& config = x.model().config;
        for (const auto& name : names) {
            const auto explainer = x.registry().get(name);
            // Causal tracing runs hundreds of passes at its defaults; the contract needs only its shape.
            const nlohmann::json given = name == "causal_tracing"
                                             ? nlohmann::json{{"samples", 1}, {"text", false}, {"max_passes", 48}}
                                             : nlohmann::json::object();
            QVERIFY2(!explainer->title().empty() && !explainer->description().empty(), name.c_str());
            // Defaults resolve; every parameter has a label and a default of its kind.
            const auto specs = explainer->params(config);
            const nlohmann::json defaults = resolve_params(name, specs, nlohmann::json::object());
            for (const auto& s : specs) {
                QVERIFY2(!s.label.empty(), (name + "." + s.name).c_str());
                QVERIFY2(defaults.contains(s.name), (name + "." + s.name).c_str());
            }
            QVERIFY_THROWS_EXCEPTION(Error,
                                     resolve_params(name, specs, nlohmann::json{{"no_such_parameter", 1}}));
            for (std::int64_t k = 0; k < trace->answer_size(); ++k) {
                const Explanation e = x.explain(name, k, given);
                const QByteArray where = QByteArray::fromStdString(name + " token " + std::to_string(k));
                QCOMPARE(QString::fromStdString(e.method), QString::fromStdString(name));
                QCOMPARE(e.target, k);
                QCOMPARE(e.target_position, trace->answer_begin + k);
                QVERIFY2(e.grid_h == trace->grid_h && e.grid_w == trace->grid_w, where.constData());
                QVERIFY2(e.image_map.size() == static_cast<std::size_t>(e.grid_h * e.grid_w),
                         where.constData());
                for (float v : e.image_map) QVERIFY2(std::isfinite(v), where.constData());
                QVERIFY2(e.text_scores.size() == e.text_positions.size(), where.constData());
                for (std::size_t i = 0; i < e.text_positions.size(); ++i) {
                    QVERIFY2(e.text_positions[i] >= 0 && e.text_positions[i] < e.target_position,
                             where.constData());
                    QVERIFY2(std::isfinite(e.text_scores[i]), where.constData());
                }
                QVERIFY2(e.params.is_object(), where.constData());
                // Sessions and exports: the JSON round trip keeps the maps.
                const Explanation back = explanation_from_json(explanation_to_json(e));
                QVERIFY2(back.image_map == e.image_map && back.text_positions == e.text_positions,
                         where.constData());
                // Asked again with the same parameters it comes from the cache.
                QVERIFY2(x.explain(name, k, given).from_cache, where.constData());
            }
            if (name == "rollout") check_rollout_against_prefix_computation(x);
            // A token outside the answer is a clear error, not a crash.
            QVERIFY_THROWS_EXCEPTION(Error, x.explain(name, trace->answer_size()));
        }
        // Knockout on this family: every op on two corner cells, a probability before and after, an answer.
        for (const char* op : {"block", "mean", "blur"}) {
            KnockoutSpec k;
            k.op = op;
            k.cells = {{0, 0}, {trace->grid_h - 1, trace->grid_w - 1}};
            const KnockoutResult r = x.knockout(0, k);
            QVERIFY2(!r.spec.positions.empty(), op);
            QVERIFY2(r.p_before >= 0 && r.p_before <= 1 && r.p_after >= 0 && r.p_after <= 1, op);
            QVERIFY2(std::abs(r.p_before - trace->steps[0].prob) < 1e-3, op);
            QVERIFY2(!r.ids_after.empty(), op);
            QVERIFY2(r.per_layer.has_value() == (std::string(op) == "block"), op);
        }
    }

    void every_registered_explainer_honours_the_contract() {
        Explorer x(load_model(dir_));
        check_contract(x, question_with_image());
    }

    // The same contract on the model families of ../shared/fixtures/hf_vlm that Sightline loads, with the
    // fixture's own prompt ids and non-square test image.
    void the_contract_holds_on_other_model_families() {
        SIGHTLINE_REQUIRE_FIXTURES();
        for (const char* family :
             {"paligemma", "gemma3", "llava_next", "llava_onevision", "smolvlm", "qwen2_vl", "qwen2_5_vl"}) {
            const std::string dir = test::fixture(std::string("hf_vlm/") + family);
            const auto ref = nlohmann::json::parse(read_text_file(dir + "/reference.json"));
            PromptRequest r;
            r.ids = ref.at("input_ids").get<std::vector<std::int64_t>>();
            r.image_rgb = load_image_rgb(test::fixture("hf_vlm/image.png"));
            Explorer x(load_model(dir));
            check_contract(x, r);
            if (QTest::currentTestFailed()) QFAIL(family);
        }
    }
};

QTEST_GUILESS_MAIN(TestExplorer)
#include "test_explorer.moc"
