// Fuzzes review-session loading (core/session/session.cpp with trace_from_json and
// explanation_from_json) through load_session: the input is a .sightline.json file. An accepted session
// must keep the promises the GUI relies on (issue 21): image-token cells inside the grid, explanation
// targets and positions inside the trace, current.target inside the answer, grids that fit their maps.
#include <cstdint>
#include <string>

#include "core/session/session.h"
#include "tests/fuzz/fuzz_support.h"

using namespace sightline;

namespace {

// 100k nested brackets where the reader copies the value (the view settings, an explanation's params)
// in an otherwise valid text-only session.
const fuzz::RegisterGenerated nested("100k_nested_brackets", [] {
    const std::string deep = fuzz::nested_brackets(100000, true);
    return R"({"format":"sightline-session","version":1,"model":{"name":"m"},"image":null,"trace":{"model":"m",)"
           R"("tokens":[{"id":1,"text":"a","role":"prompt"},{"id":2,"text":"b","role":"answer"}],"answer_begin":1,)"
           R"("grid":[0,0],"image_begin":-1,"image_count":0,"steps":[{"id":2,"prob":0.5,"top":[]}]},)"
           R"("explanations":[{"method":"x","target":0,"target_position":1,"grid":[0,0],"image_map":[],"params":)" +
           deep + R"(}],"current":{"target":0},"view":)" + deep + "}";
});

void check_session(const Session& s) {
    const Trace& t = s.trace;
    const auto n = static_cast<std::int64_t>(t.tokens.size());
    const std::int64_t cells = static_cast<std::int64_t>(t.grid_h) * t.grid_w;
    for (const auto& tok : t.tokens) {
        if (tok.role != TokenRole::Image || (tok.row == -1 && tok.col == -1)) continue;
        const std::int64_t cell = static_cast<std::int64_t>(tok.row) * t.grid_w + tok.col;
        if (tok.row < 0 || tok.col < 0 || tok.row >= t.grid_h || tok.col >= t.grid_w || cell >= cells)
            fuzz::finding("an image token's cell lies outside the trace grid");
    }
    if (t.answer_begin < 0 || t.answer_begin > n) fuzz::finding("answer_begin outside the trace");
    if (s.current_target < -1 || s.current_target >= t.answer_size())
        fuzz::finding("current.target outside the answer");
    if (s.current_target >= 0)
        (void)t.tokens[static_cast<std::size_t>(t.answer_position(s.current_target))].text;
    for (const auto& e : s.explanations) {
        if (e.target < 0 || e.target >= t.answer_size())
            fuzz::finding("explanation target outside the answer");
        if (e.target_position < 0 || e.target_position >= n)
            fuzz::finding("target_position outside the trace");
        (void)t.tokens[static_cast<std::size_t>(e.target_position)].id;
        for (const auto p : e.text_positions)
            if (p < 0 || p >= n) fuzz::finding("a text position outside the trace");
        if (e.has_image_map() &&
            static_cast<std::int64_t>(e.image_map.size()) != static_cast<std::int64_t>(e.grid_h) * e.grid_w)
            fuzz::finding("an image map that does not fill its grid");
    }
    if (!s.image_rgb.empty() && image_hash(s.image_rgb) != s.image_hash) fuzz::finding("image hash differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::write_scratch("session/review.sightline.json", data, size);
    fuzz::expect_only_errors([&] {
        const Session s = load_session(path);
        check_session(s);
        // What saving does: the loaded session serialises again.
        (void)session_to_json(s).dump();
    });
    return 0;
}
