#include "core/session/session.h"

#include <cstdio>
#include <ctime>
#include <fstream>

#include "core/image/image_io.h"
#include "core/util/base64.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {

std::string image_hash(const cv::Mat& rgb) {
    std::uint64_t h = 1469598103934665603ull;
    auto feed = [&](const unsigned char* p, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            h ^= p[i];
            h *= 1099511628211ull;
        }
    };
    const int dims[3] = {rgb.rows, rgb.cols, rgb.channels()};
    feed(reinterpret_cast<const unsigned char*>(dims), sizeof dims);
    for (int y = 0; y < rgb.rows; ++y)
        feed(rgb.ptr<unsigned char>(y), static_cast<std::size_t>(rgb.cols) * rgb.elemSize());
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

nlohmann::json session_to_json(const Session& s) {
    nlohmann::json image = nullptr;
    if (!s.image_rgb.empty()) {
        image = {{"hash", image_hash(s.image_rgb)},
                 {"path", s.image_path},
                 {"width", s.image_rgb.cols},
                 {"height", s.image_rgb.rows}};
        if (s.embed_image) image["png_base64"] = base64_encode(encode_png_rgb(s.image_rgb));
    }
    nlohmann::json ex = nlohmann::json::array();
    for (const auto& e : s.explanations) ex.push_back(explanation_to_json(e));
    std::string created = s.created;
    if (created.empty()) {
        char buf[32];
        const std::time_t now = std::time(nullptr);
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
        created = buf;
    }
    return {{"format", "sightline-session"},
            {"version", kSessionVersion},
            {"created", created},
            {"model", {{"name", s.model_name}, {"dir", s.model_dir}}},
            {"image", image},
            {"trace", trace_to_json(s.trace)},
            {"explanations", ex},
            {"current", {{"target", s.current_target}, {"method", s.current_method}}},
            {"view", s.view_settings},
            {"notes", s.notes}};
}

Session session_from_json(const nlohmann::json& j, const std::string& origin) {
    if (!j.is_object() || j.value("format", "") != "sightline-session")
        fail(origin, ": not a Sightline session file");
    const int version = j.value("version", 0);
    if (version != kSessionVersion)
        fail(origin, ": session format version ", version, " is not supported (this build reads version ",
             kSessionVersion, ")");
    try {
        Session s;
        s.model_name = j.at("model").at("name").get<std::string>();
        s.model_dir = j.at("model").value("dir", "");
        s.created = j.value("created", "");
        const auto& im = j.at("image");
        if (!im.is_null()) {
            s.image_path = im.value("path", "");
            s.image_hash = im.at("hash").get<std::string>();
            if (im.contains("png_base64")) {
                s.image_rgb = decode_image_rgb(base64_decode(im["png_base64"].get<std::string>()),
                                               origin + " (embedded image)");
                s.embed_image = true;
            } else {
                if (s.image_path.empty() || !file_exists(s.image_path))
                    fail("the session's image is not embedded and ",
                         s.image_path.empty() ? "no path is stored" : s.image_path + " is missing");
                s.image_rgb = load_image_rgb(s.image_path);
                s.embed_image = false;
            }
            if (image_hash(s.image_rgb) != s.image_hash)
                fail("the image does not match the one the session was saved with (hash differs)");
        }
        s.trace = trace_from_json(j.at("trace"));
        for (const auto& e : j.at("explanations")) s.explanations.push_back(explanation_from_json(e));
        s.current_target = j.at("current").value("target", std::int64_t{-1});
        s.current_method = j.at("current").value("method", "");
        s.view_settings = j.value("view", nlohmann::json::object());
        s.notes = j.value("notes", "");
        return s;
    } catch (const nlohmann::json::exception& e) {
        fail(origin, ": session file is malformed (", e.what(), ")");
    } catch (const Error& e) {
        fail(origin, ": ", e.what());
    }
}

void save_session(const Session& s, const std::string& path) {
    const std::string tmp = path + ".partial";
    {
        std::ofstream out(tmp);
        out << session_to_json(s).dump(1) << "\n";
        if (!out) fail("cannot write ", tmp);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot write ", path);
}

Session load_session(const std::string& path) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(read_text_file(path));
    } catch (const nlohmann::json::parse_error& e) {
        fail(path, ": not valid JSON (", e.what(), ")");
    }
    return session_from_json(j, path);
}

}  // namespace sightline
