#include "core/batch/manifest.h"

#include <cstdlib>
#include <filesystem>
#include <set>

#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/sha256.h"
#include "core/util/strings.h"

namespace sightline::batch {
namespace {

constexpr std::uint64_t kMaxManifestBytes = 1ull << 30;
constexpr std::size_t kMaxItems = 10'000'000;

std::string resolve(const std::string& base_dir, const std::string& p) {
    if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
    return path_join(base_dir, p);
}

// A field that may be spelled two ways; the value must be a string when present.
std::optional<std::string> string_field(const nlohmann::json& j, const char* a, const char* b) {
    for (const char* key : {a, b}) {
        const auto it = j.find(key);
        if (it == j.end() || it->is_null()) continue;
        if (!it->is_string()) fail("\"", key, "\" must be a string");
        return it->get<std::string>();
    }
    return std::nullopt;
}

std::uint64_t fnv1a(const std::string& s) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

int object_of(const nlohmann::json& ref, const ImageTruth& truth) {
    if (ref.is_number_integer()) {
        const auto i = ref.get<std::int64_t>();
        if (i < 0 || i >= static_cast<std::int64_t>(truth.objects.size()))
            fail("object ", i, " is not among the ", truth.objects.size(), " objects");
        return static_cast<int>(i);
    }
    if (!ref.is_string()) fail("\"object\" must be a label or an index");
    const std::string label = ref.get<std::string>();
    for (std::size_t i = 0; i < truth.objects.size(); ++i)
        if (truth.objects[i].label == label) return static_cast<int>(i);
    fail("no object is labelled '", brief(label, 40), "'");
}

}  // namespace

bool valid_item_id(const std::string& id) {
    if (id.empty() || id.size() > 128 || id[0] == '.') return false;
    for (char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-'))
            return false;
    return true;
}

Manifest read_manifest(const std::string& path) {
    Manifest m;
    std::error_code ec;
    m.path = std::filesystem::absolute(path, ec).lexically_normal().string();
    if (ec) m.path = path;
    const std::string text = read_regular_file(path, kMaxManifestBytes, "manifest");
    m.sha256 = sha256_hex(text);
    const std::string base = std::filesystem::path(m.path).parent_path().string();
    std::set<std::string> ids;
    std::size_t pos = 0;
    int line_no = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        const std::string line = trim(std::string_view(text).substr(pos, end - pos));
        pos = end + 1;
        ++line_no;
        if (line.empty()) continue;
        if (m.items.size() >= kMaxItems) fail(path, ": more than ", kMaxItems, " items");
        ManifestItem it;
        it.index = static_cast<int>(m.items.size());
        it.line = line_no;
        it.id = cat("item-", line_no);
        try {
            check_json_depth(line, 64, cat(path, ":", line_no));
            const nlohmann::json j = nlohmann::json::parse(line);
            if (!j.is_object()) fail("not a JSON object");
            if (j.contains("id")) {
                const auto& id = j.at("id");
                if (id.is_string())
                    it.id = id.get<std::string>();
                else if (id.is_number_integer())
                    it.id = std::to_string(id.get<std::int64_t>());
                else
                    fail("\"id\" must be a string or an integer");
                if (!valid_item_id(it.id))
                    fail("id '", brief(it.id, 40),
                         "' is not usable as a folder name (1-128 letters, digits, '.', '_', '-')");
            }
            const auto image = string_field(j, "image", "image_path");
            if (!image || image->empty()) fail("\"image\" is missing");
            it.image = resolve(base, *image);
            const auto prompt = string_field(j, "prompt", "question");
            if (!prompt || prompt->empty()) fail("\"prompt\" (or \"question\") is missing");
            it.prompt = *prompt;
            it.expected = string_field(j, "expected", "answer");
            it.group = string_field(j, "group", "task").value_or("");
            if (j.contains("truth") && !j.at("truth").is_null()) {
                const auto& t = j.at("truth");
                if (t.is_string())
                    it.truth = resolve(base, t.get<std::string>());
                else if (t.is_object())
                    it.truth = t;
                else
                    fail("\"truth\" must be a path or a COCO-style object");
            }
            if (j.contains("answer_words") && !j.at("answer_words").is_null()) {
                it.answer_words = j.at("answer_words");
                if (!it.answer_words.is_array()) fail("\"answer_words\" must be an array");
                if (!it.expected) fail("\"answer_words\" needs \"expected\"");
                if (it.truth.is_null()) fail("\"answer_words\" needs \"truth\"");
            }
            if (j.contains("seed")) {
                if (!j.at("seed").is_number_unsigned()) fail("\"seed\" must be a non-negative integer");
                it.seed = j.at("seed").get<std::uint64_t>();
            } else {
                it.seed = fnv1a(it.id);
            }
        } catch (const nlohmann::json::exception& e) {
            it.error = cat("line ", line_no, ": ", e.what());
        } catch (const Error& e) {
            it.error = cat("line ", line_no, ": ", e.what());
        }
        if (!ids.insert(it.id).second) {
            // The record of a repeated id gets its line's id so the two do not clash.
            if (it.error.empty())
                it.error = cat("line ", line_no, ": the id '", it.id, "' is used by an earlier item");
            it.id = cat("item-", line_no);
            if (!ids.insert(it.id).second)
                fail(path, ": line ", line_no, ": the id '", it.id, "' is used twice");
        }
        m.items.push_back(std::move(it));
    }
    if (m.items.empty()) fail(path, ": the manifest has no items");
    return m;
}

AnswerTruth item_truth(const ManifestItem& item, int image_width, int image_height) {
    AnswerTruth t;
    t.expected = item.expected.value_or("");
    t.group = item.group;
    t.seed = item.seed;
    if (item.truth.is_string())
        t.image = load_image_truth(item.truth.get<std::string>(), image_width, image_height, item.image);
    else if (item.truth.is_object())
        t.image = coco_truth_from_json(item.truth, cat("item ", item.id, " truth"), image_width, image_height,
                                       item.image);
    if (item.answer_words.is_array()) {
        std::size_t k = 0;
        for (const auto& w : item.answer_words) {
            try {
                AnswerWordSpan s;
                s.begin = w.at("begin").get<std::size_t>();
                s.end = w.at("end").get<std::size_t>();
                if (s.begin > s.end || s.end > t.expected.size())
                    fail("the span [", s.begin, ", ", s.end, ") is not inside the expected answer (",
                         t.expected.size(), " bytes)");
                const std::string kind = w.value("kind", std::string("object"));
                if (kind == "object") {
                    s.kind = AnswerWordSpan::Kind::Object;
                    s.object = object_of(w.at("object"), t.image);
                } else if (kind == "function") {
                    s.kind = AnswerWordSpan::Kind::Function;
                } else if (kind != "other") {
                    fail("\"kind\" must be object, function or other");
                }
                t.spans.push_back(s);
                ++k;
            } catch (const nlohmann::json::exception& e) {
                fail("answer_words[", k, "]: ", e.what());
            } catch (const Error& e) {
                fail("answer_words[", k, "]: ", e.what());
            }
        }
    }
    return t;
}

std::string Shard::name() const {
    return cat("shard-", index, "-of-", count);
}

Shard parse_shard(const std::string& text) {
    const auto slash = text.find('/');
    Shard s;
    try {
        if (slash == std::string::npos) throw std::invalid_argument("no slash");
        std::size_t used = 0;
        s.index = std::stoi(text.substr(0, slash), &used);
        if (used != slash) throw std::invalid_argument("trailing");
        const std::string n = text.substr(slash + 1);
        s.count = std::stoi(n, &used);
        if (used != n.size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
        fail("--shard expects I/N (shard I of N, counted from 0), e.g. 0/4; got '", brief(text, 40), "'");
    }
    if (s.count < 1 || s.count > 100000 || s.index < 0 || s.index >= s.count)
        fail("--shard ", text, ": needs 0 <= I < N <= 100000");
    return s;
}

std::optional<Shard> shard_from_slurm_environment() {
    const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
    const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
    if (!id || !count) return std::nullopt;
    const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
    int i = 0, n = 0, lo = 0;
    try {
        i = std::stoi(id);
        n = std::stoi(count);
        lo = min ? std::stoi(min) : 0;
    } catch (const std::exception&) {
        fail("SLURM_ARRAY_TASK_ID / _COUNT / _MIN are not numbers ('", brief(id, 20), "', '",
             brief(count, 20), "')");
    }
    if (n < 1 || i - lo < 0 || i - lo >= n)
        fail("the Slurm array task ", i, " (first ", lo, ", ", n,
             " tasks) is not one of shards 0..N-1: submit the array as --array=0-", n - 1,
             " (no step), or pass --shard I/N");
    return Shard{i - lo, n};
}

}  // namespace sightline::batch
