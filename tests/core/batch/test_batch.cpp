// Dataset batch runs without a model: manifests (fields, paths, bad lines), shards (I/N, Slurm's
// environment), COCO RLE masks (hand-decoded), shard files (torn tails), the per-answer scores' JSON, the
// merged summary's sums (hand-computed), the merge's refusals and the run comparison.
#include <QTemporaryDir>
#include <QtTest>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/batch/batch_merge.h"
#include "core/batch/batch_run.h"
#include "core/batch/manifest.h"
#include "core/eval/answer_scoring.h"
#include "core/eval/image_truth.h"
#include "core/util/files.h"
#include "core/util/strings.h"
#include "tests/support/error_of.h"

using nlohmann::json;
using namespace sightline;
using namespace sightline::batch;

namespace {

std::string line(const json& j) {
    return j.dump() + "\n";
}

// A record of a scored answer: one object word ("red", object 0) and one function word, for one method.
json scored_record(int index, const std::string& id, double obj_iou, bool hit, const std::string& outcome,
                   double func_iou, bool correct, const std::string& group) {
    const json targets = json::array(
        {{{"index", 0},
          {"token", "red"},
          {"word", "red"},
          {"kind", "object"},
          {"object", 0},
          {"object_label", "red ball"},
          {"methods",
           {{"m", {{"time_ms", 10.0}, {"obj_iou", obj_iou}, {"pointing", hit}, {"outcome", outcome}}}}}},
         {{"index", 1},
          {"token", "is"},
          {"word", "is"},
          {"kind", "function"},
          {"methods", {{"m", {{"time_ms", 30.0}, {"func_iou", func_iou}}}}}}});
    return {{"index", index},
            {"id", id},
            {"answer", "red is"},
            {"correct", correct},
            {"group", group},
            {"scores", {{"group", group}, {"faithfulness_skipped", 0}, {"targets", targets}}},
            {"seconds", 2.0},
            {"started_at", 100.0 + index},
            {"finished_at", 102.0 + index}};
}

json header(int shard, int shards, const json& run) {
    return {
        {"format", "sightline-batch"}, {"version", 1}, {"shard", shard}, {"shards", shards}, {"run", run}};
}

json a_run(int items) {
    return {{"manifest", {{"sha256", "abc"}, {"items", items}}},
            {"model", {{"identity", "m1"}}},
            {"methods", {"m"}}};
}

}  // namespace

class TestBatch : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    std::string path(const std::string& name) const { return tmp_.path().toStdString() + "/" + name; }

  private Q_SLOTS:
    void manifest_fields_paths_and_bad_lines() {
        make_dirs(path("data"));
        const std::string text =
            line({{"id", "a1"},
                  {"image", "img/a.png"},
                  {"prompt", "What is it?"},
                  {"expected", "a cat"},
                  {"truth", "truth/a.json"},
                  {"group", "animals"},
                  {"seed", 5}}) +
            "\n" +  // blank lines are skipped
            line({{"image", "/abs/b.png"}, {"question", "Q?"}, {"answer", "x"}, {"task", "color"}}) +
            "{not json\n" + line({{"id", "a1"}, {"image", "c.png"}, {"prompt", "dup"}}) +
            line({{"id", "bad/id"}, {"image", "d.png"}, {"prompt", "p"}}) +
            line({{"id", 7}, {"prompt", "p"}}) +
            line({{"image", "e.png"}, {"prompt", "p"}, {"answer_words", json::array()}}) +
            line({{"id", 8}, {"image", "f.png"}, {"prompt", "p"}, {"truth", {{"images", json::array()}}}});
        write_file_atomic(path("data/m.jsonl"), text, "test");
        const Manifest m = read_manifest(path("data/m.jsonl"));
        QCOMPARE(m.items.size(), std::size_t{8});
        QCOMPARE(m.sha256.size(), std::size_t{64});
        const auto& a = m.items[0];
        QCOMPARE(a.id, std::string("a1"));
        QCOMPARE(a.image, path("data/img/a.png"));
        QCOMPARE(a.truth.get<std::string>(), path("data/truth/a.json"));
        QCOMPARE(*a.expected, std::string("a cat"));
        QCOMPARE(a.group, std::string("animals"));
        QCOMPARE(a.seed, std::uint64_t{5});
        QVERIFY(a.error.empty());
        const auto& b = m.items[1];  // second item, file line 3
        QCOMPARE(b.id, std::string("item-3"));
        QCOMPARE(b.line, 3);
        QCOMPARE(b.index, 1);
        QCOMPARE(b.image, std::string("/abs/b.png"));
        QCOMPARE(b.prompt, std::string("Q?"));
        QCOMPARE(*b.expected, std::string("x"));
        QCOMPARE(b.group, std::string("color"));
        QVERIFY(b.seed != 0);  // from the id
        QVERIFY(m.items[2].error.find("line 4") != std::string::npos);
        QVERIFY(m.items[3].error.find("used by an earlier item") != std::string::npos);
        QCOMPARE(m.items[3].id, std::string("item-5"));
        QVERIFY(m.items[4].error.find("folder name") != std::string::npos);
        QVERIFY(m.items[5].error.find("\"image\" is missing") != std::string::npos);
        QVERIFY(m.items[6].error.find("needs \"expected\"") != std::string::npos);
        QVERIFY(m.items[7].error.empty());
        QVERIFY(m.items[7].truth.is_object());
        QVERIFY(valid_item_id("s1000200000") && valid_item_id("a.b_c-d") && !valid_item_id(".hidden") &&
                !valid_item_id("") && !valid_item_id("a b") && !valid_item_id(std::string(129, 'a')));

        write_file_atomic(path("data/empty.jsonl"), "\n\n", "test");
        QVERIFY(test::error_of([&] { read_manifest(path("data/empty.jsonl")); }).find("no items") !=
                std::string::npos);
        QVERIFY(!test::error_of([&] { read_manifest(path("data/none.jsonl")); }).empty());
    }

    void answer_words_become_spans() {
        make_dirs(path("aw"));
        const json coco = {
            {"images", {{{"id", 1}, {"file_name", "x.png"}, {"width", 4}, {"height", 2}}}},
            {"categories", {{{"id", 1}, {"name", "red ball"}}, {{"id", 2}, {"name", "blue box"}}}},
            {"annotations",
             {{{"image_id", 1}, {"category_id", 1}, {"bbox", {0, 0, 2, 2}}},
              {{"image_id", 1}, {"category_id", 2}, {"bbox", {2, 0, 2, 2}}}}}};
        ManifestItem it;
        it.id = "x";
        it.image = "x.png";
        it.expected = "a blue box";
        it.truth = coco;
        it.seed = 9;
        it.group = "g";
        it.answer_words = json::array({{{"begin", 0}, {"end", 1}, {"kind", "function"}},
                                       {{"begin", 2}, {"end", 6}, {"object", "blue box"}},
                                       {{"begin", 7}, {"end", 10}, {"kind", "object"}, {"object", 1}}});
        const AnswerTruth t = item_truth(it, 4, 2);
        QCOMPARE(t.image.objects.size(), std::size_t{2});
        QCOMPARE(t.spans.size(), std::size_t{3});
        QVERIFY(t.spans[0].kind == AnswerWordSpan::Kind::Function);
        QVERIFY(t.spans[1].kind == AnswerWordSpan::Kind::Object && t.spans[1].object == 1);
        QCOMPARE(t.spans[2].object, 1);
        QCOMPARE(t.expected, std::string("a blue box"));
        QCOMPARE(t.seed, std::uint64_t{9});
        it.answer_words = json::array({{{"begin", 2}, {"end", 40}, {"object", 0}}});
        QVERIFY(test::error_of([&] { item_truth(it, 4, 2); }).find("not inside the expected answer") !=
                std::string::npos);
        it.answer_words = json::array({{{"begin", 2}, {"end", 6}, {"object", "green"}}});
        QVERIFY(test::error_of([&] { item_truth(it, 4, 2); }).find("no object is labelled") !=
                std::string::npos);
        it.answer_words = json::array({{{"begin", 2}, {"end", 6}, {"object", 2}}});
        QVERIFY(test::error_of([&] { item_truth(it, 4, 2); }).find("not among the 2 objects") !=
                std::string::npos);
        QVERIFY(test::error_of([&] { item_truth(it, 5, 2); }).find("4x2 but the image is 5x2") !=
                std::string::npos);
    }

    void shards_and_slurm_environment() {
        const Shard s = parse_shard("1/4");
        QCOMPARE(s.index, 1);
        QCOMPARE(s.count, 4);
        QVERIFY(s.owns(1) && s.owns(5) && !s.owns(4));
        QCOMPARE(s.name(), std::string("shard-1-of-4"));
        for (const char* bad : {"4/4", "-1/4", "1", "a/b", "1/0", "1/4x", ""})
            QVERIFY2(!test::error_of([&] { parse_shard(bad); }).empty(), bad);
        unsetenv("SLURM_ARRAY_TASK_ID");
        unsetenv("SLURM_ARRAY_TASK_COUNT");
        unsetenv("SLURM_ARRAY_TASK_MIN");
        QVERIFY(!shard_from_slurm_environment());
        setenv("SLURM_ARRAY_TASK_ID", "3", 1);
        setenv("SLURM_ARRAY_TASK_COUNT", "4", 1);
        auto e = shard_from_slurm_environment();
        QVERIFY(e && e->index == 3 && e->count == 4);
        setenv("SLURM_ARRAY_TASK_ID", "5", 1);
        setenv("SLURM_ARRAY_TASK_MIN", "2", 1);  // --array=2-5
        e = shard_from_slurm_environment();
        QVERIFY(e && e->index == 3 && e->count == 4);
        setenv("SLURM_ARRAY_TASK_ID", "9", 1);
        QVERIFY(test::error_of([] { shard_from_slurm_environment(); }).find("--array=0-3") !=
                std::string::npos);
        unsetenv("SLURM_ARRAY_TASK_ID");
        unsetenv("SLURM_ARRAY_TASK_COUNT");
        unsetenv("SLURM_ARRAY_TASK_MIN");
    }

    void coco_rle_masks_by_hand() {
        // 3 wide, 2 high; runs down the columns: 1 background (0,0), 2 object (1,0), (0,1), 3 background.
        cv::Mat m = coco_rle_mask({{"size", {2, 3}}, {"counts", {1, 2, 3}}}, 3, 2);
        QCOMPARE(cv::countNonZero(m), 2);
        QCOMPARE(m.at<std::uint8_t>(1, 0), std::uint8_t{255});
        QCOMPARE(m.at<std::uint8_t>(0, 1), std::uint8_t{255});
        QCOMPARE(m.at<std::uint8_t>(0, 0), std::uint8_t{0});
        QCOMPARE(coco_rle_counts(m), (std::vector<std::int64_t>{1, 2, 3}));
        // Compressed: one character per small count ('1' = 49 - 48 = 1); the first three counts are raw.
        cv::Mat c = coco_rle_mask({{"size", {2, 3}}, {"counts", "123"}}, 3, 2);
        QCOMPARE(cv::countNonZero(c != m), 0);
        // From the fourth count on, each is a difference to the count two before it: counts 1, 4, 1, then
        // 'N' = 78 - 48 = 30 = 0b11110 with the sign bit 0x10 -> -2, so 4 - 2 = 2.
        cv::Mat n = coco_rle_mask({{"size", {1, 8}}, {"counts", "141N"}}, 8, 1);
        QCOMPARE(cv::countNonZero(n), 6);
        QCOMPARE(n.at<std::uint8_t>(0, 5), std::uint8_t{0});
        QCOMPARE(n.at<std::uint8_t>(0, 6), std::uint8_t{255});
        // A count of 40 needs two characters: 40 = 8 + 32 * 1 -> (8 | 0x20) + 48 = 'X', then 1 + 48 = '1'.
        cv::Mat big = coco_rle_mask({{"size", {1, 41}}, {"counts", "0X11"}}, 41, 1);
        QCOMPARE(cv::countNonZero(big), 40);
        QVERIFY(test::error_of([] {
                    coco_rle_mask({{"size", {2, 3}}, {"counts", {1, 2}}}, 3, 2);
                }).find("cover 3") != std::string::npos);
        QVERIFY(test::error_of([] {
                    coco_rle_mask({{"size", {3, 2}}, {"counts", {6}}}, 3, 2);
                }).find("[height, width]") != std::string::npos);
        QVERIFY(!test::error_of([] {
                     coco_rle_mask({{"size", {2, 3}}, {"counts", {-1, 7}}}, 3, 2);
                 }).empty());
        QVERIFY(test::error_of([] {
                    coco_rle_mask({{"size", {2, 3}}, {"counts", "a"}}, 3, 2);
                }).find("malformed") != std::string::npos);
    }

    void shard_file_torn_tail_and_errors() {
        make_dirs(path("sf"));
        const std::string good = line(header(0, 1, a_run(3))) + line({{"index", 0}, {"id", "a"}});
        write_file_atomic(path("sf/s.jsonl"), good + "{\"index\": 1, \"id\"", "test");
        ShardFile f = read_shard_file(path("sf/s.jsonl"));
        QCOMPARE(f.records.size(), std::size_t{1});
        QVERIFY(f.torn_tail);
        QCOMPARE(f.good_bytes, std::uint64_t{good.size()});
        write_file_atomic(path("sf/s.jsonl"), good + "garbage\n",
                          "test");  // cut at a newline, still unreadable
        f = read_shard_file(path("sf/s.jsonl"));
        QVERIFY(f.torn_tail && f.records.size() == 1);
        write_file_atomic(path("sf/s.jsonl"), good + "garbage\n" + line({{"index", 2}, {"id", "c"}}), "test");
        QVERIFY(test::error_of([&] { read_shard_file(path("sf/s.jsonl")); }).find("line 3") !=
                std::string::npos);
        write_file_atomic(path("sf/s.jsonl"), line({{"index", 0}, {"id", "a"}}), "test");
        QVERIFY(test::error_of([&] { read_shard_file(path("sf/s.jsonl")); }).find("header") !=
                std::string::npos);
    }

    void scores_json_round_trip() {
        const json rec = scored_record(0, "a", 0.5, true, "hit", 0.75, true, "color");
        const AnswerScores s = answer_scores_from_json(rec["scores"]);
        QCOMPARE(s.targets.size(), std::size_t{2});
        QCOMPARE(s.targets[0].target.object, 0);
        QVERIFY(s.targets[1].target.function);
        QCOMPARE(*s.targets[0].methods.at("m").obj_iou, 0.5);
        QCOMPARE(answer_scores_to_json(s), rec["scores"]);
        json bad = rec["scores"];
        bad["targets"][0]["kind"] = "verb";
        QVERIFY(test::error_of([&] { answer_scores_from_json(bad); }).find("targets[0]") !=
                std::string::npos);
    }

    void summary_sums_by_hand() {
        // Two answered items and a bad one. Obj-IoU (0.5 + 0.25) / 2, pointing 1 of 2, Func-IoU (0.75 + 0.25)
        // / 2, F1 = 2 * 0.375 * 0.5 / 0.875; time over all four targets (10 + 30 + 10 + 30) / 4; accuracy 1
        // of 2.
        const std::vector<json> records = {
            scored_record(0, "a", 0.5, true, "hit", 0.75, true, "color"),
            scored_record(1, "b", 0.25, false, "background", 0.25, false, "shape"),
            {{"index", 2},
             {"id", "c"},
             {"error", "no such file"},
             {"seconds", 0.5},
             {"started_at", 90.0},
             {"finished_at", 90.5}}};
        const json s = summarize_records(records);
        QCOMPARE(s["items"].get<int>(), 3);
        QCOMPARE(s["errors"].get<int>(), 1);
        QCOMPARE(s["error_items"][0]["error"].get<std::string>(), std::string("no such file"));
        QCOMPARE(s["accuracy"]["correct"].get<int>(), 1);
        QCOMPARE(s["accuracy"]["rate"].get<double>(), 0.5);
        QCOMPARE(s["accuracy"]["by_group"]["shape"]["rate"].get<double>(), 0.0);
        const json& m = s["explanations"]["methods"]["m"];
        QCOMPARE(m["obj_iou"].get<double>(), 0.375);
        QCOMPARE(m["pointing_game"].get<double>(), 0.5);
        QCOMPARE(m["func_iou"].get<double>(), 0.5);
        QVERIFY(std::abs(m["f1_iou"].get<double>() - 2 * 0.375 * 0.5 / 0.875) < 1e-12);
        QCOMPARE(m["mean_time_ms"].get<double>(), 20.0);
        QCOMPARE(m["pointing_outcomes"]["background"].get<double>(), 0.5);
        QCOMPARE(m["pointing_by_task"]["color"]["pointing_game"].get<double>(), 1.0);
        QCOMPARE(s["explanations"]["scenes"].get<int>(), 2);
        QCOMPARE(s["explanations"]["scenes_used"].get<int>(), 2);
        QCOMPARE(s["explanations"]["n_object_targets"].get<int>(), 2);
        // Wall time: from 90 (the bad item started) to 103 (item 1 finished).
        QCOMPARE(s["timing"]["wall_seconds"].get<double>(), 13.0);
        QCOMPARE(s["timing"]["compute_seconds"].get<double>(), 4.5);
    }

    void merge_refuses_and_merges() {
        const std::string out = path("run");
        make_dirs(out + "/shards");
        const json run = a_run(3);
        const auto rec = [](int i) {
            return scored_record(i, cat("i", i), 0.5, true, "hit", 0.5, true, "g");
        };
        // Shard 0 of 2 owns items 0 and 2, shard 1 owns item 1.
        write_file_atomic(out + "/shards/shard-0-of-2.jsonl",
                          line(header(0, 2, run)) + line(rec(0)) + line(rec(2)), "t");
        QVERIFY(test::error_of([&] { merge_batch(out); }).find("shard(s) 1 of 2 have not started") !=
                std::string::npos);
        write_file_atomic(out + "/shards/shard-1-of-2.jsonl", line(header(1, 2, run)), "t");
        QVERIFY(test::error_of([&] {
                    merge_batch(out);
                }).find("1 of 3 items are not done (shard 1: 0 of 1)") != std::string::npos);
        const MergeResult partial = merge_batch(out, true);
        QCOMPARE(partial.items, 2);
        QCOMPARE(partial.missing, 1);
        QVERIFY(partial.summary["partial"].get<bool>());
        json other = run;
        other["methods"] = {"m", "n"};
        write_file_atomic(out + "/shards/shard-1-of-2.jsonl", line(header(1, 2, other)) + line(rec(1)), "t");
        QVERIFY(test::error_of([&] { merge_batch(out); }).find("methods differ") != std::string::npos);
        write_file_atomic(out + "/shards/shard-1-of-2.jsonl", line(header(1, 2, run)) + line(rec(2)), "t");
        QVERIFY(test::error_of([&] { merge_batch(out); }).find("does not belong to shard-1-of-2") !=
                std::string::npos);
        write_file_atomic(out + "/shards/shard-1-of-2.jsonl", line(header(1, 2, run)) + line(rec(1)), "t");
        const MergeResult r = merge_batch(out);
        QCOMPARE(r.items, 3);
        QCOMPARE(r.missing, 0);
        const std::string merged = read_text_file(r.results_path);
        QCOMPARE(split(trim(merged), '\n').size(), std::size_t{3});
        QVERIFY(merged.find("\"i0\"") < merged.find("\"i1\"") &&
                merged.find("\"i1\"") < merged.find("\"i2\""));
        QCOMPARE(r.summary["run"], run);
        QCOMPARE(r.summary["explanations"]["methods"]["m"]["obj_iou"].get<double>(), 0.5);
        write_file_atomic(out + "/shards/shard-0-of-3.jsonl", line(header(0, 3, run)), "t");
        QVERIFY(test::error_of([&] { merge_batch(out); }).find("split 2 and 3 ways") != std::string::npos ||
                test::error_of([&] { merge_batch(out); }).find("split 3 and 2 ways") != std::string::npos);
        remove_tree(out + "/shards/shard-0-of-3.jsonl");

        // The same run split one way compares equal, times aside; a changed answer does not.
        const std::string one = path("one");
        make_dirs(one + "/shards");
        json r0 = rec(0), r1 = rec(1), r2 = rec(2);
        r1["seconds"] = 99.0;
        r1["host"] = "elsewhere";
        write_file_atomic(one + "/shards/shard-0-of-1.jsonl",
                          line(header(0, 1, run)) + line(r0) + line(r1) + line(r2), "t");
        merge_batch(one);
        DiffResult d = diff_batches(out, one);
        QVERIFY2(d.equal, d.differences.empty() ? "" : d.differences[0].c_str());
        r2["scores"]["targets"][0]["methods"]["m"]["obj_iou"] =
            0.5 + 1e-9;  // rounding of another thread count
        write_file_atomic(one + "/shards/shard-0-of-1.jsonl",
                          line(header(0, 1, run)) + line(r0) + line(r1) + line(r2), "t");
        merge_batch(one);
        QVERIFY(!diff_batches(out, one).equal);
        QVERIFY(diff_batches(out, one, 20, 1e-6).equal);
        r2["answer"] = "blue";
        write_file_atomic(one + "/shards/shard-0-of-1.jsonl",
                          line(header(0, 1, run)) + line(r0) + line(r1) + line(r2), "t");
        merge_batch(one);
        d = diff_batches(out, one);
        QVERIFY(!d.equal);
        QVERIFY(d.differences.at(0).find("item 2 (i2)/answer: \"red is\" vs \"blue\"") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestBatch)
#include "test_batch.moc"
