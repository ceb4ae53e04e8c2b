// The committed embedded model: it loads through the normal Hugging Face path and answers held-out
// scene-world questions (all seven task types, at the committed checkpoint's measured accuracy).
#include <QtTest>

#include "core/train/toy_eval.h"
#include "core/util/resource_paths.h"
#include "core/util/strings.h"

using namespace sightline;

class TestEmbeddedModel : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void answers_held_out_questions() {
        const std::string dir = default_model_dir();
        if (!file_exists(dir + "/model.safetensors")) QSKIP("the embedded model is not in this checkout");
        const auto m = load_model(dir);
        QCOMPARE(m->config.architecture, std::string("LlavaForConditionalGeneration"));
        QCOMPARE(m->config.vision_feature_layers, std::vector<int>{-2});
        QCOMPARE(m->config.vision_feature_select_strategy, std::string("default"));
        QVERIFY(m->config.vision.has_class_token());
        QCOMPARE(m->config.image_token_count(), std::int64_t{144});
        train::ToyEvalOptions o;
        o.n = 100;
        o.first_seed =
            toy::kHeldOutSeedBase + 7000;  // held out, and outside the range reported in the model card
        const train::ToyEvalResult r = train::evaluate_toy(*m, o);
        qInfo("%d/%d correct (%.1f%%), %.1f ms per question", r.correct, r.n, 100.0 * r.overall(),
              r.mean_ms_per_question);
        for (const auto& f : r.failures)
            qInfo("  [%s] %s -> '%s' (expected '%s')", f.task.c_str(), f.question.c_str(),
                  f.predicted.c_str(), f.expected.c_str());
        QCOMPARE(r.by_task.size(), std::size_t{7});
        // The bar: >= 0.90 of 100 held-out questions. The committed checkpoint answers 93 of these
        // 100 on the development machine (0.957 on the model card's set), so a flipped greedy token or two
        // from floating-point differences between machines still passes, while a broken checkpoint or loading
        // path does not.
        QVERIFY2(r.overall() >= 0.90, qPrintable(QString("accuracy %1").arg(r.overall())));
    }
};

QTEST_APPLESS_MAIN(TestEmbeddedModel)
#include "test_embedded_model.moc"
