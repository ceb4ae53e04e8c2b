// Research instruments on a tiny random LLaVA, each checked against a computation done here by hand: the
// logit lens (the last layer's readout is the model's own logits; an earlier layer's is the cached
// residual through the final norm and head), causal tracing (restoring nothing gives the corrupted
// probability, restoring everything the clean one, zero noise changes nothing, image states after the
// last layer cannot reach the prediction), and the NumPy files every array is exported as (bytes
// hand-checked and read back byte-exact).
#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>
#include <cstring>

#include <opencv2/imgproc.hpp>

#include "core/eval/image_truth.h"
#include "core/explain/causal_tracing.h"
#include "core/explain/explanation_arrays.h"
#include "core/explain/knockout.h"
#include "core/explain/logit_lens_explainer.h"
#include "core/explain/trace_context.h"
#include "core/generate/generator.h"
#include "core/image/image_io.h"
#include "core/metrics/localisation.h"
#include "core/toy/sample.h"
#include "core/toy/task.h"
#include "core/toy/vocabulary.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/npy.h"
#include "tests/support/error_of.h"
#include "tests/support/tiny_models.h"

using namespace sightline;

class TestInstruments : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::unique_ptr<LoadedModel> m_;
    std::shared_ptr<Trace> trace_;
    std::unique_ptr<TraceContext> ctx_;

    Explanation run(const Explainer& x, std::int64_t target, const nlohmann::json& given) {
        const auto params = resolve_params(x.name(), x.params(m_->config), given);
        return x.explain(*ctx_, target, params);
    }

  private Q_SLOTS:
    void initTestCase() {
        test::TinySpec spec;
        spec.init_std = 0.3;
        m_ = load_model(test::write_tiny_model((tmp_.path() + "/m").toStdString(), spec));
        const PromptRequest r = test::question_about_noise("what is red?");
        GenerationSettings g;
        g.max_new_tokens = 4;
        g.stop_ids = {-1};
        trace_ = std::make_shared<Trace>(generate(*m_, prepare_prompt(*m_, r), g));
        ctx_ = std::make_unique<TraceContext>(*m_, trace_);
        QVERIFY(trace_->has_image());
        QCOMPARE(trace_->answer_size(), std::int64_t{4});
    }

    // --- NumPy files ---

    void npy_bytes_are_the_documented_format() {
        const NpyArray a = NpyArray::f32({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3});
        const std::string b = npy_bytes(a);
        const std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        // magic, version 1.0, little-endian header length, header padded with spaces, '\n', data.
        QCOMPARE(b.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
        const std::size_t len = static_cast<unsigned char>(b[8]) | (static_cast<unsigned char>(b[9]) << 8);
        QCOMPARE(len, std::size_t{118});  // 10 + 118 = 128, the next multiple of 64 above 10 + 59 + 1
        QCOMPARE(b.substr(10, header.size()), header);
        QCOMPARE(b.substr(10 + header.size(), len - header.size() - 1),
                 std::string(len - header.size() - 1, ' '));
        QCOMPARE(b[10 + len - 1], '\n');
        QCOMPARE(b.size(), std::size_t{128 + 24});
        float third = 0;
        std::memcpy(&third, b.data() + 128 + 8, 4);
        QCOMPARE(third, 3.0f);
        // One dimension keeps Python's trailing comma; a scalar has an empty shape.
        QVERIFY(npy_bytes(NpyArray::i64({7, 8, 9}, {3})).find("'shape': (3,), }") != std::string::npos);
        QVERIFY(npy_bytes(NpyArray::f64({2.5}, {})).find("'shape': (), }") != std::string::npos);
        QVERIFY(test::error_of([] {
                    npy_bytes(NpyArray::f32({1.0f, 2.0f}, {3}));
                }).find("data bytes") != std::string::npos);
    }

    void npy_files_read_back_byte_exact() {
        const std::string path = (tmp_.path() + "/a.npy").toStdString();
        for (const NpyArray& a : {NpyArray::f32({0.5f, -1.25f, 3e-8f, 7.0f}, {2, 2}),
                                  NpyArray::f64({1.0 / 3.0, -2.0, 1e300}, {3}),
                                  NpyArray::i64({-1, 0, 1LL << 40, 5, 6, 7}, {1, 2, 3})}) {
            write_npy(path, a);
            const std::string bytes = read_regular_file(path, 1 << 20, "test");
            QCOMPARE(bytes, npy_bytes(a));
            const NpyArray back = read_npy(path);
            QVERIFY(back.type == a.type);
            QCOMPARE(back.shape, a.shape);
            QCOMPARE(back.data, a.data);  // byte-exact values
        }
    }

    void npy_reader_refuses_what_it_cannot_read() {
        const std::string good = npy_bytes(NpyArray::f32({1.0f, 2.0f}, {2}));
        const auto error = [](std::string bytes) {
            return test::error_of([&] { parse_npy(bytes, "x.npy"); });
        };
        QVERIFY(error("PK\x03\x04 not npy").find("bad magic") != std::string::npos);
        QVERIFY(error(good.substr(0, good.size() - 1)).find("needs 8") != std::string::npos);
        std::string fortran = good;
        fortran.replace(fortran.find("False"), 5, "True ");
        QVERIFY(error(fortran).find("Fortran") != std::string::npos);
        std::string u8 = good;
        u8.replace(u8.find("<f4"), 3, "|u1");
        QVERIFY(error(u8).find("not supported") != std::string::npos);
        std::string big = good;
        big.replace(big.find("(2,)"), 4, "(99999999999999,)");
        QVERIFY(!error(big).empty());
        QVERIFY(error(good.substr(0, 20)).find("truncated") != std::string::npos);
    }

    void explanation_arrays_name_every_array() {
        Explanation e;
        e.method = "m";
        e.grid_h = 2;
        e.grid_w = 3;
        e.image_map = {0, 1, 2, 3, 4, 5};
        e.text_positions = {1, 4};
        e.text_scores = {0.5f, 0.25f};
        e.layer_curves = LayerCurves{"t", "y", {0, 2}, {"a", "b"}, {{1, 2}, {3, 4}}};
        e.layer_positions.push_back(
            LayerPositionGrid{"resid", "t", {0, 2}, {"x", "y", "z"}, {{1, 2, 3}, {4, 5, 6}}});
        const auto arrays = explanation_arrays(e);
        QStringList names;
        for (const auto& [n, a] : arrays) names << QString::fromStdString(n);
        QCOMPARE(names, (QStringList{"map", "text_scores", "text_positions", "layer_curves",
                                     "layer_curves_layers", "effects_resid", "effects_resid_layers"}));
        QCOMPARE(arrays[0].second.shape, (std::vector<std::int64_t>{2, 3}));
        QCOMPARE(arrays[0].second.as_doubles()[4], 4.0);
        QCOMPARE(arrays[5].second.shape, (std::vector<std::int64_t>{2, 3}));
        QCOMPARE(arrays[5].second.as_doubles()[5], 6.0);
        const auto paths = write_explanation_arrays(tmp_.path().toStdString(), "m_t0", e);
        QCOMPARE(paths.size(), arrays.size());
        QVERIFY(QFile::exists(tmp_.path() + "/m_t0_map.npy"));
        QCOMPARE(read_npy(paths[2]).as_doubles(), (std::vector<double>{1, 4}));
    }

    // --- Logit lens ---

    void lens_last_layer_is_the_models_own_logits() {
        LogitLensExplainer lens;
        const int last = ctx_->layers() - 1;
        for (std::int64_t target = 0; target < 2; ++target) {
            const Explanation e = run(lens, target, {{"layer", last}, {"readout", "logit"}});
            const std::int64_t id = trace_->tokens[static_cast<std::size_t>(e.target_position)].id;
            const at::Tensor own = ctx_->class_logits({id});  // from the capture pass's final hidden states
            const auto image = ctx_->image_positions();
            QCOMPARE(e.image_tokens.size(), image.size());
            for (std::size_t k = 0; k < image.size(); ++k)
                QVERIFY(std::abs(e.image_tokens[k] - own[image[k]][0].item<float>()) < 1e-4f);
            QCOMPARE(e.diagnostics.at("layer").get<int>(), last);
        }
        // Probabilities: the softmax of the full forward's logits at those positions.
        const Explanation p = run(lens, 0, {{"layer", last}});
        at::NoGradGuard ng;
        const at::Tensor logits =
            m_->model->forward(ctx_->input_ids().narrow(1, 0, trace_->answer_begin), trace_->pixel_values)
                .logits[0];
        const std::int64_t id = trace_->tokens[static_cast<std::size_t>(p.target_position)].id;
        const auto image = ctx_->image_positions();
        for (std::size_t k = 0; k < image.size(); ++k)
            QVERIFY(std::abs(p.image_tokens[k] - at::softmax(logits[image[k]], -1)[id].item<float>()) <
                    1e-5f);
        // The top words of a cell are that patch's most probable words, best first.
        QVERIFY(p.cell_words);
        const auto first = ctx_->image_positions_at(0, 0).front();
        const auto top = at::topk(at::softmax(logits[first], -1), 5);
        QCOMPARE(p.cell_words->words[0][0], m_->token_text(std::get<1>(top)[0].item<std::int64_t>()));
        QVERIFY(std::abs(p.cell_words->scores[0][0] - std::get<0>(top)[0].item<double>()) < 1e-5);
    }

    void lens_earlier_layer_reads_the_residual_by_hand() {
        LogitLensExplainer lens;
        const Explanation e = run(lens, 1, {{"layer", 0}, {"readout", "logit"}});
        RunOptions o;
        o.cache = {"lm.blocks.0.hook_resid_post"};
        ActivationCache c;
        at::NoGradGuard ng;
        m_->model->forward(ctx_->input_ids().narrow(1, 0, trace_->answer_begin), trace_->pixel_values, &o,
                           &c);
        const at::Tensor resid = c.get("lm.blocks.0.hook_resid_post")[0];
        const at::Tensor by_hand = m_->model->decoder().head(m_->model->decoder().final_norm(resid));
        const std::int64_t id = trace_->tokens[static_cast<std::size_t>(e.target_position)].id;
        const auto image = ctx_->image_positions();
        for (std::size_t k = 0; k < image.size(); ++k)
            QVERIFY(std::abs(e.image_tokens[k] - by_hand[image[k]][id].item<float>()) < 1e-4f);
        for (std::size_t k = 0; k < e.text_positions.size(); ++k)
            QVERIFY(std::abs(e.text_scores[k] - by_hand[e.text_positions[k]][id].item<float>()) < 1e-4f);
        // The curve's best patch at layer 0 is the largest probability over the image positions.
        const at::Tensor probs = at::softmax(by_hand, -1).select(1, id);
        double best = 0;
        for (auto ip : image) best = std::max(best, probs[ip].item<double>());
        QVERIFY(std::abs(e.layer_curves->values[0][0] - best) < 1e-5);
        QCOMPARE(e.layer_curves->layers.size(), static_cast<std::size_t>(ctx_->layers()));
    }

    // --- Causal tracing ---

    void tracing_restoring_nothing_or_everything() {
        const auto pos = ctx_->target_position(1);
        std::vector<std::int64_t> all;
        for (std::int64_t p = 0; p < pos; ++p) all.push_back(p);
        TracingOptions o;
        o.samples = 2;
        const CausalTracer t(*ctx_, 1, o, {StateKind::Residual, StateKind::Attention, StateKind::Mlp});
        // Clean: the generation's own probability of the token (temperature 1).
        QVERIFY(std::abs(t.clean_probability() - trace_->steps[1].prob) < 1e-4);
        QVERIFY(std::abs(t.corrupted_probability() - t.clean_probability()) > 1e-4);  // noise matters
        QCOMPARE(t.restored_probability(StateKind::Residual, {0}, {}), t.corrupted_probability());
        const int last = ctx_->layers() - 1;
        for (int l = 0; l <= last; ++l)
            QVERIFY(std::abs(t.restored_probability(StateKind::Residual, {l}, all) - t.clean_probability()) <
                    1e-5);
        // Image positions after the last layer cannot reach the last position's prediction.
        QVERIFY(std::abs(t.restored_probability(StateKind::Residual, {last}, ctx_->image_positions()) -
                         t.corrupted_probability()) < 1e-7);
        // The same seed gives the same corruption.
        const CausalTracer again(*ctx_, 1, o, {StateKind::Residual});
        QCOMPARE(again.corrupted_probability(), t.corrupted_probability());
        QVERIFY(t.passes() > 5);
    }

    void tracing_without_noise_changes_nothing() {
        TracingOptions o;
        o.noise_scale = 0;
        o.samples = 1;
        const CausalTracer t(*ctx_, 0, o, {StateKind::Residual});
        QVERIFY(std::abs(t.corrupted_probability() - t.clean_probability()) < 1e-6);
        TracingOptions blur;
        blur.corruption = "blur";
        const CausalTracer b(*ctx_, 0, blur, {StateKind::Mlp});
        QVERIFY(std::isfinite(b.corrupted_probability()));
        QVERIFY(test::error_of([&] {
                    TracingOptions bad;
                    bad.corruption = "sparkle";
                    CausalTracer(*ctx_, 0, bad, {StateKind::Residual});
                }).find("sparkle") != std::string::npos);
    }

    void tracing_explainer_tables() {
        CausalTracingExplainer x;
        const Explanation e = run(x, 2, {{"kinds", "all"}, {"samples", 1}, {"region", 2}});
        QCOMPARE(e.layer_positions.size(), std::size_t{3});
        QCOMPARE(e.layer_curves->names.size(), std::size_t{3});
        const auto& resid = e.layer_positions[0];
        QCOMPARE(resid.name, std::string("resid"));
        QCOMPARE(resid.layers.size(), static_cast<std::size_t>(ctx_->layers()));
        const std::size_t regions =
            static_cast<std::size_t>(((trace_->grid_h + 1) / 2) * ((trace_->grid_w + 1) / 2));
        QCOMPARE(resid.columns.size(), regions + ctx_->text_positions_before(e.target_position).size());
        // After the last layer no image region has an effect; the map's layer is the strongest image one.
        for (std::size_t c = 0; c < regions; ++c) QVERIFY(std::abs(resid.values.back()[c]) < 1e-7);
        const auto& curve = e.layer_curves->values[0];
        const int map_layer = e.diagnostics.at("map_layer").get<int>();
        QCOMPARE(curve[static_cast<std::size_t>(map_layer)], *std::max_element(curve.begin(), curve.end()));
        QCOMPARE(e.image_map.size(), static_cast<std::size_t>(trace_->grid_h * trace_->grid_w));
        // A tight budget grows the regions and says so.
        const Explanation small = run(x, 2, {{"samples", 1}, {"max_passes", 20}, {"text", false}});
        QVERIFY(small.diagnostics.at("restricted").get<bool>());
        QVERIFY(small.diagnostics.at("passes").get<std::int64_t>() <= 20 + 2);
        QVERIFY(test::error_of([&] {
                    run(x, 2, {{"region", 1}, {"layer_stride", 1}, {"max_passes", 10}});
                }).find("budget") != std::string::npos);
        // A time budget smaller than a few passes restricts the plan the same way and names the time.
        const Explanation timed = run(x, 2, {{"samples", 1}, {"text", false}, {"time_budget_s", 1e-6}});
        QVERIFY(timed.diagnostics.at("restricted").get<bool>());
        QVERIFY(timed.diagnostics.at("note").get<std::string>().find(" s at ") != std::string::npos);
        QCOMPARE(timed.layer_positions[0].columns.size(), std::size_t{1});  // one region over the whole grid
    }

    // --- Knockout ---

    void knockout_block_is_the_masked_softmax_by_hand() {
        // Layer 0's inputs are the same with and without the block, so its pattern with keys K cut from a
        // query row is the clean row with K's entries set to 0 and the rest divided by 1 - sum over K.
        const auto pos = ctx_->target_position(1);
        const auto image = ctx_->image_positions();
        KnockoutSpec spec;
        spec.positions = {image[0], image[3], image[7]};
        spec.layers = {0};
        const RunOptions knock = knockout_options(*ctx_, spec, trace_->answer_begin - 1, pos);
        RunOptions cached = knock;
        cached.cache = {"lm.blocks.0.attn.hook_pattern"};
        RunOptions clean_opts;
        clean_opts.cache = cached.cache;
        ActivationCache with, without;
        at::NoGradGuard ng;
        ctx_->run_prefix(pos, &cached, &with);
        ctx_->run_prefix(pos, &clean_opts, &without);
        const at::Tensor a = without.get("lm.blocks.0.attn.hook_pattern")[0];  // [heads, q, k]
        const at::Tensor b = with.get("lm.blocks.0.attn.hook_pattern")[0];
        for (std::int64_t q : {trace_->answer_begin - 1, pos - 1}) {
            for (std::int64_t h = 0; h < a.size(0); ++h) {
                double cut = 0;
                for (auto k : spec.positions) cut += a[h][q][k].item<double>();
                for (std::int64_t k = 0; k <= q; ++k) {
                    const bool knocked =
                        std::find(spec.positions.begin(), spec.positions.end(), k) != spec.positions.end();
                    const double want = knocked ? 0.0 : a[h][q][k].item<double>() / (1.0 - cut);
                    QVERIFY(std::abs(b[h][q][k].item<double>() - want) < 1e-5);
                }
            }
        }
        // Query rows before the answer are untouched.
        QVERIFY(at::allclose(a[0][trace_->answer_begin - 2], b[0][trace_->answer_begin - 2]));
    }

    void knockout_of_nothing_changes_nothing() {
        const auto pos = ctx_->target_position(0);
        KnockoutSpec none;  // no positions: no (query, key) pairs
        const RunOptions o = knockout_options(*ctx_, none, trace_->answer_begin - 1, pos);
        at::NoGradGuard ng;
        QVERIFY(at::equal(ctx_->run_prefix(pos, &o), ctx_->run_prefix(pos)));
        // run_knockout refuses an empty choice and positions outside the prompt.
        QVERIFY(test::error_of([&] { run_knockout(*ctx_, 0, none); }).find("no positions") !=
                std::string::npos);
        KnockoutSpec late;
        late.positions = {trace_->answer_begin};
        QVERIFY(test::error_of([&] { run_knockout(*ctx_, 0, late); }).find("not in the prompt") !=
                std::string::npos);
    }

    void knockout_result_reports_before_and_after() {
        KnockoutSpec spec;
        spec.op = "mean";
        spec.cells = {{0, 0}, {0, 1}};
        const KnockoutResult r = run_knockout(*ctx_, 1, spec);
        QCOMPARE(r.spec.positions, positions_of_cells(*ctx_, {{0, 0}, {0, 1}}));
        QVERIFY(std::abs(r.p_before - trace_->steps[1].prob) < 1e-4);
        QCOMPARE(r.answer_before, trace_->answer_text);
        QVERIFY(!r.answer_after.empty());
        // p_after by hand: the two positions' embeddings replaced by the image mean.
        const at::Tensor embeds = ctx_->input_embeddings();
        const auto image = ctx_->image_positions();
        const at::Tensor mean = embeds.index_select(0, at::tensor(image, at::kLong)).mean(0);
        RunOptions o;
        o.interventions = {Intervention::replace("lm.hook_embed", mean, r.spec.positions)};
        at::NoGradGuard ng;
        const auto pos = ctx_->target_position(1);
        const double p =
            at::softmax(ctx_->run_prefix(pos, &o), -1)[trace_->tokens[static_cast<std::size_t>(pos)].id]
                .item<double>();
        QVERIFY(std::abs(r.p_after - p) < 1e-6);
        // JSON round trip.
        const KnockoutResult back = knockout_from_json(to_json(r));
        QCOMPARE(back.spec.positions, r.spec.positions);
        QCOMPARE(back.answer_after, r.answer_after);
        QCOMPARE(back.p_after, r.p_after);
        // A block with a window gives one curve point per window start.
        KnockoutSpec block;
        block.cells = {{1, 1}};
        block.window = 1;
        const KnockoutResult b = run_knockout(*ctx_, 1, block);
        QVERIFY(b.per_layer);
        QCOMPARE(b.per_layer->layers.size(), static_cast<std::size_t>(ctx_->layers()));
    }

    // --- Ground truth for a user's image ---

    void image_truth_from_coco_boxes_polygons_and_words() {
        const std::string path = (tmp_.path() + "/truth.json").toStdString();
        const nlohmann::json coco = {
            {"images",
             {{{"id", 7}, {"file_name", "photos/street.png"}, {"width", 40}, {"height", 20}},
              {{"id", 8}, {"file_name", "other.png"}, {"width", 10}, {"height", 10}}}},
            {"categories", {{{"id", 1}, {"name", "red car"}}, {{"id", 2}, {"name", "dog"}}}},
            {"annotations",
             {{{"image_id", 7}, {"category_id", 1}, {"bbox", {2, 3, 10, 5}}},
              {{"image_id", 7},
               {"category_id", 2},
               {"segmentation", {{20, 2, 30, 2, 30, 12, 20, 12}}},
               {"words", {"puppy"}}},
              {{"image_id", 8}, {"category_id", 2}, {"bbox", {0, 0, 5, 5}}}}},
            {"words", {{"vehicle", "red car"}}}};
        write_file_atomic(path, coco.dump(), "test");
        ImageTruth t;
        try {
            t = load_coco_truth(path, 40, 20, "/home/me/street.png");
        } catch (const Error& e) {
            QFAIL(e.what());
        }
        QCOMPARE(t.objects.size(), std::size_t{2});
        QCOMPARE(t.objects[0].label, std::string("red car"));
        QCOMPARE(cv::countNonZero(t.objects[0].mask), 10 * 5);  // the box, pixel for pixel
        QCOMPARE(t.objects[0].mask.at<std::uint8_t>(3, 2), std::uint8_t{255});
        QCOMPARE(t.objects[0].mask.at<std::uint8_t>(8, 2), std::uint8_t{0});
        QVERIFY(t.objects[1].mask.at<std::uint8_t>(7, 25) == 255 &&
                t.objects[1].mask.at<std::uint8_t>(7, 35) == 0);
        // Words: the label's, the annotation's, the file's mapping; plurals and case ignored.
        QCOMPARE(objects_named(t, " Cars"), std::vector<int>{0});
        QCOMPARE(objects_named(t, "vehicle"), std::vector<int>{0});
        QCOMPARE(objects_named(t, " puppy"), std::vector<int>{1});
        QCOMPARE(objects_named(t, "dogs"), std::vector<int>{1});
        QVERIFY(objects_named(t, "the").empty());
        // Errors name the file and the field.
        const auto error_with = [&](nlohmann::json j, int w = 40, int h = 20) {
            write_file_atomic(path, j.dump(), "test");
            return test::error_of([&] { load_coco_truth(path, w, h, "street.png"); });
        };
        QVERIFY(error_with(coco, 41, 20).find("40x20 but the image is 41x20") != std::string::npos);
        nlohmann::json rle = coco;
        rle["annotations"][0]["segmentation"] = {{"counts", "abc"}, {"size", {20, 40}}};
        QVERIFY(error_with(rle).find("RLE") != std::string::npos);
        nlohmann::json bad_word = coco;
        bad_word["words"] = {{"bike", "bicycle"}};
        QVERIFY(error_with(bad_word).find("no object of the image") != std::string::npos);
        nlohmann::json outside = coco;
        outside["annotations"][0]["bbox"] = {100, 100, 5, 5};
        QVERIFY(error_with(outside).find("covers no pixel") != std::string::npos);
        QVERIFY(error_with(nlohmann::json::array()).find("truth.json") != std::string::npos);
    }

    void image_truth_masks_score_like_the_scene_world() {
        const toy::Sample s = toy::make_sample(1000200001, toy::TaskType::Shape);
        const QString dir = tmp_.path() + "/masks";
        QDir().mkpath(dir);
        for (const auto& o : s.scene.objects) {
            cv::Mat rgb;
            cv::cvtColor(o.mask, rgb, cv::COLOR_GRAY2RGB);
            save_image_rgb(
                (dir + "/" + QString::fromStdString(toy::to_string(o.color) + "_" + toy::to_string(o.shape)) +
                 ".png")
                    .toStdString(),
                rgb);
        }
        const ImageTruth t = load_mask_folder(dir.toStdString(), s.scene.image.cols, s.scene.image.rows);
        QCOMPARE(t.objects.size(), s.scene.objects.size());
        // An identity view (the model sees the image as it is), and a 12 x 12 map peaking on object 0.
        PreprocessedImage view;
        view.model_view = s.scene.image;
        view.original_width = s.scene.image.cols;
        view.original_height = s.scene.image.rows;
        const cv::Rect box = s.scene.objects[0].bbox;
        metrics::GridMap map{12, 12, std::vector<float>(144, 0.0f)};
        const int r = (box.y + box.height / 2) * 12 / s.scene.image.rows,
                  c = (box.x + box.width / 2) * 12 / s.scene.image.cols;
        map.values[static_cast<std::size_t>(r * 12 + c)] = 1.0f;
        const std::string colour = toy::to_string(s.scene.objects[0].color);
        const GroundTruthReadout g = image_truth_readout(t, view, " " + colour, map);
        QVERIFY2(g.applicable, g.reason.c_str());
        QCOMPARE(g.object, 0);
        QCOMPARE(g.outcome, std::string("hit"));
        QCOMPARE(g.obj_iou, metrics::obj_iou(map, s.scene.objects[0].mask));
        const GroundTruthReadout none = image_truth_readout(t, view, " the", map);
        QVERIFY(!none.applicable);
        QVERIFY(none.reason.find("names no object") != std::string::npos);
        // A view that is the image's right half sees the mask shifted and cut.
        PreprocessedImage half = view;
        half.model_view = s.scene.image(cv::Rect(48, 0, 48, 96)).clone();
        half.offset_x = 48;
        const cv::Mat m = mask_in_view(s.scene.objects[0].mask, half);
        QCOMPARE(m.cols, 48);
        QCOMPARE(m.at<std::uint8_t>(10, 5), s.scene.objects[0].mask.at<std::uint8_t>(10, 53));
    }
};

QTEST_GUILESS_MAIN(TestInstruments)
#include "test_instruments.moc"
