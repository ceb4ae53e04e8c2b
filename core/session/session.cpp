#include "core/session/session.h"

#include <cstdio>
#include <ctime>
#include <fstream>

#include "core/image/image_io.h"
#include "core/util/base64.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/sha256.h"
#include "core/util/strings.h"
#include "core/util/version.h"

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

std::string image_pixels_sha256(const cv::Mat& rgb) {
    Sha256 h;
    h.update(cat(rgb.rows, "x", rgb.cols, "x", rgb.channels(), "\n"));
    for (int y = 0; y < rgb.rows; ++y)
        h.update(rgb.ptr<unsigned char>(y), static_cast<std::size_t>(rgb.cols) * rgb.elemSize());
    return h.hex();
}

nlohmann::json session_to_json(const Session& s) {
    nlohmann::json image = nullptr;
    if (!s.image_rgb.empty()) {
        image = {{"hash", image_hash(s.image_rgb)},
                 {"sha256", image_pixels_sha256(s.image_rgb)},
                 {"path", s.image_path},
                 {"width", s.image_rgb.cols},
                 {"height", s.image_rgb.rows}};
        if (!s.image_file_sha256.empty()) image["file_sha256"] = s.image_file_sha256;
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
    nlohmann::json model = {{"name", s.model_name}, {"dir", s.model_dir}};
    nlohmann::json knockouts = nlohmann::json::array();
    for (const auto& k : s.knockouts) knockouts.push_back(to_json(k));
    if (!s.model_identity.empty()) model["identity"] = model_identity_to_json(s.model_identity);
    return {{"format", "sightline-session"},
            {"version", kSessionVersion},
            {"created", created},
            {"software", {{"name", "Sightline"}, {"version", software_version()}}},
            {"reviewer", s.reviewer},
            {"model", model},
            {"image", image},
            {"trace", trace_to_json(s.trace)},
            {"explanations", ex},
            {"knockouts", knockouts},
            {"current", {{"target", s.current_target}, {"method", s.current_method}}},
            {"view", s.view_settings},
            {"notes", s.notes}};
}

namespace {

// A library message shortened so that untrusted text it may quote stays readable.
std::string clipped(const std::string& s, std::size_t max = 160) {
    return s.size() <= max ? s : s.substr(0, max) + "...";
}

void check_position(std::int64_t p, const Trace& t, const std::string& field) {
    if (p < 0 || p >= static_cast<std::int64_t>(t.tokens.size()))
        fail(field, ": position ", p, " is outside the trace's ", t.tokens.size(), " tokens");
}

// The view settings the window reads: each, when present, of the type it expects.
void validate_view_settings(const nlohmann::json& v) {
    if (!v.is_object()) fail("view: not an object");
    for (const char* key : {"colormap", "system_prompt"})
        if (v.contains(key) && !v.at(key).is_string()) fail("view.", key, ": not a string");
    for (const char* key : {"opacity", "threshold"})
        if (v.contains(key) && !v.at(key).is_number()) fail("view.", key, ": not a number");
    for (const char* key : {"grid", "smooth"})
        if (v.contains(key) && !v.at(key).is_boolean()) fail("view.", key, ": not true or false");
    if (v.contains("turns")) {
        const auto& turns = v.at("turns");
        if (!turns.is_array()) fail("view.turns: not an array");
        for (std::size_t i = 0; i < turns.size(); ++i) {
            const auto& turn = turns[i];
            if (!turn.is_object()) fail("view.turns[", i, "]: not an object");
            for (const char* key : {"role", "content"})
                if (turn.contains(key) && !turn.at(key).is_string())
                    fail("view.turns[", i, "].", key, ": not a string");
        }
    }
}

// The readers below convert numbers with nlohmann's get<int>() / get<std::int64_t>(), which is undefined
// behaviour for a float outside the target's range ("grid": [1e300, 2], found by fuzz_session). Sessions
// hold no float that large (probabilities, scores, milliseconds), so such a float is refused anywhere in
// the file. Iterative, for JSON that did not come through load_session's depth check.
void check_float_ranges(const nlohmann::json& root, const std::string& origin) {
    std::vector<const nlohmann::json*> todo{&root};
    while (!todo.empty()) {
        const nlohmann::json* v = todo.back();
        todo.pop_back();
        if (v->is_number_float()) {
            const double d = v->get<double>();
            if (!(d > -2147483648.0 && d < 2147483648.0))
                fail(origin, ": a number out of range (", d, "): sessions hold no number this large");
        } else if (v->is_structured()) {
            for (const auto& child : *v) todo.push_back(&child);
        }
    }
}

}  // namespace

void validate_explanation(const Explanation& e, const Trace& t) {
    if (e.target < 0 || e.target >= t.answer_size())
        fail("target ", e.target, " is outside the answer's ", t.answer_size(), " tokens");
    if (e.target_position != t.answer_position(e.target))
        fail("target_position ", e.target_position, " is not answer token ", e.target, "'s position ",
             t.answer_position(e.target));
    if (e.text_positions.size() != e.text_scores.size())
        fail("text_positions and text_scores differ in length");
    for (std::size_t i = 0; i < e.text_positions.size(); ++i)
        check_position(e.text_positions[i], t, cat("text_positions[", i, "]"));
    if (e.has_image_map()) {
        if (!t.has_image()) fail("image_map: a map but the trace has no image");
        if (e.grid_h != t.grid_h || e.grid_w != t.grid_w)
            fail("grid: ", e.grid_h, "x", e.grid_w, " but the trace's map grid is ", t.grid_h, "x", t.grid_w);
        if (e.image_map.size() != static_cast<std::size_t>(static_cast<std::int64_t>(t.grid_h) * t.grid_w))
            fail("image_map: ", e.image_map.size(), " values for the ", t.grid_h, "x", t.grid_w, " grid");
    }
    if (!e.image_tokens.empty()) {
        const auto expected =
            t.layout.empty() ? t.image_count : static_cast<std::int64_t>(t.layout.tokens.size());
        if (static_cast<std::int64_t>(e.image_tokens.size()) != expected)
            fail("image_tokens: ", e.image_tokens.size(), " values for ", expected, " image positions");
    }
    if (e.masking)
        for (std::size_t i = 0; i < e.masking->positions.size(); ++i)
            check_position(e.masking->positions[i], t, cat("views.masking.positions[", i, "]"));
    if (e.graph)
        for (std::size_t i = 0; i < e.graph->nodes.size(); ++i)
            if (e.graph->nodes[i].position != -1)
                check_position(e.graph->nodes[i].position, t, cat("views.graph.nodes[", i, "].position"));
    if (e.interference)
        for (std::size_t i = 0; i < e.interference->context.size(); ++i) {
            check_position(e.interference->context[i].position, t,
                           cat("views.interference.context[", i, "].position"));
            check_position(e.interference->context[i].weight_position, t,
                           cat("views.interference.context[", i, "].weight_position"));
        }
    if (e.cell_words && e.cell_words->words.size() != e.image_map.size())
        fail("views.cell_words: ", e.cell_words->words.size(), " cells for a map of ", e.image_map.size());
    const auto check_layers = [](const std::vector<int>& layers, const char* view) {
        for (std::size_t i = 0; i < layers.size(); ++i)
            if (layers[i] < 0 || layers[i] > 100000)
                fail(view, ".layers[", i, "]: ", layers[i], " is not a layer");
    };
    if (e.layer_curves) check_layers(e.layer_curves->layers, "views.layer_curves");
    for (const auto& g : e.layer_positions) check_layers(g.layers, "views.layer_positions");
}

void validate_knockout(const KnockoutResult& k, const Trace& t) {
    if (k.target < 0 || k.target >= t.answer_size())
        fail("target ", k.target, " is outside the answer's ", t.answer_size(), " tokens");
    for (std::size_t i = 0; i < k.spec.positions.size(); ++i)
        if (k.spec.positions[i] < 0 || k.spec.positions[i] >= t.answer_begin)
            fail("positions[", i, "]: ", k.spec.positions[i], " is not a prompt position");
    if (!is_knockout_op(k.spec.op)) fail("op: unknown knockout");
    for (double p : {k.p_before, k.p_after})
        if (!(p >= 0 && p <= 1)) fail("p_before/p_after: not a probability");
}

Session session_from_json(const nlohmann::json& j, const std::string& origin) {
    if (!j.is_object() || !j.contains("format") || !j.at("format").is_string() ||
        j.at("format").get<std::string>() != "sightline-session")
        fail(origin, ": not a Sightline session file");
    if (!j.contains("version") || !j.at("version").is_number_integer())
        fail(origin, ": the session format version is missing or not a number");
    const auto version = j.at("version").get<std::int64_t>();
    if (version != kSessionVersion)
        fail(origin, ": session format version ", version, " is not supported (this build reads version ",
             kSessionVersion, ")");
    check_float_ranges(j, origin);
    std::string field = "session";
    try {
        Session s;
        field = "model";
        s.model_name = j.at("model").at("name").get<std::string>();
        s.model_dir = j.at("model").value("dir", "");
        if (j.at("model").contains("identity")) {
            field = "model.identity";
            s.model_identity = model_identity_from_json(j.at("model").at("identity"));
        }
        field = "created";
        s.created = j.value("created", "");
        field = "software";
        if (j.contains("software")) s.software_version = j.at("software").value("version", "");
        field = "reviewer";
        s.reviewer = j.value("reviewer", "");
        field = "image";
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
                         s.image_path.empty() ? "no path is stored"
                                              : clipped(s.image_path, 200) + " is missing");
                s.image_rgb = load_image_rgb(s.image_path);
                s.embed_image = false;
            }
            if (image_hash(s.image_rgb) != s.image_hash)
                fail("the image does not match the one the session was saved with (hash differs)");
            s.image_file_sha256 = im.value("file_sha256", "");
            if (im.contains("sha256")) {
                s.image_sha256 = im.at("sha256").get<std::string>();
                if (image_pixels_sha256(s.image_rgb) != s.image_sha256)
                    fail("the image does not match the one the session was saved with (SHA-256 differs)");
            }
        }
        field = "trace";
        s.trace = trace_from_json(j.at("trace"));
        if (s.trace.has_image() && s.image_rgb.empty())
            fail("the trace has image positions but there is no image");
        std::size_t i = 0;
        for (const auto& e : j.at("explanations")) {
            field = cat("explanations[", i++, "]");
            s.explanations.push_back(explanation_from_json(e));
            validate_explanation(s.explanations.back(), s.trace);
        }
        i = 0;
        for (const auto& k : j.value("knockouts", nlohmann::json::array())) {
            field = cat("knockouts[", i++, "]");
            s.knockouts.push_back(knockout_from_json(k));
            validate_knockout(s.knockouts.back(), s.trace);
        }
        field = "current";
        const auto& current = j.at("current");
        if (!current.is_object()) fail("not an object");
        field = "current.target";
        s.current_target = current.value("target", std::int64_t{-1});
        if (s.current_target < -1 || s.current_target >= s.trace.answer_size())
            fail("target ", s.current_target, " is outside the answer's ", s.trace.answer_size(), " tokens");
        field = "current.method";
        s.current_method = current.value("method", "");
        field = "view";
        s.view_settings = j.value("view", nlohmann::json::object());
        validate_view_settings(s.view_settings);
        field = "notes";
        s.notes = j.value("notes", "");
        return s;
    } catch (const nlohmann::json::exception& e) {
        fail(origin, ": ", field, ": ", clipped(e.what()));
    } catch (const Error& e) {
        const std::string m = e.what();  // names the field itself when it starts with it
        fail(origin, ": ", m.rfind(field, 0) == 0 ? m : field + ": " + m);
    }
}

void save_session(const Session& s, const std::string& path) {
    write_file_atomic(path,
                      session_to_json(s).dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                      "session");
}

Session load_session(const std::string& path) {
    // Nesting is limited before parsing, as for every JSON file read (copying or printing a value
    // nested 100k deep overflows the stack; found by fuzz_session).
    const std::string text = read_text_file(path);
    check_json_depth(text, kMaxJsonDepth, path);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        fail(path, ": not valid JSON (", clipped(e.what()), ")");
    } catch (const nlohmann::json::exception& e) {
        fail(path, ": cannot read the JSON (", clipped(e.what()), ")");
    }
    return session_from_json(j, path);
}

}  // namespace sightline
