#include "core/model/model_identity.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/sha256.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

bool takes_part(const std::string& name) {
    static const char* const exact[] = {
        "config.json",           "generation_config.json",  "tokenizer.model",    "tokenizer.json",
        "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",  "preprocessor_config.json",
        "processor_config.json", "chat_template.json",      "chat_template.jinja"};
    for (const char* e : exact)
        if (name == e) return true;
    auto ends_with = [&](const std::string& suffix) {
        return name.size() > suffix.size() &&
               name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return ends_with(".safetensors") || ends_with(".safetensors.index.json");
}

bool is_hex64(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

// Cache entries: absolute path -> {bytes, mtime_ns, sha256}.
nlohmann::json read_cache(const std::string& path) {
    if (path.empty()) return nlohmann::json::object();
    try {
        nlohmann::json j = nlohmann::json::parse(read_regular_file(path, kMaxTextFileBytes, "digest cache"));
        if (j.is_object() && j.value("format", "") == "sightline-file-digests" && j.contains("files") &&
            j["files"].is_object())
            return j["files"];
    } catch (const std::exception&) {
        // A missing or damaged cache only costs time.
    }
    return nlohmann::json::object();
}

void write_cache(const std::string& path, const nlohmann::json& files) {
    if (path.empty()) return;
    try {
        const auto parent = std::filesystem::path(path).parent_path();
        if (!parent.empty()) make_dirs(parent.string());
        write_file_atomic(path,
                          nlohmann::json{{"format", "sightline-file-digests"}, {"files", files}}.dump(1),
                          "digest cache");
    } catch (const std::exception&) {
        // An unwritable cache only costs time next time.
    }
}

}  // namespace

nlohmann::json model_identity_to_json(const ModelIdentity& id) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : id.files)
        files.push_back({{"name", f.name}, {"bytes", f.bytes}, {"sha256", f.sha256}});
    return {{"sha256", id.sha256}, {"files", files}};
}

ModelIdentity model_identity_from_json(const nlohmann::json& j) {
    ModelIdentity id;
    if (!j.is_object()) fail("identity: not an object");
    if (!j.contains("sha256") || !j["sha256"].is_string() || !is_hex64(j["sha256"].get<std::string>()))
        fail("identity.sha256: not a SHA-256 digest (64 hex digits)");
    id.sha256 = j["sha256"].get<std::string>();
    if (!j.contains("files") || !j["files"].is_array()) fail("identity.files: not a list");
    if (j["files"].size() > 100000) fail("identity.files: too many entries");
    for (std::size_t i = 0; i < j["files"].size(); ++i) {
        const auto& f = j["files"][i];
        const std::string field = cat("identity.files[", i, "]");
        if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("bytes") ||
            !f["bytes"].is_number_unsigned() || !f.contains("sha256") || !f["sha256"].is_string() ||
            !is_hex64(f["sha256"].get<std::string>()))
            fail(field, ": needs name, bytes and sha256");
        id.files.push_back(
            {f["name"].get<std::string>(), f["bytes"].get<std::uint64_t>(), f["sha256"].get<std::string>()});
    }
    return id;
}

std::vector<std::string> model_identity_files(const std::string& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec), end;
    if (ec) fail(dir, ": cannot list the model folder: ", ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec) fail(dir, ": cannot list the model folder: ", ec.message());
        const std::string name = it->path().filename().string();
        if (takes_part(name) && it->is_regular_file(ec)) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    if (std::find(names.begin(), names.end(), "config.json") == names.end())
        fail(dir, ": no config.json, so this is not a model folder");
    return names;
}

std::string default_digest_cache_path() {
    std::string base;
    if (const char* d = std::getenv("SIGHTLINE_CACHE_DIR"); d && *d) {
        base = d;
    } else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
        base = path_join(x, "sightline");
    } else if (const char* h = std::getenv("HOME"); h && *h) {
        base = path_join(path_join(h, ".cache"), "sightline");
    } else {
        return {};
    }
    return path_join(base, "file-digests.json");
}

ModelIdentity compute_model_identity(const std::string& dir, const std::string& cache_path,
                                     const std::atomic<bool>* cancelled) {
    const std::vector<std::string> names = model_identity_files(dir);
    nlohmann::json cache = read_cache(cache_path);
    bool cache_changed = false;
    ModelIdentity id;
    Sha256 all;
    for (const auto& name : names) {
        const std::string path = path_join(dir, name);
        std::error_code ec;
        const std::string key = std::filesystem::absolute(path, ec).lexically_normal().string();
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) fail(path, ": cannot read the file to hash it");
        const auto bytes = static_cast<std::uint64_t>(st.st_size);
        const auto mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
        std::string digest;
        if (cache.contains(key)) {
            const auto& c = cache[key];
            if (c.is_object() && c.value("bytes", std::uint64_t{0}) == bytes &&
                c.value("mtime_ns", std::int64_t{-1}) == mtime_ns && is_hex64(c.value("sha256", "")))
                digest = c["sha256"].get<std::string>();
        }
        if (digest.empty()) {
            digest = sha256_file(path, cancelled);
            cache[key] = {{"bytes", bytes}, {"mtime_ns", mtime_ns}, {"sha256", digest}};
            cache_changed = true;
        }
        id.files.push_back({name, bytes, digest});
        all.update(cat(name, "\t", bytes, "\t", digest, "\n"));
    }
    id.sha256 = all.hex();
    if (cache_changed) write_cache(cache_path, cache);
    return id;
}

}  // namespace sightline
