// sightline-cli end to end: the exact command forms of the issues, their JSON outputs, fixtures, the
// embedded model (or a tiny model when it is absent), the plugin method, and clear errors.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>

#include "core/util/files.h"
#include "core/util/npy.h"
#include "core/util/resource_paths.h"
#include "core/util/strings.h"
#include "tests/support/cli_run.h"
#include "tests/support/file_size_limit.h"
#include "tests/support/test_paths.h"
#include "tests/support/tiny_models.h"

using nlohmann::json;

namespace {

using sightline::test::cli;
using Run = sightline::test::CliRun;

}  // namespace

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString model_;  // embedded model, or a tiny one
    bool embedded_ = false;

  private Q_SLOTS:
    void initTestCase() {
        const std::string dir = sightline::default_model_dir();
        embedded_ = sightline::file_exists(dir + "/model.safetensors");
        if (embedded_) {
            model_ = QString::fromStdString(dir);
        } else {
            sightline::test::TinySpec spec;
            model_ = QString::fromStdString(
                sightline::test::write_tiny_model((tmp_.path() + "/tiny").toStdString(), spec));
        }
    }

    void generate_stories260k_json() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const Run r =
            cli({"generate", "--model", QString::fromStdString(sightline::test::fixture("stories260K")),
                 "--prompt-ids", "1", "--max-new-tokens", "8", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const json j = r.j();
        QCOMPARE(j["input_ids"], json::array({1}));
        QCOMPARE(j["output_ids"], json::array({461, 461, 401, 401, 401, 461, 378, 455}));
        for (const char* k : {"load_ms", "prefill_ms", "decode_ms"}) QVERIFY(j[k].get<double>() >= 0);
        QVERIFY(!j.contains("output_text"));  // no tokenizer ships with it
        QCOMPARE(j["int8_weights"].get<bool>(), false);
        // int8 weights: the compute dtype stays the automatic one, and the output says the weights are int8.
        const Run q =
            cli({"generate", "--model", QString::fromStdString(sightline::test::fixture("stories260K")),
                 "--prompt-ids", "1", "--max-new-tokens", "2", "--dtype", "int8", "--json"});
        QVERIFY2(q.code == 0, qPrintable(q.err));
        QCOMPARE(q.j()["int8_weights"].get<bool>(), true);
        QCOMPARE(q.j()["dtype"], j["dtype"]);
    }

    void tokenize_both_kinds() {
        SIGHTLINE_REQUIRE_FIXTURES();
        Run r = cli({"tokenize", "--tokenizer",
                     QString::fromStdString(sightline::test::fixture("tokenizers/qwen/tokenizer.json")),
                     "--text", "Hello, world!", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.j()["ids"], json::array({9707, 11, 1879, 0}));
        QCOMPARE(r.j()["tokens"].size(), std::size_t{4});
        r = cli({"tokenize", "--tokenizer",
                 QString::fromStdString(sightline::test::fixture("tokenizers/llama2/tokenizer.model")),
                 "--text", "Hello, world!", "--json", "--add-special-tokens"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.j()["ids"], json::array({1, 15043, 29892, 3186, 29991}));
    }

    void bench_json() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const Run r =
            cli({"bench", "--model", QString::fromStdString(sightline::test::fixture("stories260K")),
                 "--json", "--repeats", "1", "--new-tokens", "8"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const json j = r.j();
        for (const char* k :
             {"load_ms", "prefill_tokens_per_s", "decode_tokens_per_s", "peak_rss_bytes", "threads"})
            QVERIFY2(j[k].get<double>() > 0, k);
        QVERIFY(!j["blas"].get<std::string>().empty());
        // The allocator the build linked is the one serving the process (tcmalloc unless unavailable).
        QCOMPARE(QString::fromStdString(j["allocator"].get<std::string>()),
                 QStringLiteral(SIGHTLINE_EXPECTED_ALLOCATOR));
    }

    void bench_explain_clicks_need_no_capture_pass() {
        const Run r = cli({"bench", "--model", model_, "--json", "--repeats", "0", "--new-tokens", "3",
                           "--explain", "--methods", "attention,tam,relevancy"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const json e = r.j()["explain"];
        QVERIFY(e["capture_recorded"].get<bool>());
        QCOMPARE(e["answer_tokens"].get<int>(), 3);
        for (const char* m : {"attention", "tam", "relevancy"}) {
            QVERIFY2(e["methods"][m]["first_click_ms"].get<double>() > 0, m);
            QVERIFY2(e["methods"][m]["further_click_ms"].get<double>() > 0, m);
        }
        // Attention and TAM read what generation recorded: no forward pass of their own.
        QCOMPARE(e["methods"]["attention"]["full_passes"].get<int>(), 0);
        QCOMPARE(e["methods"]["tam"]["full_passes"].get<int>(), 0);
        QVERIFY(r.j()["anon_rss_bytes"].get<double>() > 0);
    }

    void generate_fixture_families_greedy_ids() {
        // Each fixture checkpoint (PaliGemma: prefix-LM; Gemma 3: pooled tokens, sliding window; LLaVA-NeXT
        // and OneVision: tiled images; SmolVLM: crops and a global view; Qwen2-VL and Qwen2.5-VL: merged
        // patches, M-RoPE) returns transformers' 16 greedy ids from the command line (--no-stop: SmolVLM's
        // 16th id is its end-of-sequence token).
        SIGHTLINE_REQUIRE_FIXTURES();
        for (const char* family :
             {"paligemma", "gemma3", "llava_next", "llava_onevision", "smolvlm", "qwen2_vl", "qwen2_5_vl"}) {
            const std::string dir = sightline::test::fixture(std::string("hf_vlm/") + family);
            const json ref = json::parse(sightline::read_text_file(dir + "/reference.json"));
            QStringList ids;
            for (const auto& id : ref["input_ids"]) ids << QString::number(id.get<std::int64_t>());
            const Run r =
                cli({"generate", "--model", QString::fromStdString(dir), "--image",
                     QString::fromStdString(sightline::test::fixture("hf_vlm/image.png")), "--prompt-ids",
                     ids.join(","), "--max-new-tokens", "16", "--no-stop", "--json"});
            QVERIFY2(r.code == 0, qPrintable(family + (": " + r.err)));
            QVERIFY2(r.j()["output_ids"] == ref["greedy_ids"], family);
        }
    }

    void bench_cancel_measures_every_stage() {
        // A flag raised as each stage begins (delay 0) stops it: every stage reports a latency (or, when the
        // stage ended first, says so), and a bad delay list is refused with a clear message.
        const Run r =
            cli({"bench", "--model", model_, "--json", "--repeats", "0", "--cancel", "--cancel-delays", "0"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const json j = r.j();
        QStringList stages;
        int cancelled = 0;
        for (const auto& st : j["cancel"]) {
            stages << QString::fromStdString(st["stage"].get<std::string>());
            for (const auto& run : st["runs"]) {
                QVERIFY(run.contains("latency_ms") != run.contains("finished"));
                if (run.contains("latency_ms")) {
                    ++cancelled;
                    QVERIFY(run["latency_ms"].get<double>() >= 0);
                    QVERIFY(run["latency_ms"].get<double>() < 10000);
                }
            }
        }
        QCOMPARE(stages.join(", "), QString("loading weights, vision encoding, prefill, decode, backward"));
        QVERIFY(cancelled >= 3);  // prefill, decode and backward run long enough on every model here
        const Run bad =
            cli({"bench", "--model", model_, "--repeats", "0", "--cancel", "--cancel-delays", "1,x"});
        QVERIFY(bad.code != 0);
        QVERIFY2(bad.err.contains("--cancel-delays"), qPrintable(bad.err));
    }

    // --system and --turns go through the model's chat template (prompt_text in --json); info checks that
    // the template renders; an unsupported construct falls back with a warning naming it and its line.
    void chat_template_conversation_and_fallback() {
        const QString turns = tmp_.path() + "/turns.json";
        QFile f(turns);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"([{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi"}])");
        f.close();
        Run r = cli({"generate", "--model", model_, "--prompt", "what color is the star?", "--system",
                     "Be brief.", "--turns", turns, "--max-new-tokens", "2", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const std::string prompt = r.j()["prompt_text"].get<std::string>();
        if (embedded_)
            QCOMPARE(QString::fromStdString(prompt),
                     QString("Be brief. USER: Hello ASSISTANT: Hi USER: what color is the star? ASSISTANT:"));
        QVERIFY(prompt.find("Be brief.") != std::string::npos && prompt.find("Hello") != std::string::npos);
        QCOMPARE(r.j()["template_warning"].get<std::string>(), std::string());
        r = cli({"info", "--model", model_, "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.j()["chat_template_check"]["renders"].get<bool>());

        sightline::test::TinySpec spec;
        const std::string broken =
            sightline::test::write_tiny_model((tmp_.path() + "/broken").toStdString(), spec);
        QFile t(QString::fromStdString(broken) + "/chat_template.json");
        QVERIFY(t.open(QIODevice::WriteOnly | QIODevice::Truncate));
        t.write(
            R"({"chat_template": "{% for m in messages %}\n{% include 'turn.jinja' %}{% endfor %}USER:"})");
        t.close();
        r = cli({"generate", "--model", QString::fromStdString(broken), "--prompt", "hi", "--max-new-tokens",
                 "1", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString warning = QString::fromStdString(r.j()["template_warning"].get<std::string>());
        QVERIFY2(warning.contains("line 2") && warning.contains("include"), qPrintable(warning));
        QCOMPARE(QString::fromStdString(r.j()["prompt_text"].get<std::string>()),
                 QString("USER: hi ASSISTANT:"));
        r = cli({"info", "--model", QString::fromStdString(broken), "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(!r.j()["chat_template_check"]["renders"].get<bool>());
        QVERIFY(r.j()["chat_template_check"]["error"].get<std::string>().find("include") !=
                std::string::npos);
    }

    void full_disk_fails_loudly_and_leaves_no_file() {
        // explain --out on a full disk (a 4 KB file-size limit: writes fail with EFBIG as they would
        // with ENOSPC): a non-zero exit naming the file and the reason, no truncated file left.
        const QString out = tmp_.path() + "/full_disk";
        const auto limited = [](QProcess& p) {
            p.setChildProcessModifier([] { sightline::test::FileSizeLimit::apply_in_child(4096); });
        };
        Run r = cli({"explain", "--model", model_, "--scene", "1000000005:color", "--method",
                     "attention,relevancy", "--all-targets", "--out", out, "--json"},
                    300000, limited);
        QVERIFY2(r.code != 0, qPrintable(r.out.left(200)));
        QVERIFY2(r.err.contains("File too large") && r.err.contains(out), qPrintable(r.err));
        for (const QFileInfo& f : QDir(out).entryInfoList(QDir::Files | QDir::Hidden)) {
            QVERIFY2(!f.fileName().contains("partial"), qPrintable(f.fileName()));
            if (f.suffix() == "png") QVERIFY2(!QImage(f.filePath()).isNull(), qPrintable(f.fileName()));
        }
        QVERIFY(!QFile::exists(out + "/explanations.json"));
        // A standard output that cannot be written (a full disk behind a redirection) is an error too.
        r = cli({"toy", "scene", "--seed", "7", "--out", tmp_.path() + "/stdout_full"}, 60000,
                [](QProcess& p) { p.setStandardOutputFile("/dev/full"); });
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("standard output") && r.err.contains("No space left"), qPrintable(r.err));
    }

    void generate_with_image_and_explain() {
        const QString scene = tmp_.path() + "/scene";
        Run r = cli({"toy", "scene", "--seed", "1000000005", "--out", scene, "--task", "color"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(!QImage(scene + "/scene.png").isNull());
        QVERIFY(QFile::exists(scene + "/mask_0.png"));
        r = cli({"generate", "--model", model_, "--image", scene + "/scene.png", "--prompt",
                 "what color is the star?", "--max-new-tokens", "6", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.j().contains("output_text"));
        QCOMPARE(r.j()["grid"], json::array({embedded_ ? 12 : 4, embedded_ ? 12 : 4}));
        const QString out = tmp_.path() + "/explain";
        r = cli({"explain", "--model", model_, "--image", scene + "/scene.png", "--prompt",
                 "what color is the star?", "--method", "attention,relevancy,tam,cleann,rollout", "--target",
                 "0", "--out", out, "--json", "--max-new-tokens", "6"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const json j = r.j();
        QVERIFY(!j["answer_tokens"].empty());
        QCOMPARE(j["explanations"].size(), std::size_t{5});
        for (const auto& e : j["explanations"]) {
            const auto grid = e["grid"];
            QCOMPARE(e["image_map"].size(), grid[0].get<std::size_t>() * grid[1].get<std::size_t>());
            QVERIFY(e.contains("text_scores") && e.contains("time_ms") && e.contains("method") &&
                    e.contains("target"));
            QVERIFY(!QImage(QString::fromStdString(e["overlay_png"].get<std::string>())).isNull());
        }
        QVERIFY(QFile::exists(out + "/explanations.json"));

        // A scene by seed: its own image and question, and each map scored against the object's mask.
        r = cli({"explain", "--model", model_, "--scene", "1000000005:color", "--method", "relevancy,tam",
                 "--out", tmp_.path() + "/scene_explain", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const json sj = r.j();
        QCOMPARE(sj["scene"]["seed"].get<std::uint64_t>(), std::uint64_t{1000000005});
        QVERIFY(sj["question"].get<std::string>().find("color") != std::string::npos);
        for (const auto& e : sj["explanations"]) {
            const auto& gt = e["views"]["ground_truth"];
            QVERIFY(gt.contains("applicable"));
            // With the trained model the colour answer is right and token 0 names the object.
            if (embedded_ && gt["applicable"].get<bool>())
                for (const char* k : {"object_name", "outcome", "pointing_hit", "obj_iou"})
                    QVERIFY2(gt.contains(k), k);
            if (!gt["applicable"].get<bool>()) QVERIFY(!gt["reason"].get<std::string>().empty());
        }
        if (embedded_) QVERIFY(sj["explanations"][0]["views"]["ground_truth"]["applicable"].get<bool>());
    }

    void toy_eval_and_explainer_eval_json() {
        Run r = cli({"toy", "eval", "--model", model_, "--n", "7", "--first-seed", "1000000000", "--json",
                     "--max-new-tokens", "8"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        json j = r.j();
        QCOMPARE(j["n"].get<int>(), 7);
        QCOMPARE(j["by_task"].size(), std::size_t{7});
        QVERIFY(j.contains("overall") && j.contains("description_object_words"));
        QCOMPARE(j["relation_decoys"]["with_decoy_n"].get<int>() +
                     j["relation_decoys"]["without_decoy_n"].get<int>(),
                 j["count_by_task"]["relation"].get<int>());
        // --tasks asks only those seeds' questions (same seeds -> same questions); --failures caps the list.
        r = cli({"toy", "eval", "--model", model_, "--n", "14", "--first-seed", "1000000000", "--json",
                 "--max-new-tokens", "8", "--tasks", "relation,count", "--failures", "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        j = r.j();
        QCOMPARE(j["n"].get<int>(), 4);
        QCOMPARE(j["by_task"].size(), std::size_t{2});
        QVERIFY(j["failures"].size() <= 1);
        r = cli({"toy", "eval", "--model", model_, "--n", "7", "--tasks", "colour"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("unknown task 'colour'"), qPrintable(r.err));
        if (!embedded_)
            QSKIP("explainer evaluation needs the trained embedded model (answers must be right)");
        r = cli({"eval", "--model", model_, "--n", "4", "--first-seed", "1000000000", "--json",
                 "--faithfulness-steps", "4"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        j = r.j();
        QVERIFY(j["n_targets"].get<int>() > 0);
        for (const char* m : {"attention", "relevancy", "tam", "cleann", "random", "center"}) {
            QVERIFY2(j["methods"].contains(m), m);
            for (const char* k : {"obj_iou", "func_iou", "f1_iou", "pointing_game", "deletion_auc",
                                  "insertion_auc", "mean_time_ms"})
                QVERIFY2(j["methods"][m].contains(k), k);
            // Where the arg-max landed: five shares of the object words that add up to 1, the first being
            // the pointing game itself; and the pointing game per question type.
            const auto& o = j["methods"][m]["pointing_outcomes"];
            double total = 0;
            for (const char* k : {"hit", "target_cell", "same_word_object", "other_object", "background"}) {
                QVERIFY2(o.contains(k), k);
                total += o[k].get<double>();
            }
            QVERIFY(std::abs(total - 1.0) < 1e-9);
            QCOMPARE(o["hit"].get<double>(), j["methods"][m]["pointing_game"].get<double>());
            QVERIFY(!j["methods"][m]["pointing_by_task"].empty());
        }
        QVERIFY(j["methods"]["cleann"].contains("validated_rate"));
    }

    void clear_errors() {
        Run r = cli({"generate", "--model", tmp_.path() + "/missing", "--prompt", "hi"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("config.json"), qPrintable(r.err));
        r = cli({"generate", "--model", model_, "--prompt", "hi", "--max-new-token", "3"});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("unknown option --max-new-token"));
        r = cli({"explain", "--model", model_, "--image", tmp_.path() + "/none.png", "--prompt", "x",
                 "--method", "tam", "--out", tmp_.path()});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("none.png"));
        r = cli(
            {"explain", "--model", model_, "--prompt", "x", "--method", "telepathy", "--out", tmp_.path()});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("unknown method 'telepathy'") && r.err.contains("rollout"));
        r = cli({"explain", "--model", model_, "--prompt", "x", "--method", "tam", "--out", tmp_.path(),
                 "--params", "{\"tam\": "});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("--params is not valid JSON"), qPrintable(r.err));
        r = cli({"eval", "--model", model_, "--n", "1", "--params", "[1]"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("--params must be a JSON object"), qPrintable(r.err));
        r = cli({"toy", "train", "--out", tmp_.path() + "/never", "--focus", "10-5:color"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("empty step range"), qPrintable(r.err));
        r = cli(
            {"explain", "--model", model_, "--scene", "12:colour", "--method", "tam", "--out", tmp_.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("SEED[:TASK]"), qPrintable(r.err));
        r = cli({"explain", "--model", model_, "--scene", "12", "--prompt", "x", "--method", "tam", "--out",
                 tmp_.path()});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("drop --image/--prompt"), qPrintable(r.err));
        r = cli({"frobnicate"});
        QCOMPARE(r.code, 2);
    }

    // Numeric options are range-checked: no wrap to 1, no NaN, no absurd thread count (issue 21).
    void option_ranges() {
        const QList<QStringList> bad = {
            {"--max-new-tokens", "4294967297"}, {"--temperature", "nan"}, {"--temperature", "inf"},
            {"--threads", "100000000"},         {"--top-p", "2"},         {"--max-new-tokens", "-3"},
        };
        for (const QStringList& option : bad) {
            const Run r = cli(QStringList{"generate", "--model", model_, "--prompt", "hi"} + option);
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains(option[0]), qPrintable(option.join(' ') + ": " + r.err));
        }
    }

    // Research instruments from the command line (issue 22): .npy beside the PNGs, the lens and tracing
    // as methods, ground truth from a folder of masks, and `intervene`.
    void instruments_npy_truth_and_intervene() {
        if (!embedded_) QSKIP("needs the embedded scene-world model");
        const QString scene = tmp_.path() + "/gt";
        QCOMPARE(cli({"toy", "scene", "--seed", "1000200001", "--out", scene}).code, 0);
        QDir().mkpath(scene + "/masks");
        const json sj =
            json::parse(sightline::read_regular_file((scene + "/scene.json").toStdString(), 1 << 20, "t"));
        for (const auto& o : sj["objects"]) {
            QString name = QString::fromStdString(o["name"].get<std::string>()).replace(' ', '_');
            QVERIFY(QFile::copy(scene + "/" + QString::fromStdString(o["mask"].get<std::string>()),
                                scene + "/masks/" + name + ".png"));
        }
        const QString out = tmp_.path() + "/inst";
        const Run r =
            cli({"explain", "--image", scene + "/scene.png", "--prompt",
                 "what is the shape of the blue object?", "--method", "tam,logit_lens,causal_tracing",
                 "--params", R"({"causal_tracing": {"samples": 1, "text": false, "region": 4}})", "--truth",
                 scene + "/masks", "--out", out, "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const json j = r.j();
        const Run s =
            cli({"explain", "--scene", "1000200001:shape", "--method", "tam", "--out", out + "2", "--json"});
        QCOMPARE(s.code, 0);
        // The masks folder scores the map exactly as the scene world does.
        QCOMPARE(j["explanations"][0]["views"]["ground_truth"],
                 s.j()["explanations"][0]["views"]["ground_truth"]);
        for (const auto& e : j["explanations"]) {
            QVERIFY(e["views"].contains("ground_truth"));
            QVERIFY(!e["arrays"].empty());
            const auto map = sightline::read_npy(e["arrays"][0].get<std::string>());  // _map.npy
            QCOMPARE(map.shape, (std::vector<std::int64_t>{j["grid"][0].get<std::int64_t>(),
                                                           j["grid"][1].get<std::int64_t>()}));
        }
        QVERIFY(j["explanations"][2]["views"].contains("layer_positions"));
        QVERIFY(QFile::exists(out + "/causal_tracing_t0_effects_resid.npy"));
        // intervene: the whole image's embeddings set to their mean changes the answer.
        QStringList all;
        for (int row = 0; row < j["grid"][0].get<int>(); ++row)
            for (int col = 0; col < j["grid"][1].get<int>(); ++col) all << QString("%1,%2").arg(row).arg(col);
        const Run k =
            cli({"intervene", "--scene", "1000200001", "--patches", all.join(';'), "--op", "mean", "--json"});
        QVERIFY2(k.code == 0, qPrintable(k.err));
        const json kj = k.j();
        QVERIFY(kj["answer_changed"].get<bool>());
        QVERIFY(kj["p_after"].get<double>() < kj["p_before"].get<double>());
        const Run o = cli(
            {"intervene", "--scene", "1000200001", "--object", "--op", "block", "--window", "2", "--json"});
        QVERIFY2(o.code == 0, qPrintable(o.err));
        QCOMPARE(o.j()["per_layer"]["p"].size(), std::size_t{3});  // 4 layers, windows of 2
        const Run bad = cli({"intervene", "--scene", "1000200001", "--positions", "99999"});
        QCOMPARE(bad.code, 1);
        QVERIFY(bad.err.contains("out of range"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
