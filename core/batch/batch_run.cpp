#include "core/batch/batch_run.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>

#include "core/eval/answer_scoring.h"
#include "core/explain/explanation_arrays.h"
#include "core/explain/overlay.h"
#include "core/explore/explorer.h"
#include "core/image/image_io.h"
#include "core/model/model_identity.h"
#include "core/text/json_file.h"
#include "core/toy/answer_match.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/stopwatch.h"
#include "core/util/strings.h"
#include "core/util/version.h"

namespace sightline::batch {
namespace {

constexpr std::uint64_t kMaxShardFileBytes = 4ull << 30;

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "?";
    return buf;
}

// An append-only JSON Lines file held open (and locked) for the whole run: each line goes out in one
// write() and is fsync'ed before the next item starts.
class AppendLog {
  public:
    AppendLog(const std::string& path, bool lock) : path_(path) {
        fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) fail(path, ": cannot open for writing: ", std::strerror(errno));
        if (lock && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            const int err = errno;
            ::close(fd_);
            if (err == EWOULDBLOCK)
                fail(path,
                     ": another process is running this shard (the file is locked); wait for it or stop it");
            fail(path, ": cannot lock: ", std::strerror(err));
        }
    }
    ~AppendLog() {
        if (fd_ >= 0) ::close(fd_);
    }
    AppendLog(const AppendLog&) = delete;
    AppendLog& operator=(const AppendLog&) = delete;
    int fd() const { return fd_; }
    void append(const std::string& line) {
        const std::string bytes = line + "\n";
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                fail(path_, ": cannot write: ", std::strerror(errno));
            }
            done += static_cast<std::size_t>(n);
        }
        if (::fsync(fd_) != 0) fail(path_, ": cannot flush to disk: ", std::strerror(errno));
    }

  private:
    std::string path_;
    int fd_ = -1;
};

// The answer tokens to explain: the scored words (or, without ground truth that applies, every token with
// a letter), every token, or the first of the words.
std::vector<AnswerTarget> explained_targets(const Trace& t, const std::vector<AnswerTarget>& scored,
                                            TargetMode mode) {
    std::vector<AnswerTarget> words = scored;
    if (words.empty())
        for (std::int64_t k = 0; k < t.answer_size(); ++k) {
            const std::string& text = t.tokens[static_cast<std::size_t>(t.answer_begin + k)].text;
            if (has_letter(text)) words.push_back({k, trim(text), -1, false});
        }
    if (mode == TargetMode::First) {
        if (words.size() > 1) words.resize(1);
        return words;
    }
    if (mode == TargetMode::AnswerWords) return words;
    std::vector<AnswerTarget> all;
    for (std::int64_t k = 0; k < t.answer_size(); ++k) {
        AnswerTarget a{k, trim(t.tokens[static_cast<std::size_t>(t.answer_begin + k)].text), -1, false};
        for (const auto& s : scored)
            if (s.index == k) a = s;
        all.push_back(a);
    }
    return all;
}

}  // namespace

TargetMode parse_target_mode(const std::string& s) {
    if (s == "answer-words") return TargetMode::AnswerWords;
    if (s == "all") return TargetMode::All;
    if (s == "first") return TargetMode::First;
    fail("--targets must be answer-words, all or first; got '", brief(s, 30), "'");
}

std::string to_string(TargetMode m) {
    switch (m) {
        case TargetMode::All:
            return "all";
        case TargetMode::First:
            return "first";
        case TargetMode::AnswerWords:
            break;
    }
    return "answer-words";
}

std::string shards_dir(const std::string& out_dir) {
    return path_join(out_dir, "shards");
}
std::string shard_results_path(const std::string& out_dir, const Shard& s) {
    return path_join(shards_dir(out_dir), s.name() + ".jsonl");
}
std::string shard_journal_path(const std::string& out_dir, const Shard& s) {
    return path_join(shards_dir(out_dir), s.name() + ".started");
}

nlohmann::json BatchShardSummary::to_json() const {
    return {{"shard", shard.index},   {"shards", shard.count}, {"manifest_items", manifest_items},
            {"items", shard_items},   {"skipped", skipped},    {"computed", computed},
            {"errors", errors},       {"seconds", seconds},    {"items_per_minute", items_per_minute},
            {"results", results_path}};
}

nlohmann::json batch_run_record(const BatchOptions& o, const Manifest& m, const std::string& model_identity) {
    return {{"software_version", software_version()},
            {"manifest", {{"sha256", m.sha256}, {"items", m.items.size()}}},
            {"model", {{"identity", model_identity}}},
            {"methods", o.scoring.methods},
            {"params", o.scoring.params},
            {"targets", to_string(o.targets)},
            {"png", o.png},
            {"generation", {{"max_new_tokens", o.max_new_tokens}, {"sampling", "greedy"}}},
            {"scoring",
             {{"faithfulness_steps", o.scoring.faithfulness_steps},
              {"faithfulness_targets", o.scoring.faithfulness_targets},
              {"faithfulness_min_gap", o.scoring.faithfulness_min_gap},
              {"baselines", o.scoring.baselines},
              {"random_seed", o.scoring.random_seed}}}};
}

ShardFile read_shard_file(const std::string& path) {
    const std::string text = read_regular_file(path, kMaxShardFileBytes, "batch shard results");
    ShardFile f;
    std::size_t pos = 0;
    int line = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        ++line;
        const bool last = nl == std::string::npos || nl + 1 == text.size();
        if (nl == std::string::npos) {  // no newline: the write was cut short
            f.torn_tail = true;
            break;
        }
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(std::string_view(text).substr(pos, nl - pos));
            if (!j.is_object()) fail("not a JSON object");
        } catch (const std::exception& e) {
            if (last && line > 1) {
                f.torn_tail = true;
                break;
            }
            fail(path, ": line ", line, " is not a JSON record (", e.what(), ")");
        }
        if (line == 1) {
            if (j.value("format", std::string()) != "sightline-batch" || !j.contains("run"))
                fail(path, ": the first line is not a Sightline batch header");
            f.header = std::move(j);
        } else {
            if (!j.contains("index") || !j.contains("id"))
                fail(path, ": line ", line, " has no index and id");
            f.records.push_back(std::move(j));
        }
        pos = nl + 1;
        f.good_bytes = pos;
    }
    if (f.header.is_null()) fail(path, ": no header line (an empty or cut-short file)");
    return f;
}

// Differences between two run records, by top-level key, for messages.
std::string run_differences(const nlohmann::json& a, const nlohmann::json& b) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : a.items())
        if (!b.contains(k) || b.at(k) != v) keys.push_back(k);
    for (const auto& [k, v] : b.items())
        if (!a.contains(k)) keys.push_back(k);
    return keys.empty() ? std::string("?") : join(keys, ", ");
}

// Every shard file in `dir` (name shard-I-of-N.jsonl).
std::vector<std::pair<Shard, std::string>> shard_files(const std::string& dir) {
    std::vector<std::pair<Shard, std::string>> out;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return out;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        int i = 0, n = 0;
        char tail[8] = {};
        if (std::sscanf(name.c_str(), "shard-%d-of-%d.%6s", &i, &n, tail) == 3 &&
            std::string(tail) == "jsonl" && n >= 1 && i >= 0 && i < n &&
            name == cat("shard-", i, "-of-", n, ".jsonl"))
            out.push_back({Shard{i, n}, e.path().string()});
    }
    return out;
}

BatchShardSummary run_batch_shard(const BatchOptions& o,
                                  const std::function<void(const BatchProgress&)>& progress) {
    const Stopwatch clock;
    if (o.scoring.methods.empty()) fail("no methods to run");
    const Manifest manifest = read_manifest(o.manifest_path);
    BatchShardSummary summary;
    summary.shard = o.shard;
    summary.manifest_items = static_cast<int>(manifest.items.size());
    if (o.shard.count > static_cast<int>(manifest.items.size()))
        fail("--shard ", o.shard.index, "/", o.shard.count, ": more shards than the manifest's ",
             manifest.items.size(), " items");
    const std::string identity = compute_model_identity(o.model_dir, o.digest_cache, o.cancel).sha256;
    const nlohmann::json run = batch_run_record(o, manifest, identity);
    make_dirs(shards_dir(o.out_dir));
    make_dirs(path_join(o.out_dir, "items"));
    for (const auto& [other, path] : shard_files(shards_dir(o.out_dir)))
        if (other.count != o.shard.count)
            fail(o.out_dir, " holds the shards of a ", other.count, "-shard run (", path, "); this run has ",
                 o.shard.count, ": use another --out, or the same number of shards");

    // Open (creating with the header) and lock the shard file; read what is done; cut a torn last line.
    const std::string results = shard_results_path(o.out_dir, o.shard);
    summary.results_path = results;
    AppendLog log(results, true);
    std::set<std::string> done;
    struct stat st {};
    if (::fstat(log.fd(), &st) != 0) fail(results, ": ", std::strerror(errno));
    const std::string host = host_name();
    const auto make_header = [&] {
        return nlohmann::json{{"format", "sightline-batch"},
                              {"version", 1},
                              {"shard", o.shard.index},
                              {"shards", o.shard.count},
                              {"run", run},
                              {"info",
                               {{"manifest_path", manifest.path},
                                {"model_dir", o.model_dir},
                                {"host", host},
                                {"created", unix_now()}}}};
    };
    if (st.st_size == 0) {
        log.append(json_text(make_header()));
    } else {
        const ShardFile f = read_shard_file(results);
        const bool same = f.header.at("run") == run;
        if (!same && !f.records.empty())
            fail(results, " belongs to a different run (", run_differences(f.header.at("run"), run),
                 " differ): use another --out, or the same manifest, model and options");
        if (f.header.value("shard", -1) != o.shard.index || f.header.value("shards", -1) != o.shard.count)
            fail(results, ": its header names another shard");
        if (!same) {
            // Nothing finished under the old options (a typo caught before the first item): start afresh.
            if (::ftruncate(log.fd(), 0) != 0) fail(results, ": cannot start afresh: ", std::strerror(errno));
            log.append(json_text(make_header()));
        } else if (f.torn_tail && ::ftruncate(log.fd(), static_cast<off_t>(f.good_bytes)) != 0) {
            fail(results, ": cannot cut the unfinished last line: ", std::strerror(errno));
        }
        for (const auto& r : f.records) done.insert(r.at("id").get<std::string>());
    }
    AppendLog journal(shard_journal_path(o.out_dir, o.shard), false);

    std::vector<const ManifestItem*> mine;
    for (const auto& it : manifest.items)
        if (o.shard.owns(it.index)) mine.push_back(&it);
    BatchProgress p;
    p.shard_items = static_cast<int>(mine.size());
    summary.shard_items = p.shard_items;
    for (const auto* it : mine)
        if (done.count(it->id)) ++p.skipped;
    p.done = p.skipped;
    summary.skipped = p.skipped;
    if (progress) progress(p);
    if (p.skipped == p.shard_items) {
        summary.seconds = clock.elapsed_ms() / 1000;
        return summary;
    }

    // Work left: load the model once.
    Explorer explorer(o.load_model());
    if (o.setup_explorer) o.setup_explorer(explorer);
    for (const auto& m : o.scoring.methods)
        explorer.registry().get(m);  // an unknown method fails before any item
    const JobControl control(o.cancel, nullptr);
    GenerationSettings gen;
    gen.max_new_tokens = o.max_new_tokens;
    OverlayStyle style;
    style.opacity = 0.55;
    const Stopwatch work_clock;

    for (const auto* it : mine) {
        if (done.count(it->id)) continue;
        control.check();
        const double started = unix_now();
        const Stopwatch item_clock;
        journal.append(it->id);
        const std::string final_dir = path_join(path_join(o.out_dir, "items"), it->id);
        const std::string tmp_dir =
            path_join(path_join(o.out_dir, "items"), cat(".", it->id, ".partial-", ::getpid()));
        // Leftovers of a killed run of this item.
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(path_join(o.out_dir, "items"), ec))
            if (starts_with(e.path().filename().string(), cat(".", it->id, ".partial-")))
                remove_tree(e.path().string());
        nlohmann::json rec = {{"index", it->index}, {"id", it->id}, {"line", it->line}};
        try {
            if (!it->error.empty()) fail(it->error);
            rec["image"] = it->image;
            rec["prompt"] = it->prompt;
            if (it->expected) rec["expected"] = *it->expected;
            if (!it->group.empty()) rec["group"] = it->group;
            // The ground truth as given (paths resolved), so a record can be scored or opened on its own.
            if (!it->truth.is_null()) rec["truth"] = it->truth;
            if (!it->answer_words.is_null()) rec["answer_words"] = it->answer_words;
            rec["seed"] = it->seed;
            const cv::Mat image = load_image_rgb(it->image);
            const AnswerTruth truth = item_truth(*it, image.cols, image.rows);
            PromptRequest req;
            req.question = it->prompt;
            req.image_rgb = image;
            req.image_label = it->image;
            const Stopwatch gen_clock;
            const auto trace = explorer.generate(req, gen, &control);
            const double generate_ms = gen_clock.elapsed_ms();
            rec["answer"] = trace->answer_text;
            if (it->expected) rec["correct"] = toy::answers_match(trace->answer_text, *it->expected);
            rec["answer_tokens"] = answer_tokens_json(*trace);
            std::string reason;
            const auto scored = answer_targets(explorer, *trace, truth, &reason);
            const auto targets = explained_targets(*trace, scored, o.targets);
            make_dirs(tmp_dir);
            const cv::Mat view = trace->has_image() ? enlarged_view(trace->image.model_view) : cv::Mat();
            nlohmann::json files = nlohmann::json::array();
            const Stopwatch explain_clock;
            const AnswerScores scores = score_answer(
                explorer, *trace, truth, targets, o.scoring, &control,
                [&](const AnswerTarget& t, const Explanation& e) {
                    const std::string stem = cat(e.method, "_t", t.index);
                    for (const auto& path : write_explanation_arrays(tmp_dir, stem, e))
                        files.push_back(std::filesystem::path(path).filename().string());
                    if (o.png && e.has_image_map() && !view.empty()) {
                        save_image_rgb(path_join(tmp_dir, stem + ".png"),
                                       render_overlay(view, e.image_map, e.grid_h, e.grid_w, style));
                        files.push_back(stem + ".png");
                    }
                });
            rec["targets"] = nlohmann::json::array();
            for (const auto& t : targets) rec["targets"].push_back(t.index);
            if (truth.has_objects()) {
                rec["scores"] = answer_scores_to_json(scores);
                if (scored.empty()) rec["not_scored"] = reason;
            }
            rec["files"] = files;
            rec["dir"] = path_join("items", it->id);
            rec["generate_ms"] = generate_ms;
            rec["explain_ms"] = explain_clock.elapsed_ms();
            write_file_atomic(path_join(tmp_dir, "item.json"), json_text(rec, 1) + "\n", "item record");
            replace_path(tmp_dir, final_dir);
            ++p.computed;
        } catch (const CancelledError&) {
            remove_tree(tmp_dir);
            throw;
        } catch (const OutOfMemoryRisk&) {
            remove_tree(tmp_dir);
            throw;  // the model does not fit: every item would fail the same way
        } catch (const std::exception& e) {
            try {
                remove_tree(tmp_dir);
            } catch (const std::exception&) {
            }
            rec["error"] = e.what();
            p.last_error = cat(it->id, ": ", e.what());
            ++p.errors;
        }
        rec["seconds"] = item_clock.elapsed_ms() / 1000;
        rec["started_at"] = started;
        rec["finished_at"] = unix_now();
        rec["host"] = host;
        rec["pid"] = static_cast<long>(::getpid());
        log.append(json_text(rec));
        ++p.done;
        p.last_id = it->id;
        p.last_seconds = rec["seconds"].get<double>();
        p.elapsed_s = work_clock.elapsed_ms() / 1000;
        if (progress) progress(p);
    }
    summary.computed = p.computed;
    summary.errors = p.errors;
    summary.seconds = clock.elapsed_ms() / 1000;
    const double work_s = work_clock.elapsed_ms() / 1000;
    summary.items_per_minute = work_s > 0 ? 60.0 * (p.computed + p.errors) / work_s : 0;
    return summary;
}

}  // namespace sightline::batch
