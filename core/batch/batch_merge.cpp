#include "core/batch/batch_merge.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "core/batch/batch_run.h"
#include "core/eval/answer_scoring.h"
#include "core/eval/explainer_eval.h"
#include "core/text/json_file.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/stopwatch.h"
#include "core/util/strings.h"

namespace sightline::batch {
namespace {

double num(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

// Keys whose values differ between runs of the same computation.
const std::set<std::string>& volatile_keys() {
    static const std::set<std::string> keys = {
        "seconds",    "started_at",   "finished_at",    "host",   "pid",           "time_ms", "generate_ms",
        "explain_ms", "mean_time_ms", "median_time_ms", "timing", "merge_seconds", "info"};
    return keys;
}

void diff_json(const nlohmann::json& a, const nlohmann::json& b, const std::string& where, DiffResult& d,
               int max, double tolerance) {
    const auto note = [&](const std::string& what) {
        ++d.count;
        d.equal = false;
        if (static_cast<int>(d.differences.size()) < max) d.differences.push_back(where + ": " + what);
    };
    if (a.is_object() && b.is_object()) {
        for (const auto& [k, v] : a.items()) {
            if (volatile_keys().count(k)) continue;
            if (!b.contains(k))
                note(cat("'", k, "' only in the first"));
            else
                diff_json(v, b.at(k), where + "/" + k, d, max, tolerance);
        }
        for (const auto& [k, v] : b.items())
            if (!volatile_keys().count(k) && !a.contains(k)) note(cat("'", k, "' only in the second"));
        return;
    }
    if (a.is_array() && b.is_array()) {
        if (a.size() != b.size()) {
            note(cat(a.size(), " vs ", b.size(), " entries"));
            return;
        }
        for (std::size_t i = 0; i < a.size(); ++i)
            diff_json(a[i], b[i], cat(where, "/", i), d, max, tolerance);
        return;
    }
    if (tolerance > 0 && a.is_number() && b.is_number()) {
        const double x = a.get<double>(), y = b.get<double>();
        if (std::abs(x - y) <= tolerance * std::max({1.0, std::abs(x), std::abs(y)})) return;
    }
    if (a != b) note(cat(brief(json_text(a), 60), " vs ", brief(json_text(b), 60)));
}

}  // namespace

std::vector<nlohmann::json> read_merged_results(const std::string& dir) {
    const std::string path = path_join(dir, "results.jsonl");
    if (!file_exists(path))
        fail(path, ": no merged results (run sightline-cli batch-merge --out ", dir, " first)");
    const std::string text = read_regular_file(path, 4ull << 30, "batch results");
    std::vector<nlohmann::json> out;
    std::size_t pos = 0;
    int line = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        ++line;
        const auto s = std::string_view(text).substr(pos, nl - pos);
        pos = nl + 1;
        if (trim(s).empty()) continue;
        try {
            out.push_back(nlohmann::json::parse(s));
        } catch (const std::exception& e) {
            fail(path, ": line ", line, ": ", e.what());
        }
    }
    return out;
}

nlohmann::json summarize_records(const std::vector<nlohmann::json>& records) {
    ExplainerEvalResult eval;
    int errors = 0, expected = 0, correct = 0;
    std::map<std::string, std::pair<int, int>> by_group;  // correct, expected
    nlohmann::json error_items = nlohmann::json::array();
    double compute_s = 0, generate_ms = 0, explain_ms = 0;
    double first_start = std::numeric_limits<double>::max(), last_finish = 0;
    for (const auto& r : records) {
        compute_s += num(r, "seconds");
        if (r.contains("started_at")) first_start = std::min(first_start, num(r, "started_at"));
        last_finish = std::max(last_finish, num(r, "finished_at"));
        if (r.contains("error")) {
            ++errors;
            if (error_items.size() < 100)
                error_items.push_back({{"id", r.at("id")}, {"error", r.at("error")}});
            continue;
        }
        ++eval.scenes;  // answered
        generate_ms += num(r, "generate_ms");
        explain_ms += num(r, "explain_ms");
        if (r.contains("correct")) {
            ++expected;
            const bool ok = r.at("correct").get<bool>();
            correct += ok ? 1 : 0;
            auto& g = by_group[r.value("group", std::string())];
            g.first += ok ? 1 : 0;
            ++g.second;
        }
        if (r.contains("scores")) {
            try {
                accumulate_scores(answer_scores_from_json(r.at("scores")), eval);
            } catch (const Error& e) {
                fail("item ", r.at("id").dump(), ": ", e.what());
            }
        }
    }
    nlohmann::json accuracy = {{"expected", expected},
                               {"correct", correct},
                               {"rate", expected > 0 ? static_cast<double>(correct) / expected : 0.0}};
    nlohmann::json groups = nlohmann::json::object();
    for (const auto& [g, c] : by_group)
        if (!g.empty())
            groups[g] = {{"expected", c.second},
                         {"correct", c.first},
                         {"rate", static_cast<double>(c.first) / c.second}};
    accuracy["by_group"] = groups;
    const int answered = eval.scenes;
    const double wall = last_finish > first_start ? last_finish - first_start : 0.0;
    const int n = static_cast<int>(records.size());
    return {{"items", n},
            {"answered", answered},
            {"errors", errors},
            {"error_items", error_items},
            {"accuracy", accuracy},
            {"explanations", eval.to_json()},
            {"timing",
             {{"compute_seconds", compute_s},
              {"mean_item_seconds", n > 0 ? compute_s / n : 0.0},
              {"mean_generate_ms", answered > 0 ? generate_ms / answered : 0.0},
              {"mean_explain_ms", answered > 0 ? explain_ms / answered : 0.0},
              {"wall_seconds", wall},
              {"items_per_minute", wall > 0 ? 60.0 * n / wall : 0.0}}}};
}

CollectedRun collect_batch(const std::string& out_dir) {
    CollectedRun c;
    const std::string dir = shards_dir(out_dir);
    std::map<int, std::pair<Shard, std::string>> found;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        fail(dir, ": no shard results here (is ", out_dir, " the --out of batch?)");
    for (const auto& [shard, path] : shard_files(dir)) {
        if (c.shards > 0 && shard.count != c.shards)
            fail(dir, " holds shards of runs split ", c.shards, " and ", shard.count,
                 " ways; keep one run per folder");
        c.shards = shard.count;
        found[shard.index] = {shard, path};
    }
    if (c.shards <= 0) fail(dir, ": no shard results (shard-I-of-N.jsonl) here");
    for (int i = 0; i < c.shards; ++i)
        if (!found.count(i)) c.missing_shards.push_back(i);
    std::map<int, nlohmann::json> by_index;
    c.per_shard = nlohmann::json::array();
    for (const auto& [i, sp] : found) {
        const auto& [shard, path] = sp;
        const ShardFile f = read_shard_file(path);
        if (f.header.value("shard", -1) != shard.index || f.header.value("shards", -1) != shard.count)
            fail(path, ": the header names shard ", f.header.value("shard", -1), " of ",
                 f.header.value("shards", -1));
        const nlohmann::json& r = f.header.at("run");
        if (c.run.is_null()) {
            c.run = r;
            c.manifest_items = r.at("manifest").at("items").get<int>();
        } else if (r != c.run) {
            fail("shard ", i, " was run differently from shard ", found.begin()->first, " (",
                 run_differences(c.run, r), " differ: ", brief(json_text(r), 200),
                 "); refusing to merge results of different runs");
        }
        int items = 0, owned = 0;
        for (int k = 0; k < c.manifest_items; ++k) owned += shard.owns(k) ? 1 : 0;
        double first = std::numeric_limits<double>::max(), last = 0, compute = 0;
        for (const auto& rec : f.records) {
            const int index = rec.at("index").get<int>();
            if (index < 0 || index >= c.manifest_items || !shard.owns(index))
                fail(path, ": item ", index, " does not belong to ", shard.name());
            if (by_index.count(index)) {
                ++c.duplicates;
                continue;
            }
            by_index[index] = rec;
            ++items;
            compute += num(rec, "seconds");
            first = std::min(first, num(rec, "started_at"));
            last = std::max(last, num(rec, "finished_at"));
        }
        c.per_shard.push_back({{"shard", i},
                               {"items", items},
                               {"owned", owned},
                               {"compute_seconds", compute},
                               {"first_started", items > 0 ? first : 0.0},
                               {"last_finished", last},
                               {"torn_tail", f.torn_tail}});
    }
    for (auto& [index, rec] : by_index) c.records.push_back(std::move(rec));
    c.missing_items = c.manifest_items - static_cast<int>(c.records.size());
    return c;
}

MergeResult merge_batch(const std::string& out_dir, bool partial) {
    const Stopwatch clock;
    const CollectedRun c = collect_batch(out_dir);
    if (!c.missing_shards.empty() && !partial) {
        std::vector<std::string> names;
        for (int i : c.missing_shards) names.push_back(std::to_string(i));
        fail("shard(s) ", join(names, ", "), " of ", c.shards,
             " have not started: run them (sightline-cli batch --shard I/", c.shards,
             ", or resubmit the array) before merging, or merge what is there with --partial");
    }
    if (c.missing_items > 0 && !partial) {
        std::vector<std::string> counts;
        for (const auto& s : c.per_shard)
            if (s.at("items").get<int>() < s.at("owned").get<int>())
                counts.push_back(cat("shard ", s.at("shard").get<int>(), ": ", s.at("items").get<int>(),
                                     " of ", s.at("owned").get<int>()));
        fail(c.missing_items, " of ", c.manifest_items, " items are not done (", join(counts, "; "),
             "): resume with the same batch command or resubmit the array, or merge what is there with "
             "--partial");
    }
    std::string lines;
    for (const auto& rec : c.records) lines += json_text(rec) + "\n";
    MergeResult out;
    out.results_path = path_join(out_dir, "results.jsonl");
    out.summary_path = path_join(out_dir, "summary.json");
    write_file_atomic(out.results_path, lines, "merged batch results");
    nlohmann::json summary = summarize_records(c.records);
    summary["run"] = c.run;
    summary["shards"] = c.shards;
    summary["manifest_items"] = c.manifest_items;
    summary["missing"] = c.missing_items;
    summary["partial"] = partial && c.missing_items > 0;
    summary["timing"]["per_shard"] = c.per_shard;
    summary["duplicate_records"] = c.duplicates;
    summary["timing"]["merge_seconds"] = clock.elapsed_ms() / 1000;
    write_file_atomic(out.summary_path, json_text(summary, 1) + "\n", "batch summary");
    out.summary = std::move(summary);
    out.items = static_cast<int>(c.records.size());
    out.missing = c.missing_items;
    out.errors = out.summary.at("errors").get<int>();
    return out;
}

DiffResult diff_batches(const std::string& dir_a, const std::string& dir_b, int max_differences,
                        double tolerance) {
    DiffResult d;
    const auto a = read_merged_results(dir_a), b = read_merged_results(dir_b);
    std::map<int, const nlohmann::json*> ib;
    for (const auto& r : b) ib[r.value("index", -1)] = &r;
    std::set<int> seen;
    for (const auto& r : a) {
        const int index = r.value("index", -1);
        seen.insert(index);
        const std::string where = cat("item ", index, " (", r.value("id", std::string("?")), ")");
        const auto it = ib.find(index);
        if (it == ib.end()) {
            ++d.count;
            d.equal = false;
            if (static_cast<int>(d.differences.size()) < max_differences)
                d.differences.push_back(where + ": only in the first");
            continue;
        }
        // Paths of the images may differ (a copied manifest); their digests are in the run record.
        nlohmann::json ra = r, rb = *it->second;
        ra.erase("image");
        rb.erase("image");
        diff_json(ra, rb, where, d, max_differences, tolerance);
    }
    for (const auto& r : b)
        if (!seen.count(r.value("index", -1))) {
            ++d.count;
            d.equal = false;
            if (static_cast<int>(d.differences.size()) < max_differences)
                d.differences.push_back(cat("item ", r.value("index", -1), ": only in the second"));
        }
    const nlohmann::json sa = read_json_file(path_join(dir_a, "summary.json"));
    const nlohmann::json sb = read_json_file(path_join(dir_b, "summary.json"));
    nlohmann::json ca = sa, cb = sb;
    for (auto* s : {&ca, &cb}) {
        s->erase("shards");  // how a run was split is not what it computed
        s->erase("duplicate_records");
    }
    diff_json(ca, cb, "summary", d, max_differences, tolerance);
    return d;
}

}  // namespace sightline::batch
