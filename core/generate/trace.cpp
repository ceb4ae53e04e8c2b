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
    fail("unknown token role '", s, "'");
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

Trace trace_from_json(const nlohmann::json& j) {
    try {
        Trace t;
        t.model_name = j.at("model").get<std::string>();
        t.question = j.value("question", "");
        t.prompt_text = j.value("prompt_text", "");
        t.template_warning = j.value("template_warning", "");
        t.image_label = j.value("image", "");
        for (const auto& tj : j.at("tokens")) {
            TraceToken tok;
            tok.id = tj.at("id").get<std::int64_t>();
            tok.text = tj.at("text").get<std::string>();
            tok.role = token_role_from_string(tj.at("role").get<std::string>());
            if (tj.contains("patch")) {
                tok.row = tj["patch"].at(0).get<int>();
                tok.col = tj["patch"].at(1).get<int>();
            }
            t.tokens.push_back(std::move(tok));
        }
        t.answer_begin = j.at("answer_begin").get<std::int64_t>();
        t.answer_text = j.value("answer_text", "");
        t.grid_h = j.at("grid").at(0).get<int>();
        t.grid_w = j.at("grid").at(1).get<int>();
        t.image_begin = j.at("image_begin").get<std::int64_t>();
        t.image_count = j.at("image_count").get<std::int64_t>();
        for (const auto& sj : j.at("steps")) {
            AnswerStep s;
            s.id = sj.at("id").get<std::int64_t>();
            s.prob = sj.at("prob").get<double>();
            for (const auto& aj : sj.at("top"))
                s.top.push_back({aj.at("id").get<std::int64_t>(), aj.at("text").get<std::string>(),
                                 aj.at("prob").get<double>()});
            t.steps.push_back(std::move(s));
        }
        if (j.contains("settings")) {
            const auto& g = j["settings"];
            t.settings.max_new_tokens = g.value("max_new_tokens", 64);
            t.settings.temperature = g.value("temperature", 0.0);
            t.settings.top_p = g.value("top_p", 1.0);
            t.settings.top_k = g.value("top_k", 0);
            t.settings.seed = g.value("seed", std::uint64_t{0});
            t.settings.stop_ids = g.value("stop_ids", std::vector<std::int64_t>{});
        }
        t.stop_reason = j.value("stop_reason", "");
        t.prefill_ms = j.value("prefill_ms", 0.0);
        t.decode_ms = j.value("decode_ms", 0.0);
        if (j.contains("image_layout")) {
            t.layout = image_layout_from_json(j.at("image_layout"));
            if (static_cast<std::int64_t>(t.layout.tokens.size()) != t.image_count)
                fail("the image layout has ", t.layout.tokens.size(), " tokens for ", t.image_count,
                     " image positions");
        }
        if (t.answer_begin < 0 || t.answer_begin > static_cast<std::int64_t>(t.tokens.size()) ||
            t.steps.size() != static_cast<std::size_t>(t.answer_size()))
            fail("inconsistent answer positions");
        if (t.image_begin >= 0 && t.image_begin + t.image_count > static_cast<std::int64_t>(t.tokens.size()))
            fail("image positions run past the tokens");
        return t;
    } catch (const nlohmann::json::exception& e) {
        fail("trace JSON is malformed: ", e.what());
    } catch (const Error& e) {
        fail("trace JSON is malformed: ", e.what());
    }
}

}  // namespace sightline
