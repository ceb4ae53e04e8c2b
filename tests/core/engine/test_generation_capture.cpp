// What generation records for the explainers (GenerationCallbacks::capture) equals what a separate
// capture pass over the finished trace computes, for every way a generation can end; and progress and
// cancellation reach inside one pass (a cancel during the prefill stops within a layer).
#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>
#include <atomic>

#include "core/explain/trace_context.h"
#include "core/generate/generation_capture.h"
#include "core/generate/generator.h"
#include "core/util/error.h"
#include "tests/support/tiny_models.h"

using namespace sightline;

class TestGenerationCapture : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::unique_ptr<LoadedModel> m_;

    PreparedPrompt prompt() { return prepare_prompt(*m_, test::question_about_noise("what is it?")); }

  private Q_SLOTS:
    void initTestCase() {
        test::TinySpec spec;
        spec.init_std = 0.3;
        m_ = load_model(test::write_tiny_model((tmp_.path() + "/m").toStdString(), spec));
    }

    void captured_rows_equal_a_separate_pass_data() {
        QTest::addColumn<int>("max_tokens");
        QTest::addColumn<bool>("stop_on_first");
        QTest::newRow("token budget (last token fed afterwards)") << 6 << false;
        QTest::newRow("one token") << 1 << false;
        QTest::newRow("stopped by the first token (empty answer)") << 6 << true;
    }
    void captured_rows_equal_a_separate_pass() {
        QFETCH(int, max_tokens);
        QFETCH(bool, stop_on_first);
        GenerationSettings g;
        g.max_new_tokens = max_tokens;
        g.stop_ids = {-1};
        if (stop_on_first) {  // whatever the model says first is a stop id
            GenerationSettings probe = g;
            probe.max_new_tokens = 1;
            g.stop_ids = {generate(*m_, prompt(), probe).tokens.back().id};
        }
        GenerationCallbacks cb;
        cb.capture = true;
        const auto with = std::make_shared<Trace>(generate(*m_, prompt(), g, cb));
        QVERIFY(with->capture != nullptr);
        QCOMPARE(with->answer_size(), std::int64_t{stop_on_first ? 0 : max_tokens});
        auto without = std::make_shared<Trace>(*with);
        without->capture.reset();

        TraceContext a(*m_, with), b(*m_, without);
        QVERIFY(a.final_hidden().defined());
        QVERIFY(a.captured_from_generation());
        QCOMPARE(a.full_passes(), 0);  // nothing recomputed
        QVERIFY(!b.captured_from_generation());
        QVERIFY(at::allclose(a.final_hidden(), b.final_hidden(), 1e-4, 1e-5));
        QCOMPARE(b.full_passes(), 1);
        QVERIFY(at::allclose(a.input_embeddings(), b.input_embeddings(), 1e-5, 1e-6));
        for (int l = 0; l < a.layers(); ++l)
            for (std::int64_t q = a.pattern_row0(); q < a.length(); ++q)
                QVERIFY2(at::allclose(a.attention_row(l, q), b.attention_row(l, q), 1e-4, 1e-6),
                         qPrintable(QString("layer %1 query %2").arg(l).arg(q)));
    }

    void no_capture_unless_asked() {
        GenerationSettings g;
        g.max_new_tokens = 3;
        g.stop_ids = {-1};
        QVERIFY(generate(*m_, prompt(), g).capture == nullptr);
    }

    void progress_reports_each_stage() {
        GenerationSettings g;
        g.max_new_tokens = 3;
        g.stop_ids = {-1};
        std::vector<Progress> seen;
        const JobControl control(nullptr, [&](const Progress& p) { seen.push_back(p); });
        GenerationCallbacks cb;
        cb.control = &control;
        generate(*m_, prompt(), g, cb);
        auto last_of = [&](const std::string& stage) {
            Progress out;
            for (const auto& p : seen)
                if (p.stage == stage) out = p;
            return out;
        };
        // The tiny model: 2 vision blocks used (layer -2 of 3), 2 LM layers, 3 tokens.
        QCOMPARE(last_of("vision encoding").done, last_of("vision encoding").total);
        QVERIFY(last_of("vision encoding").total >= 1);
        QCOMPARE(last_of("prefill").done, std::int64_t{2});
        QCOMPARE(last_of("prefill").total, std::int64_t{2});
        QCOMPARE(last_of("decode").done, std::int64_t{3});
        QVERIFY(last_of("decode").eta_s >= 0);
        QVERIFY(!last_of("prefill").describe().empty());
    }

    void cancel_inside_the_prefill_stops_within_a_layer() {
        GenerationSettings g;
        g.max_new_tokens = 4;
        g.stop_ids = {-1};
        std::atomic<bool> cancel{false};
        int lm_layers_done = 0;
        const JobControl control(&cancel, [&](const Progress& p) {
            if (p.stage == "prefill" && p.done > 0) {
                ++lm_layers_done;
                cancel = true;  // the user presses Cancel after the first LM layer
            }
        });
        GenerationCallbacks cb;
        cb.control = &control;
        cb.capture = true;
        QVERIFY_THROWS_EXCEPTION(CancelledError, generate(*m_, prompt(), g, cb));
        QCOMPARE(lm_layers_done, 1);  // the second layer never ran
    }

    void cancel_between_tokens_keeps_the_partial_answer() {
        GenerationSettings g;
        g.max_new_tokens = 6;
        g.stop_ids = {-1};
        std::atomic<bool> cancel{false};
        const JobControl control(&cancel, [&](const Progress& p) {
            if (p.stage == "decode" && p.done == 2) cancel = true;
        });
        GenerationCallbacks cb;
        cb.control = &control;
        cb.capture = true;
        const Trace t = generate(*m_, prompt(), g, cb);
        QCOMPARE(t.stop_reason, std::string("cancelled"));
        QCOMPARE(t.answer_size(), std::int64_t{2});
        QVERIFY(t.capture == nullptr);  // a cancelled trace is not explained
    }
};

QTEST_APPLESS_MAIN(TestGenerationCapture)
#include "test_generation_capture.moc"
