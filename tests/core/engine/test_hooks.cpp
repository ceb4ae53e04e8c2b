// Hook points and interventions on a tiny LLaVA: caching by name/pattern, replace/add/apply, attention
// knockout, cheap no-op path, and the gradient of a logit w.r.t. an attention pattern against finite
// differences.
#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>

#include "core/generate/generator.h"
#include "core/model/loaded_model.h"
#include "core/util/error.h"
#include "tests/support/tiny_models.h"

using namespace sightline;

class TestHooks : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::unique_ptr<LoadedModel> m_;
    at::Tensor ids_, pixels_;
    std::int64_t image_begin_ = 0;

    at::Tensor logits(const RunOptions* o = nullptr, ActivationCache* c = nullptr) {
        at::NoGradGuard ng;
        return m_->model->forward(ids_, pixels_, o, c).logits;
    }

  private Q_SLOTS:
    void initTestCase() {
        test::TinySpec spec;
        spec.init_std = 0.3;
        m_ = load_model(test::write_tiny_model((tmp_.path() + "/m").toStdString(), spec));
        const Trace t = prepare_prompt(*m_, test::question_about_noise("what is it")).trace;
        ids_ = at::tensor(t.ids(), at::kLong).unsqueeze(0);
        pixels_ = t.pixel_values.pixels;
        image_begin_ = t.image_begin;
    }

    void glob_patterns() {
        QVERIFY(glob_match("lm.blocks.*.attn.hook_pattern", "lm.blocks.12.attn.hook_pattern"));
        QVERIFY(!glob_match("lm.blocks.*.attn.hook_pattern", "vision.blocks.1.attn.hook_pattern"));
        QVERIFY(glob_match("*hook_pattern", "vision.blocks.1.attn.hook_pattern"));
        QCOMPARE(hook_layer("lm.blocks.12.attn.hook_pattern"), 12);
        QCOMPARE(hook_layer("vision.blocks.0.hook_resid_post"), 0);
        QVERIFY_THROWS_EXCEPTION(Error, hook_layer("lm.hook_embed"));
        QVERIFY_THROWS_EXCEPTION(Error, hook_layer("lm.blocks.x.attn.hook_pattern"));
        QVERIFY(glob_match("*", "anything"));
        QVERIFY(!glob_match("lm.hook_embed", "lm.hook_embedx"));
    }

    void caches_every_named_point_with_documented_shapes() {
        RunOptions o;
        o.cache = {"*"};
        ActivationCache cache;
        const at::Tensor with_hooks = logits(&o, &cache);
        QVERIFY(at::equal(with_hooks, logits()));  // caching does not change the result
        const auto T = ids_.size(1);
        const auto& pat = cache.get("lm.blocks.1.attn.hook_pattern");
        QCOMPARE(pat.sizes().vec(), (std::vector<std::int64_t>{1, 4, T, T}));
        QVERIFY(at::allclose(pat.sum(-1), at::ones({1, 4, T})));
        QVERIFY(pat[0][0][0].narrow(0, 1, T - 1).abs().max().item<float>() == 0.0f);  // causal
        QCOMPARE(cache.get("vision.blocks.0.attn.hook_pattern").sizes().vec(),
                 (std::vector<std::int64_t>{1, 4, 17, 17}));
        QCOMPARE(cache.get("lm.blocks.0.attn.hook_q").sizes().vec(), (std::vector<std::int64_t>{1, T, 4, 8}));
        QCOMPARE(cache.get("lm.blocks.0.attn.hook_k").sizes().vec(), (std::vector<std::int64_t>{1, T, 2, 8}));
        QCOMPARE(cache.get("projector.hook_out").sizes().vec(), (std::vector<std::int64_t>{1, 16, 32}));
        QCOMPARE(cache.get("lm.hook_embed").sizes().vec(), (std::vector<std::int64_t>{1, T, 32}));
        QCOMPARE(cache.get("lm.blocks.1.mlp.hook_post").sizes().vec(), (std::vector<std::int64_t>{1, T, 64}));
        // resid_post = resid_mid + mlp_out ; resid_mid = resid_pre + attn_out
        const auto& pre = cache.get("lm.blocks.1.hook_resid_pre");
        QVERIFY(at::allclose(cache.get("lm.blocks.1.hook_resid_mid"),
                             pre + cache.get("lm.blocks.1.hook_attn_out")));
        QVERIFY(
            at::allclose(cache.get("lm.blocks.1.hook_resid_post"),
                         cache.get("lm.blocks.1.hook_resid_mid") + cache.get("lm.blocks.1.hook_mlp_out")));
        // The image features land at the image positions of the LM input.
        QVERIFY(at::allclose(cache.get("lm.hook_embed")[0].narrow(0, image_begin_, 16),
                             cache.get("projector.hook_out")[0]));
        // Only the vision blocks needed for feature layer -2 run (3 layers -> 2 blocks).
        QVERIFY(cache.has("vision.blocks.1.hook_resid_post"));
        QVERIFY(!cache.has("vision.blocks.2.hook_resid_post"));
        QVERIFY_THROWS_EXCEPTION(Error, cache.get("lm.blocks.9.hook_resid_pre"));
    }

    void replace_add_apply() {
        RunOptions o;
        o.cache = {"lm.blocks.0.hook_resid_post"};
        ActivationCache clean;
        const at::Tensor base = logits(&o, &clean);
        const at::Tensor resid = clean.get("lm.blocks.0.hook_resid_post");
        // Replacing a tensor by itself changes nothing; adding zero changes nothing.
        RunOptions same;
        same.interventions = {Intervention::replace("lm.blocks.0.hook_resid_post", resid)};
        QVERIFY(at::allclose(logits(&same), base, 1e-5, 1e-6));
        RunOptions zero;
        zero.interventions = {Intervention::add("lm.blocks.0.hook_resid_post", at::zeros({32}))};
        QVERIFY(at::allclose(logits(&zero), base, 1e-6, 1e-6));
        // Adding at the last position only changes the last position's logits (causality).
        const auto T = ids_.size(1);
        RunOptions late;
        late.interventions = {Intervention::add("lm.blocks.0.hook_resid_post", at::ones({32}), {T - 1})};
        const at::Tensor l2 = logits(&late);
        QVERIFY(at::allclose(l2.narrow(1, 0, T - 1), base.narrow(1, 0, T - 1), 1e-5, 1e-6));
        QVERIFY((l2[0][T - 1] - base[0][T - 1]).abs().max().item<float>() > 1e-3f);
        // Apply: zero-ablating the image features changes the answer distribution.
        RunOptions ablate;
        ablate.interventions = {Intervention::apply(
            "projector.hook_out", [](const at::Tensor& x, const HookContext&) { return at::zeros_like(x); })};
        QVERIFY((logits(&ablate)[0][T - 1] - base[0][T - 1]).abs().max().item<float>() > 1e-3f);
        RunOptions bad;
        bad.interventions = {Intervention::apply(
            "lm.hook_embed", [](const at::Tensor& x, const HookContext&) { return x.narrow(1, 0, 1); })};
        QVERIFY_THROWS_EXCEPTION(Error, logits(&bad));
    }

    void attention_knockout() {
        const auto T = ids_.size(1);
        const std::int64_t q = T - 1;
        AttentionKnockout ko;
        ko.layers = {1};
        for (std::int64_t k = image_begin_; k < image_begin_ + 16; ++k) ko.query_key.emplace_back(q, k);
        RunOptions o;
        o.knockouts = {ko};
        o.cache = {"lm.blocks.*.attn.hook_pattern"};
        ActivationCache c;
        const at::Tensor l = logits(&o, &c);
        const at::Tensor p1 = c.get("lm.blocks.1.attn.hook_pattern")[0];
        QCOMPARE(p1.select(1, q).narrow(1, image_begin_, 16).abs().max().item<float>(), 0.0f);
        QVERIFY(at::allclose(p1.select(1, q).sum(-1), at::ones({4})));  // still a distribution
        // Layer 0 is untouched and other queries too.
        RunOptions plain;
        plain.cache = o.cache;
        ActivationCache c0;
        const at::Tensor base = logits(&plain, &c0);
        QVERIFY(
            at::allclose(c.get("lm.blocks.0.attn.hook_pattern"), c0.get("lm.blocks.0.attn.hook_pattern")));
        QVERIFY(at::allclose(p1.narrow(1, 0, q), c0.get("lm.blocks.1.attn.hook_pattern")[0].narrow(1, 0, q)));
        QVERIFY((l[0][q] - base[0][q]).abs().max().item<float>() > 1e-4f);
    }

    void interventions_follow_positions_through_the_kv_cache() {
        // Generating with an intervention at a late absolute position affects only steps that reach it.
        at::NoGradGuard ng;
        auto kv = m_->model->make_kv_cache(1, ids_.size(1) + 4);
        const auto T = ids_.size(1);
        RunOptions o;
        o.interventions = {Intervention::add("lm.blocks.0.hook_resid_post", at::full({32}, 5.0f), {T + 1})};
        const at::Tensor pre =
            m_->model->forward(ids_, pixels_, &o, nullptr, kv.get(), LogitsMode::Last).logits;
        QVERIFY(at::allclose(pre[0][0], logits()[0][T - 1], 1e-5, 1e-6));  // untouched: T+1 not in this pass
    }

    void gradient_wrt_pattern_matches_finite_differences() {
        const auto T = ids_.size(1);
        const std::int64_t target = ids_[0][T - 1].item<std::int64_t>();
        const std::string hook = "lm.blocks.0.attn.hook_pattern";
        // Autograd: make the embeddings a leaf so a graph exists, keep the pattern's gradient.
        RunOptions o;
        o.cache = {hook};
        o.keep_grad = {hook};
        o.interventions = {Intervention::apply("lm.hook_embed", [](const at::Tensor& x, const HookContext&) {
            return x.detach().requires_grad_(true);
        })};
        ActivationCache c;
        const at::Tensor out = m_->model->forward(ids_, pixels_, &o, &c).logits;
        out[0][T - 2][target].backward();
        const at::Tensor grad = c.get(hook).grad();
        QVERIFY(grad.defined());
        // Central differences on a few entries of the pattern of the prediction row.
        const double eps = 1e-2;
        int checked = 0;
        for (const auto& [h, k] :
             std::vector<std::pair<int, std::int64_t>>{{0, 0}, {1, image_begin_ + 3}, {3, T - 3}, {2, 1}}) {
            auto bump = [&](double delta) {
                at::Tensor v = at::zeros({1, 4, 1, T});
                v[0][h][0][k] = delta;
                RunOptions p;
                p.interventions = {Intervention::add(hook, v, {T - 2})};
                return logits(&p)[0][T - 2][target].item<double>();
            };
            const double fd = (bump(eps) - bump(-eps)) / (2 * eps);
            const double ad = grad[0][h][T - 2][k].item<double>();
            QVERIFY2(std::abs(fd - ad) <= 1e-3 + 1e-2 * std::abs(fd),
                     qPrintable(QString("head %1 key %2: autograd %3 vs finite difference %4")
                                    .arg(h)
                                    .arg(k)
                                    .arg(ad)
                                    .arg(fd)));
            checked += std::abs(ad) > 1e-6;
        }
        QVERIFY(checked >= 2);  // the comparison is not vacuous
    }
};

QTEST_APPLESS_MAIN(TestHooks)
#include "test_hooks.moc"
