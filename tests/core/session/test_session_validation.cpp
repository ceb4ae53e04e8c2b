// Sessions, traces and explanations read from files are validated completely (issue 21): a real session
// of a tiny model is saved, then one field at a time is corrupted as a fuzzer did (image-token cells
// outside the grid, a wrong grid, a 65537x65537 grid, targets and positions outside the trace, wrong JSON
// types); each is refused with a sightline::Error that names the file and the field, never with a crash.
#include <QTemporaryDir>
#include <QtTest>
#include <functional>
#include <opencv2/core.hpp>

#include "core/explain/explanation.h"
#include "core/explain/trace_context.h"
#include "core/explore/explorer.h"
#include "core/session/session.h"
#include "core/util/error.h"
#include "tests/support/tiny_models.h"

using namespace sightline;
using nlohmann::json;

namespace {

constexpr const char* kOrigin = "crafted.sightline.json";

// The error session_from_json gives for `j`, or "" when it is accepted.
std::string refusal(const json& j) {
    try {
        session_from_json(j, kOrigin);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

class TestSessionValidation : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::string dir_;
    json base_;  // a valid saved session
    std::int64_t image_begin_ = 0;
    std::size_t with_text_ = 0;  // an explanation with text positions

    // Corrupts a copy of the valid session and checks the refusal names the file and `field`.
    void refused(const std::function<void(json&)>& corrupt, const std::string& field) {
        json j = base_;
        corrupt(j);
        const std::string msg = refusal(j);
        QVERIFY2(!msg.empty(), ("accepted a session with a bad " + field).c_str());
        QVERIFY2(msg.find(kOrigin) != std::string::npos, msg.c_str());
        QVERIFY2(msg.find(field) != std::string::npos, (field + " not named in: " + msg).c_str());
        QVERIFY2(msg.size() < 1200, msg.substr(0, 300).c_str());  // untrusted values are not dumped
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        dir_ = test::write_tiny_model(tmp_.path().toStdString() + "/tiny", test::TinySpec{});
        Explorer x(load_model(dir_));
        const PromptRequest r = test::question_about_noise("what is red?");
        GenerationSettings g;
        g.max_new_tokens = 4;
        g.stop_ids = {-1};
        const auto trace = x.generate(r, g);
        Session s;
        s.model_name = trace->model_name;
        s.model_dir = dir_;
        s.image_rgb = *r.image_rgb;
        s.trace = *trace;
        for (const char* m : {"tam", "attention"}) s.explanations.push_back(x.explain(m, 1));
        s.current_target = 1;
        s.current_method = "tam";
        s.view_settings = {{"colormap", "jet"}, {"opacity", 0.5}, {"threshold", 0.0},
                           {"grid", false},     {"smooth", true}, {"turns", json::array()}};
        base_ = session_to_json(s);
        image_begin_ = trace->image_begin;
        QVERIFY(image_begin_ >= 0);
        with_text_ = s.explanations.size();
        for (std::size_t i = 0; i < s.explanations.size(); ++i)
            if (!s.explanations[i].text_positions.empty()) with_text_ = i;
        QVERIFY(with_text_ < s.explanations.size());
        QVERIFY(!s.explanations[0].image_tokens.empty());
    }

    void a_valid_session_is_read() {
        const Session s = session_from_json(base_, kOrigin);
        QCOMPARE(s.explanations.size(), std::size_t{2});
        QCOMPARE(s.current_target, std::int64_t{1});
        // And round-trips through a file.
        const std::string path = tmp_.path().toStdString() + "/ok.sightline.json";
        save_session(s, path);
        QCOMPARE(load_session(path).trace.ids(), s.trace.ids());
    }

    void image_tokens_outside_the_grid_are_refused() {
        const auto k = static_cast<std::size_t>(image_begin_);
        refused([&](json& j) { j["trace"]["tokens"][k]["patch"] = {100, 5}; }, "tokens[");
        refused([&](json& j) { j["trace"]["tokens"][k]["patch"] = {-3, 0}; }, ".patch");
        refused([&](json& j) { j["trace"]["tokens"][k]["patch"] = "x"; }, ".patch");
        // Without the layout, the cells are checked against the grid itself.
        refused(
            [&](json& j) {
                j["trace"].erase("image_layout");
                j["trace"]["tokens"][k]["patch"] = {100, 5};
            },
            "outside the");
        // A prompt token declared an image token, an image token declared a prompt token.
        refused([&](json& j) { j["trace"]["tokens"][0]["role"] = "image"; }, "role");
        refused([&](json& j) { j["trace"]["tokens"][k]["role"] = "prompt"; }, "role");
        refused([&](json& j) { j["trace"]["tokens"][0]["role"] = std::string(100000, 'r'); }, "tokens[0]");
    }

    void a_grid_other_than_the_layouts_is_refused() {
        refused([](json& j) { j["trace"]["grid"] = {12, 1}; }, "grid");
        refused([](json& j) { j["trace"]["grid"] = {65537, 65537}; }, "grid");
        refused([](json& j) { j["trace"]["grid"] = {0, 0}; }, "grid");
        refused([](json& j) { j["trace"]["grid"] = {3}; }, "grid");
        // A hand-made trace without a layout still has a bounded grid (the product is not allowed to wrap).
        refused(
            [](json& j) {
                j["trace"].erase("image_layout");
                j["trace"]["grid"] = {65537, 65537};
            },
            "grid");
    }

    void positions_and_counts_inside_the_tokens() {
        refused([](json& j) { j["trace"]["answer_begin"] = 99999; }, "answer_begin");
        refused([](json& j) { j["trace"]["answer_begin"] = -2; }, "answer_begin");
        refused([](json& j) { j["trace"]["image_begin"] = 99999; }, "image_begin");
        refused([](json& j) { j["trace"]["image_count"] = 1000000; }, "image");
        refused([](json& j) { j["trace"]["image_count"] = -1; }, "image");
        refused([](json& j) { j["trace"]["steps"].erase(0); }, "steps");
        refused([](json& j) { j["trace"]["image_begin"] = "zero"; }, "image_begin");
    }

    void targets_inside_the_answer() {
        refused([](json& j) { j["current"]["target"] = 999; }, "current.target");
        refused([](json& j) { j["current"]["target"] = -5; }, "current.target");
        refused([](json& j) { j["current"]["target"] = "first"; }, "current.target");
        refused([](json& j) { j["explanations"][0]["target"] = 999; }, "explanations[0]");
    }

    void explanation_positions_inside_the_trace() {
        refused([](json& j) { j["explanations"][0]["target_position"] = 99999; }, "target_position");
        refused([](json& j) { j["explanations"][0]["target_position"] = 0; }, "target_position");
        const std::size_t t = with_text_;
        const std::string name = "explanations[" + std::to_string(t) + "]";
        refused([&](json& j) { j["explanations"][t]["text_positions"][0] = 99999; }, "text_positions");
        refused([&](json& j) { j["explanations"][t]["text_positions"][0] = -1; }, name);
        refused([&](json& j) { j["explanations"][t]["text_scores"].erase(0); }, name);
    }

    void explanation_maps_match_the_trace() {
        refused([](json& j) { j["explanations"][0]["image_map"].erase(0); }, "image_map");
        refused([](json& j) { j["explanations"][0]["grid"] = {1, 144}; }, "grid");
        // 65537 x 65537 wraps to 131073 cells in 32 bits: a map of that size must not pass.
        refused(
            [](json& j) {
                j["explanations"][0]["grid"] = {65537, 65537};
                j["explanations"][0]["image_map"] = std::vector<float>(131073, 0.0f);
            },
            "explanations[0]");
        refused([](json& j) { j["explanations"][0]["image_tokens"].erase(0); }, "image_tokens");
        refused([](json& j) { j["explanations"][0]["image_map"] = "hot"; }, "explanations[0]");
    }

    void view_settings_of_the_wrong_type() {
        refused([](json& j) { j["view"]["opacity"] = "high"; }, "view.opacity");
        refused([](json& j) { j["view"]["colormap"] = 3; }, "view.colormap");
        refused([](json& j) { j["view"]["grid"] = "yes"; }, "view.grid");
        refused([](json& j) { j["view"]["turns"] = json::array({json{{"role", 1}}}); }, "view.turns[0].role");
        refused([](json& j) { j["view"] = json::array(); }, "view");
        refused([](json& j) { j["current"] = 5; }, "current");
        refused([](json& j) { j["version"] = "1"; }, "version");
    }

    // Traces handed over in memory (the GUI adopting a session's answer) are checked against the model's
    // own layout, and to_grid checks every cell it writes.
    void adopted_traces_and_to_grid_check_cells() {
        const Session s = session_from_json(base_, kOrigin);
        Explorer x(load_model(dir_));
        Trace bad = s.trace;
        bad.tokens[static_cast<std::size_t>(bad.image_begin)].row = 100;
        QVERIFY_THROWS_EXCEPTION(Error, x.adopt_trace(bad, s.image_rgb));
        Trace wide = s.trace;
        wide.grid_w = 1;
        QVERIFY_THROWS_EXCEPTION(Error, x.adopt_trace(wide, s.image_rgb));
        QVERIFY(x.adopt_trace(s.trace, s.image_rgb));

        // A hand-made trace without a layout whose image token names a cell outside its grid.
        auto loose = std::make_shared<Trace>(s.trace);
        loose->layout = ImageLayout();
        loose->tokens[static_cast<std::size_t>(loose->image_begin)].row = 100;
        TraceContext ctx(x.model(), loose);
        const std::vector<float> values(static_cast<std::size_t>(loose->image_count), 1.0f);
        QVERIFY_THROWS_EXCEPTION(Error, ctx.to_grid(values));
        QVERIFY_THROWS_EXCEPTION(Error, validate_trace(*loose));
    }
};

QTEST_GUILESS_MAIN(TestSessionValidation)
#include "test_session_validation.moc"
