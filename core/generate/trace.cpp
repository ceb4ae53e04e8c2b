#include "core/generate/trace.h"

#include "core/util/error.h"

namespace sightline {

const char* to_string(TokenRole r) {
    switch (r) {
        case TokenRole::System:
            return "system";
        case TokenRole::Prompt:
            return "prompt";
        case TokenRole::Image:
            return "image";
        case TokenRole::Answer:
            return "answer";
    }
    return "?";
}

TokenRole token_role_from_string(const std::string& s) {
    if (s == "system") return TokenRole::System;
    if (s == "prompt") return TokenRole::Prompt;
    if (s == "image") return TokenRole::Image;
    if (s == "answer") return TokenRole::Answer;
    fail("unknown token role '", s.size() > 80 ? s.substr(0, 80) + "..." : s, "'");
}

std::vector<std::int64_t> Trace::ids() const {
    std::vector<std::int64_t> out;
    out.reserve(tokens.size());
    for (const auto& t : tokens) out.push_back(t.id);
    return out;
}

std::vector<std::int64_t> Trace::answer_ids() const {
    std::vector<std::int64_t> out;
    for (std::size_t i = static_cast<std::size_t>(answer_begin); i < tokens.size(); ++i)
        out.push_back(tokens[i].id);
    return out;
}

nlohmann::json answer_tokens_json(const Trace& t) {
    nlohmann::json out = nlohmann::json::array();
    for (std::int64_t k = 0; k < t.answer_size(); ++k) {
        const auto& tok = t.tokens[static_cast<std::size_t>(t.answer_begin + k)];
        out.push_back({{"index", k},
                       {"position", t.answer_begin + k},
                       {"id", tok.id},
                       {"text", tok.text},
                       {"prob", t.steps[static_cast<std::size_t>(k)].prob}});
    }
    return out;
}

nlohmann::json trace_to_json(const Trace& t) {
    nlohmann::json tokens = nlohmann::json::array();
    for (const auto& tok : t.tokens) {
        nlohmann::json j = {{"id", tok.id}, {"text", tok.text}, {"role", to_string(tok.role)}};
        if (tok.role == TokenRole::Image) j["patch"] = {tok.row, tok.col};
        tokens.push_back(std::move(j));
    }
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : t.steps) {
        nlohmann::json top = nlohmann::json::array();
        for (const auto& a : s.top) top.push_back({{"id", a.id}, {"text", a.text}, {"prob", a.prob}});
        steps.push_back({{"id", s.id}, {"prob", s.prob}, {"top", top}});
    }
    const auto& g = t.settings;
    nlohmann::json out = {{"model", t.model_name},
                          {"question", t.question},
                          {"prompt_text", t.prompt_text},
                          {"image", t.image_label},
                          {"tokens", tokens},
                          {"answer_begin", t.answer_begin},
                          {"answer_text", t.answer_text},
                          {"grid", {t.grid_h, t.grid_w}},
                          {"image_begin", t.image_begin},
                          {"image_count", t.image_count},
                          {"steps", steps},
                          {"settings",
                           {{"max_new_tokens", g.max_new_tokens},
                            {"temperature", g.temperature},
                            {"top_p", g.top_p},
                            {"top_k", g.top_k},
                            {"seed", g.seed},
                            {"stop_ids", g.stop_ids}}},
                          {"stop_reason", t.stop_reason},
                          {"prefill_ms", t.prefill_ms},
                          {"decode_ms", t.decode_ms}};
    if (!t.layout.empty()) out["image_layout"] = image_layout_to_json(t.layout);
    if (!t.template_warning.empty()) out["template_warning"] = t.template_warning;
    return out;
}

namespace {

// A library message shortened so that untrusted text it may quote stays readable.
std::string clipped(const std::string& s, std::size_t max = 160) {
    return s.size() <= max ? s : s.substr(0, max) + "...";
}

}  // namespace

void validate_trace(const Trace& t) {
    const auto n = static_cast<std::int64_t>(t.tokens.size());
    if (t.answer_begin < 0 || t.answer_begin > n)
        fail("answer_begin ", t.answer_begin, " is outside the ", n, " tokens");
    if (static_cast<std::int64_t>(t.steps.size()) != t.answer_size())
        fail("steps: ", t.steps.size(), " steps for ", t.answer_size(), " answer tokens");
    if (t.grid_h < 0 || t.grid_w < 0 || t.grid_h > kMaxTraceGridSide || t.grid_w > kMaxTraceGridSide ||
        static_cast<std::int64_t>(t.grid_h) * t.grid_w > kMaxTraceGridCells)
        fail("grid: ", t.grid_h, "x", t.grid_w, " is not a valid map grid (each side at most ",
             kMaxTraceGridSide, ")");
    if (t.image_begin < 0) {
        if (t.image_begin != -1 || t.image_count != 0)
            fail("image_begin ", t.image_begin, " / image_count ", t.image_count,
                 ": no image but image positions");
        if (!t.layout.empty()) fail("image_layout: a layout without image positions");
    } else {
        if (t.image_count <= 0 || t.image_count > n || t.image_begin > t.answer_begin - t.image_count)
            fail("image_begin ", t.image_begin, " / image_count ", t.image_count,
                 ": the image positions are not inside the ", t.answer_begin, " prompt tokens");
        if (t.grid_h <= 0 || t.grid_w <= 0)
            fail("grid: ", t.grid_h, "x", t.grid_w, " is empty but there is an image");
        if (!t.layout.empty()) {
            if (static_cast<std::int64_t>(t.layout.tokens.size()) != t.image_count)
                fail("image_layout: ", t.layout.tokens.size(), " tokens for ", t.image_count,
                     " image positions");
            const cv::Size g = map_grid_size(t.layout);
            if (g.height != t.grid_h || g.width != t.grid_w)
                fail("grid: ", t.grid_h, "x", t.grid_w, " but the image layout gives ", g.height, "x",
                     g.width);
        }
    }
    for (std::int64_t i = 0; i < n; ++i) {
        const TraceToken& tok = t.tokens[static_cast<std::size_t>(i)];
        const bool in_image = t.image_begin >= 0 && i >= t.image_begin && i < t.image_begin + t.image_count;
        if (in_image != (tok.role == TokenRole::Image))
            fail("tokens[", i, "]: role '", to_string(tok.role), "' ", in_image ? "inside" : "outside",
                 " the image positions");
        if ((tok.role == TokenRole::Answer) != (i >= t.answer_begin))
            fail("tokens[", i, "]: role '", to_string(tok.role), "' does not match answer_begin ",
                 t.answer_begin);
        if (!in_image) {
            if (tok.row != -1 || tok.col != -1) fail("tokens[", i, "]: a patch on a non-image token");
            continue;
        }
        if (!t.layout.empty()) {
            const ImageTokenPlace& place = t.layout.tokens[static_cast<std::size_t>(i - t.image_begin)];
            if (tok.row != place.row || tok.col != place.col)
                fail("tokens[", i, "].patch: (", tok.row, ", ", tok.col,
                     ") but the image layout places it at (", place.row, ", ", place.col, ")");
        } else if (!(tok.row == -1 && tok.col == -1) &&
                   (tok.row < 0 || tok.col < 0 || tok.row >= t.grid_h || tok.col >= t.grid_w)) {
            fail("tokens[", i, "].patch: (", tok.row, ", ", tok.col, ") is outside the ", t.grid_h, "x",
                 t.grid_w, " grid");
        }
    }
}

Trace trace_from_json(const nlohmann::json& j) {
    std::string field = "trace";
    try {
        if (!j.is_object()) fail("not an object");
        Trace t;
        field = "model";
        t.model_name = j.at("model").get<std::string>();
        field = "question";
        t.question = j.value("question", "");
        field = "prompt_text";
        t.prompt_text = j.value("prompt_text", "");
        field = "template_warning";
        t.template_warning = j.value("template_warning", "");
        field = "image";
        t.image_label = j.value("image", "");
        std::size_t i = 0;
        for (const auto& tj : j.at("tokens")) {
            field = cat("tokens[", i++, "]");
            TraceToken tok;
            tok.id = tj.at("id").get<std::int64_t>();
            tok.text = tj.at("text").get<std::string>();
            tok.role = token_role_from_string(tj.at("role").get<std::string>());
            if (tj.contains("patch")) {
                field += ".patch";
                const auto& p = tj.at("patch");
                if (!p.is_array() || p.size() != 2) fail("not a [row, col] pair");
                tok.row = p.at(0).get<int>();
                tok.col = p.at(1).get<int>();
            }
            t.tokens.push_back(std::move(tok));
        }
        field = "answer_begin";
        t.answer_begin = j.at("answer_begin").get<std::int64_t>();
        field = "answer_text";
        t.answer_text = j.value("answer_text", "");
        field = "grid";
        if (!j.at("grid").is_array() || j.at("grid").size() != 2) fail("not a [height, width] pair");
        t.grid_h = j.at("grid").at(0).get<int>();
        t.grid_w = j.at("grid").at(1).get<int>();
        field = "image_begin";
        t.image_begin = j.at("image_begin").get<std::int64_t>();
        field = "image_count";
        t.image_count = j.at("image_count").get<std::int64_t>();
        i = 0;
        for (const auto& sj : j.at("steps")) {
            field = cat("steps[", i++, "]");
            AnswerStep s;
            s.id = sj.at("id").get<std::int64_t>();
            s.prob = sj.at("prob").get<double>();
            for (const auto& aj : sj.at("top"))
                s.top.push_back({aj.at("id").get<std::int64_t>(), aj.at("text").get<std::string>(),
                                 aj.at("prob").get<double>()});
            t.steps.push_back(std::move(s));
        }
        if (j.contains("settings")) {
            field = "settings";
            const auto& g = j["settings"];
            t.settings.max_new_tokens = g.value("max_new_tokens", 64);
            t.settings.temperature = g.value("temperature", 0.0);
            t.settings.top_p = g.value("top_p", 1.0);
            t.settings.top_k = g.value("top_k", 0);
            t.settings.seed = g.value("seed", std::uint64_t{0});
            t.settings.stop_ids = g.value("stop_ids", std::vector<std::int64_t>{});
        }
        field = "stop_reason";
        t.stop_reason = j.value("stop_reason", "");
        field = "prefill_ms";
        t.prefill_ms = j.value("prefill_ms", 0.0);
        field = "decode_ms";
        t.decode_ms = j.value("decode_ms", 0.0);
        if (j.contains("image_layout")) {
            field = "image_layout";
            t.layout = image_layout_from_json(j.at("image_layout"));
        }
        field = "trace";
        validate_trace(t);
        return t;
    } catch (const nlohmann::json::exception& e) {
        fail(field == "trace" ? std::string("trace") : "trace." + field, ": ", clipped(e.what()));
    } catch (const Error& e) {
        fail(field == "trace" ? std::string("trace") : "trace." + field, ": ", e.what());
    }
}

}  // namespace sightline
