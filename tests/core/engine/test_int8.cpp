// Int8 weight-only mode: per-row quantisation bounds, the fast dequantisation against LibTorch's own
// arithmetic, the differentiable int8 linear layer against autograd through a plain dequantised weight,
// loading a tiny checkpoint with int8 weights (memory, parameter count, logits), and the explanations of
// the same answer with int8 and with bfloat16 weights (rank correlation of the maps).
#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <opencv2/core.hpp>

#include "core/explain/explanation_service.h"
#include "core/generate/generator.h"
#include "core/io/int8_weights.h"
#include "core/model/load_plan.h"
#include "tests/support/tiny_models.h"

using namespace sightline;

namespace {

std::vector<double> ranks(const std::vector<float>& v) {
    std::vector<std::size_t> idx(v.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < idx.size();) {
        std::size_t j = i;
        while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
        for (std::size_t k = i; k <= j; ++k)
            r[idx[k]] = (static_cast<double>(i) + static_cast<double>(j)) / 2;
        i = j + 1;
    }
    return r;
}

// Spearman's rank correlation (average ranks for ties).
double spearman(const std::vector<float>& a, const std::vector<float>& b) {
    const auto ra = ranks(a), rb = ranks(b);
    const double n = static_cast<double>(ra.size());
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < ra.size(); ++i) ma += ra[i] / n, mb += rb[i] / n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < ra.size(); ++i) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 1.0;
}

}  // namespace

class TestInt8 : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::string dir_;

    // The tiny checkpoint loaded twice: bfloat16 weights, and int8 weights with bfloat16 activations.
    std::pair<std::unique_ptr<LoadedModel>, std::unique_ptr<LoadedModel>> bf16_and_int8() const {
        LoadOptions full;
        full.dtype = ComputeDType::BF16;
        LoadOptions int8 = full;
        int8.int8_weights = true;
        return {load_model(dir_, full), load_model(dir_, int8)};
    }

  private Q_SLOTS:
    void initTestCase() {
        test::TinySpec spec;
        spec.init_std = 0.3;
        dir_ = test::write_tiny_model((tmp_.path() + "/m").toStdString(), spec);
    }

    void quantisation_is_within_half_a_step_per_row() {
        at::manual_seed(3);
        at::Tensor w = at::randn({6, 40}) * at::arange(1, 7, at::kFloat).unsqueeze(1);
        w[2].zero_();  // an all-zero row keeps scale 1 and zero codes
        const Int8Weight q = quantize_int8(w.to(at::kBFloat16));
        QCOMPARE(q.q.scalar_type(), at::kChar);
        QCOMPARE(q.scale.scalar_type(), at::kFloat);
        QCOMPARE(q.scale[2].item<float>(), 1.0f);
        QCOMPARE(q.q[2].abs().max().item<int>(), 0);
        const at::Tensor wb = w.to(at::kBFloat16).to(at::kFloat);
        for (int r = 0; r < 6; ++r) {
            if (r == 2) continue;
            const float s = q.scale[r].item<float>();
            QVERIFY(std::abs(s - wb[r].abs().max().item<float>() / 127.0f) < 1e-6f * std::max(1.0f, s));
            QCOMPARE(q.q[r].abs().max().item<int>(), 127);  // the largest entry uses the whole range
        }
        const at::Tensor back = dequantize_int8(q, at::kFloat);
        QVERIFY(((back - wb).abs() <= q.scale.unsqueeze(1) * 0.5 + 1e-6).all().item<bool>());
        // The bfloat16 dequantisation is the float32 one rounded to bfloat16 (bit for bit).
        QVERIFY(at::equal(dequantize_int8(q, at::kBFloat16), back.to(at::kBFloat16)));
        QVERIFY_THROWS_EXCEPTION(Error, quantize_int8(at::ones({3})));
    }

    void int8_linear_matches_the_plain_layer_and_its_gradient() {
        at::manual_seed(5);
        const Int8Weight q = quantize_int8(at::randn({7, 12}));
        const at::Tensor w = dequantize_int8(q, at::kFloat);
        const at::Tensor b = at::randn({7});
        const at::Tensor x = at::randn({2, 3, 12});
        QVERIFY(at::allclose(int8_linear(x, q, b), at::linear(x, w, b), 1e-5, 1e-6));
        // Gradient with respect to the input, against autograd through the plain layer.
        const at::Tensor x1 = x.clone().requires_grad_(true), x2 = x.clone().requires_grad_(true);
        const at::Tensor g = at::randn({2, 3, 7});
        (int8_linear(x1, q, b) * g).sum().backward();
        (at::linear(x2, w, b) * g).sum().backward();
        QVERIFY(at::allclose(x1.grad(), x2.grad(), 1e-5, 1e-6));
        QVERIFY_THROWS_EXCEPTION(Error, int8_linear(at::randn({2, 5}), q, b));
        // Decode-sized inputs (up to four rows, no gradient) take the direct int8 product: the same values
        // in float32 (to rounding), and in bfloat16 within bfloat16's rounding; odd widths use the tail loop.
        const Int8Weight wide = quantize_int8(at::randn({9, 77}));
        const at::Tensor xr = at::randn({1, 2, 77});
        const at::Tensor expected = at::linear(xr, dequantize_int8(wide, at::kFloat), at::Tensor());
        QVERIFY(at::allclose(int8_linear(xr, wide, at::Tensor()), expected, 1e-4, 1e-5));
        const at::Tensor yb = int8_linear(xr.to(at::kBFloat16), wide, at::Tensor());
        QCOMPARE(yb.scalar_type(), at::kBFloat16);
        QVERIFY(at::allclose(
            yb.to(at::kFloat),
            at::linear(xr.to(at::kBFloat16).to(at::kFloat), dequantize_int8(wide, at::kFloat)), 2e-2, 2e-2));
    }

    void loads_a_checkpoint_with_int8_weights() {
        const auto [a, b] = bf16_and_int8();
        QVERIFY(!a->model->int8_weights());
        QVERIFY(b->model->int8_weights());
        QCOMPARE(b->model->parameter_count(), a->model->parameter_count());
        QVERIFY(std::find(b->notes.begin(), b->notes.end(),
                          std::string("int8 weight-only mode: linear layers hold int8 weights with "
                                      "per-channel scales")) != b->notes.end());
        // The plan's estimate is below the bfloat16 one; the CLI/GUI choice strings map to options.
        const LoadPlan plan = plan_load(dir_);
        QVERIFY(plan.weights_int8 < plan.weights_bf16);
        QVERIFY(load_options_for("int8").int8_weights);
        QVERIFY(!load_options_for("auto").dtype.has_value());
        QVERIFY(load_options_for("bf16").dtype == ComputeDType::BF16);
        QVERIFY_THROWS_EXCEPTION(Error, load_options_for("int4"));
        // Logits of one prompt: int8 weights stay close to the bfloat16 ones.
        const PromptRequest r = test::question_about_noise("what is red?");
        const PreparedPrompt pa = prepare_prompt(*a, r), pb = prepare_prompt(*b, r);
        at::NoGradGuard ng;
        const at::Tensor ids = at::tensor(pa.trace.ids(), at::kLong).unsqueeze(0);
        const at::Tensor la = a->model->forward(ids, pa.trace.pixel_values).logits[0];
        const at::Tensor lb = b->model->forward(ids, pb.trace.pixel_values).logits[0];
        const double corr = at::corrcoef(at::stack({la.flatten(), lb.flatten()}))[0][1].item<double>();
        QVERIFY2(corr > 0.99, qPrintable(QString::number(corr)));
    }

    void explanations_with_int8_weights_rank_like_bfloat16() {
        const auto [a, b] = bf16_and_int8();
        ExplanationService sa, sb;
        std::map<std::string, std::vector<double>> rho;
        for (int seed = 0; seed < 4; ++seed) {
            cv::theRNG().state = static_cast<std::uint64_t>(100 + seed);
            const PromptRequest r = test::question_about_noise("what is red?");
            GenerationSettings g;
            g.max_new_tokens = 3;
            g.stop_ids = {-1};
            auto trace = std::make_shared<Trace>(generate(*a, prepare_prompt(*a, r), g));
            auto plain = std::make_shared<Trace>(*trace);
            plain->capture.reset();  // the int8 model computes its own attention, not bf16's recorded rows
            TraceContext ca(*a, trace), cb(*b, plain);
            for (const char* method : {"attention", "tam", "relevancy"})
                for (std::int64_t k = 0; k < trace->answer_size(); ++k)
                    rho[method].push_back(
                        spearman(sa.explain(ca, method, k).image_map, sb.explain(cb, method, k).image_map));
        }
        for (const auto& [method, values] : rho) {
            double mean = 0;
            for (double v : values) mean += v / static_cast<double>(values.size());
            qInfo("%s: Spearman int8 vs bf16 maps, mean %.3f min %.3f over %zu maps", method.c_str(), mean,
                  *std::min_element(values.begin(), values.end()), values.size());
            QVERIFY2(mean > 0.8, method.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestInt8)
#include "test_int8.moc"
