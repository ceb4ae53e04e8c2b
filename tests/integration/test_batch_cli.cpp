// The dataset batch end to end with the embedded model: `toy manifest` + `batch` (two shards) +
// `batch-merge` give `eval`'s figures for the same seeds; arrays and overlays land per item; a run stopped
// by SIGTERM (what scancel sends) resumes without recomputing finished items; bad items are recorded; a
// run with other options is refused in the same folder; `batch-diff` tells equal runs from different ones.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/npy.h"
#include "core/util/resource_paths.h"
#include "core/util/strings.h"
#include "tests/support/cli_run.h"
#include "tests/support/test_paths.h"

using nlohmann::json;

namespace {

using sightline::test::cli;
using sightline::test::cli_path;
using Run = sightline::test::CliRun;

// The JSON without timing fields (they differ run to run).
json without_times(const json& j) {
    if (j.is_object()) {
        json out = json::object();
        for (const auto& [k, v] : j.items())
            if (k.find("time") == std::string::npos) out[k] = without_times(v);
        return out;
    }
    if (j.is_array()) {
        json out = json::array();
        for (const auto& v : j) out.push_back(without_times(v));
        return out;
    }
    return j;
}

QStringList lines_of(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
}

}  // namespace

class TestBatchCli : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString t(const QString& name) const { return tmp_.path() + "/" + name; }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(sightline::file_exists(sightline::default_model_dir() + "/model.safetensors"),
                 "the embedded model is part of the repository");
    }

    void batch_and_merge_reproduce_eval() {
        const QString seeds = "1000300000";
        Run r = cli({"toy", "manifest", "--n", "8", "--first-seed", seeds, "--out", t("toy")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(lines_of(t("toy/manifest.jsonl")).size(), 8);
        const QStringList common = {"--methods", "attention,relevancy,tam", "--threads", "1"};
        r = cli(QStringList{"eval", "--n", "8", "--first-seed", seeds, "--json"} + common);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const json eval = r.j();
        QVERIFY(eval["n_object_targets"].get<int>() > 0);
        for (const QString shard : {"0/2", "1/2"}) {
            QStringList args{"batch",   "--manifest", t("toy/manifest.jsonl"), "--out", t("b"),
                             "--shard", shard};
            if (shard == "0/2") args << "--png";
            r = cli(args + common + QStringList{"--json"});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QCOMPARE(r.j()["computed"].get<int>(), 4);
        }
        // --png is part of the run record: shard 1 ran without it, so the merge refuses the pair.
        r = cli({"batch-merge", "--out", t("b")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("png differ"), qPrintable(r.err));
        QDir(t("b/shards")).remove("shard-1-of-2.jsonl");
        r = cli(QStringList{"batch", "--manifest", t("toy/manifest.jsonl"), "--out", t("b"), "--shard", "1/2",
                            "--png", "--quiet"} +
                common);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = cli({"batch-merge", "--out", t("b"), "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const json merged = r.j();
        QCOMPARE(without_times(merged["explanations"]), without_times(eval));
        QCOMPARE(merged["items"].get<int>(), 8);
        QCOMPARE(merged["errors"].get<int>(), 0);
        QVERIFY(merged["accuracy"]["expected"].get<int>() == 8);
        QVERIFY(merged["timing"]["merge_seconds"].get<double>() >= 0);

        // Every item has its record, its arrays ([12, 12] maps of the embedded model) and overlays.
        const QStringList results = lines_of(t("b/results.jsonl"));
        QCOMPARE(results.size(), 8);
        const json first = json::parse(results[0].toStdString());
        QCOMPARE(first["id"].get<std::string>(), std::string("s1000300000"));
        const std::string dir = t("b").toStdString() + "/" + first["dir"].get<std::string>();
        QVERIFY(sightline::file_exists(dir + "/item.json"));
        const int k = first["targets"][0].get<int>();
        const auto map = sightline::read_npy(sightline::cat(dir, "/attention_t", k, "_map.npy"));
        QCOMPARE(map.shape, (std::vector<std::int64_t>{12, 12}));
        QVERIFY(sightline::file_exists(sightline::cat(dir, "/tam_t", k, ".png")));

        // A second, uninterrupted run split one way computes the same.
        r = cli(QStringList{"batch", "--manifest", t("toy/manifest.jsonl"), "--out", t("one"), "--shard",
                            "0/1", "--png", "--quiet"} +
                common);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(cli({"batch-merge", "--out", t("one")}).code, 0);
        r = cli({"batch-diff", t("b"), t("one")});
        QVERIFY2(r.code == 0, qPrintable(r.out));
        QVERIFY(r.out.contains("the same results"));
        // Options that change results are refused in a folder of another run.
        r = cli({"batch", "--manifest", t("toy/manifest.jsonl"), "--out", t("one"), "--shard", "0/1",
                 "--methods", "attention", "--png", "--quiet"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("belongs to a different run (methods differ)"), qPrintable(r.err));
        r = cli(
            {"batch", "--manifest", t("toy/manifest.jsonl"), "--out", t("one"), "--shard", "0/2", "--quiet"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("the shards of a 1-shard run"), qPrintable(r.err));
    }

    void stopped_runs_resume_and_bad_items_are_recorded() {
        Run r = cli({"toy", "manifest", "--n", "6", "--first-seed", "1000300100", "--out", t("r")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // Two bad items: an image that is not there, and ground truth of the wrong size.
        QFile m(t("r/manifest.jsonl"));
        QVERIFY(m.open(QIODevice::Append));
        m.write(json({{"id", "missing"}, {"image", "images/none.png"}, {"prompt", "What is it?"}})
                    .dump()
                    .c_str());
        m.write("\n");
        const json wrong_size = {
            {"images", {{{"id", 1}, {"width", 10}, {"height", 10}}}},
            {"categories", {{{"id", 1}, {"name", "x"}}}},
            {"annotations", {{{"image_id", 1}, {"category_id", 1}, {"bbox", {0, 0, 2, 2}}}}}};
        m.write(json({{"id", "badtruth"},
                      {"image", "images/1000300100.png"},
                      {"prompt", "What is it?"},
                      {"truth", wrong_size}})
                    .dump()
                    .c_str());
        m.write("\n");
        m.close();
        const QStringList args = {
            "batch", "--manifest", t("r/manifest.jsonl"),     "--out",     t("rs"), "--shard",
            "0/1",   "--methods",  "attention,relevancy,tam", "--threads", "1"};
        // Stop it (SIGTERM, as scancel does) once two items have started.
        QProcess p;
        p.start(cli_path(), args);
        QVERIFY(p.waitForStarted());
        const QString journal = t("rs/shards/shard-0-of-1.started");
        QElapsedTimer wait;
        wait.start();
        while (lines_of(journal).size() < 2 && wait.elapsed() < 120000) QTest::qWait(20);
        QVERIFY(lines_of(journal).size() >= 2);
        p.terminate();
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 143);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("run the same command to go on"));
        const int kept = lines_of(t("rs/shards/shard-0-of-1.jsonl")).size() - 1;  // minus the header
        QVERIFY2(kept < 8, "the run was stopped before the end");
        QVERIFY(QDir(t("rs/items")).entryList({".*.partial-*"}, QDir::Dirs | QDir::Hidden).isEmpty());

        r = cli(args + QStringList{"--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(r.j()["skipped"].get<int>(), kept);
        QCOMPARE(r.j()["computed"].get<int>() + r.j()["errors"].get<int>(), 8 - kept);
        QCOMPARE(r.j()["errors"].get<int>(), 2);
        // Each item started once, except at most the one in progress when the run was stopped.
        std::map<QString, int> starts;
        for (const auto& id : lines_of(journal)) ++starts[id];
        int twice = 0;
        for (const auto& [id, n] : starts) {
            QVERIFY2(n <= 2, qPrintable(id));
            twice += n == 2 ? 1 : 0;
        }
        QVERIFY(twice <= 1);
        QCOMPARE(static_cast<int>(starts.size()), 8);

        r = cli({"batch-merge", "--out", t("rs"), "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const json s = r.j();
        QCOMPARE(s["items"].get<int>(), 8);
        QCOMPARE(s["errors"].get<int>(), 2);
        std::map<std::string, std::string> errors;
        for (const auto& e : s["error_items"])
            errors[e["id"].get<std::string>()] = e["error"].get<std::string>();
        QVERIFY(errors["missing"].find("none.png") != std::string::npos);
        QVERIFY(errors["badtruth"].find("10x10 but the image is 96x96") != std::string::npos);

        // The same manifest uninterrupted: the same results.
        r = cli({"batch", "--manifest", t("r/manifest.jsonl"), "--out", t("ru"), "--methods",
                 "attention,relevancy,tam", "--threads", "1", "--quiet"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(cli({"batch-merge", "--out", t("ru")}).code, 0);
        r = cli({"batch-diff", t("rs"), t("ru")});
        QVERIFY2(r.code == 0, qPrintable(r.out));
        // A different result is reported as such.
        QFile f(t("ru/results.jsonl"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QString text = QString::fromUtf8(f.readAll());
        f.close();
        text.replace("\"correct\":true", "\"correct\":false");
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text.toUtf8());
        f.close();
        r = cli({"batch-diff", t("rs"), t("ru")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains("/correct: true vs false"), qPrintable(r.out));
    }

    void clear_errors() {
        Run r = cli({"batch", "--manifest", t("nothing.jsonl"), "--out", t("x")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("nothing.jsonl"), qPrintable(r.err));
        QVERIFY(sightline::file_exists(t("toy/manifest.jsonl").toStdString()));
        r = cli({"batch", "--manifest", t("toy/manifest.jsonl"), "--out", t("x"), "--shard", "3/2"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("0 <= I < N"), qPrintable(r.err));
        r = cli({"batch", "--manifest", t("toy/manifest.jsonl"), "--out", t("x"), "--targets", "nouns"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("answer-words, all or first"), qPrintable(r.err));
        r = cli({"batch", "--manifest", t("toy/manifest.jsonl"), "--out", t("x"), "--methods", "nope",
                 "--quiet"});
        QCOMPARE(r.code, 1);
        r = cli({"batch-merge", "--out", t("empty")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no shard results"), qPrintable(r.err));
        r = cli({"batch-diff", t("b")});
        QCOMPARE(r.code, 2);
    }
};

QTEST_GUILESS_MAIN(TestBatchCli)
#include "test_batch_cli.moc"
