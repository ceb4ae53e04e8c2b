#include "core/eval/answer_scoring.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <random>

#include "core/eval/explainer_eval.h"
#include "core/explore/explorer.h"
#include "core/generate/trace.h"
#include "core/metrics/faithfulness.h"
#include "core/metrics/localisation.h"
#include "core/text/tokenizer.h"
#include "core/toy/answer_match.h"
#include "core/toy/sample.h"
#include "core/toy/vocabulary.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

using metrics::GridMap;

GridMap random_map(int h, int w, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    GridMap m{h, w, std::vector<float>(static_cast<std::size_t>(h * w))};
    for (auto& v : m.values) v = static_cast<float>(std::generate_canonical<double, 53>(rng));
    return m;
}

GridMap center_map(int h, int w) {
    GridMap m{h, w, std::vector<float>(static_cast<std::size_t>(h * w))};
    const double cy = (h - 1) / 2.0, cx = (w - 1) / 2.0, s = std::max(h, w) / 4.0;
    for (int r = 0; r < h; ++r)
        for (int c = 0; c < w; ++c)
            m.values[static_cast<std::size_t>(r * w + c)] =
                static_cast<float>(std::exp(-((r - cy) * (r - cy) + (c - cx) * (c - cx)) / (2 * s * s)));
    return m;
}

// Letters (and any non-ASCII byte, so words of other scripts count) make a token a word piece.
bool word_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || u >= 0x80;
}

struct Span {
    std::size_t begin, end;
    AnswerWordSpan::Kind kind;
    int object;
    std::string word;
};

}  // namespace

bool has_letter(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return std::isalpha(u) != 0 || u >= 0x80;
    });
}

std::string to_string(AnswerWordSpan::Kind kind) {
    switch (kind) {
        case AnswerWordSpan::Kind::Object:
            return "object";
        case AnswerWordSpan::Kind::Function:
            return "function";
        case AnswerWordSpan::Kind::Other:
            break;
    }
    return "other";
}

AnswerTruth answer_truth_of(const toy::Sample& s) {
    AnswerTruth t;
    t.image.width = s.scene.image.cols;
    t.image.height = s.scene.image.rows;
    t.image.source = cat("scene ", s.seed);
    for (const auto& o : s.scene.objects) {
        TruthObject to;
        to.label = o.name();
        to.words = {toy::to_string(o.color), toy::to_string(o.shape)};
        to.mask = o.mask;
        t.image.objects.push_back(std::move(to));
    }
    t.expected = s.answer;
    for (const auto& w : s.words) {
        AnswerWordSpan span;
        span.begin = w.char_begin;
        span.end = w.char_end;
        if ((w.kind == toy::WordKind::ObjectColor || w.kind == toy::WordKind::ObjectShape) && w.object >= 0) {
            span.kind = AnswerWordSpan::Kind::Object;
            span.object = w.object;
        } else if (w.kind == toy::WordKind::Function) {
            span.kind = AnswerWordSpan::Kind::Function;
        }
        t.spans.push_back(span);
    }
    t.group = toy::to_string(s.task);
    t.seed = s.seed;
    return t;
}

std::vector<TokenBytes> answer_token_bytes(const Tokenizer& tokenizer, const std::vector<std::int64_t>& ids) {
    std::vector<TokenBytes> out;
    std::size_t prev = 0;
    for (std::size_t k = 0; k < ids.size(); ++k) {
        const std::string upto =
            tokenizer.decode({ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k) + 1}, true);
        const std::size_t b = prev, e = upto.size();
        prev = e;
        out.push_back({b, e, b < upto.size() ? upto.substr(b) : std::string()});
    }
    return out;
}

bool answer_is_expected(const Trace& trace, const AnswerTruth& truth) {
    return truth.expected.empty() || toy::answers_match(trace.answer_text, truth.expected);
}

std::vector<AnswerTarget> answer_targets(const Explorer& explorer, const Trace& t, const AnswerTruth& truth,
                                         std::string* reason) {
    const auto none = [&](std::string why) {
        if (reason) *reason = std::move(why);
        return std::vector<AnswerTarget>{};
    };
    const LoadedModel& m = explorer.model();
    if (!m.tokenizer) return none("the model has no tokenizer");
    if (!truth.has_objects()) return none("no ground truth");
    if (!t.has_image()) return none("the answer has no image");
    const auto ids = t.answer_ids();
    const std::string full = m.tokenizer->decode(ids, true);
    std::vector<Span> spans;
    if (!truth.spans.empty()) {
        if (!answer_is_expected(t, truth))
            return none(cat("the answer is not the expected answer ('", truth.expected.substr(0, 80), "')"));
        const auto offset = full.find(truth.expected);
        if (offset == std::string::npos)
            return none(cat("the answer does not contain the expected answer ('",
                            truth.expected.substr(0, 80), "')"));
        for (const auto& s : truth.spans)
            spans.push_back({offset + s.begin, offset + s.end, s.kind, s.object,
                             truth.expected.substr(s.begin, s.end - s.begin)});
    } else {
        // The answer's own words; a word names the first object whose label words hold it.
        for (std::size_t i = 0; i < full.size();) {
            if (!word_byte(full[i])) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < full.size() && word_byte(full[j])) ++j;
            const std::string word = full.substr(i, j - i);
            const auto named = objects_named(truth.image, word);
            spans.push_back({i, j, named.empty() ? AnswerWordSpan::Kind::Other : AnswerWordSpan::Kind::Object,
                             named.empty() ? -1 : named.front(), word});
            i = j;
        }
    }
    std::vector<AnswerTarget> out;
    const auto tokens = answer_token_bytes(*m.tokenizer, ids);
    for (std::size_t k = 0; k < tokens.size(); ++k) {
        const auto& [b, e, piece] = tokens[k];
        if (!has_letter(piece)) continue;  // punctuation, end of text
        for (const auto& s : spans) {
            if (b >= s.end || e <= s.begin) continue;
            if (s.kind == AnswerWordSpan::Kind::Object)
                out.push_back({static_cast<std::int64_t>(k), s.word, s.object, false});
            else if (s.kind == AnswerWordSpan::Kind::Function)
                out.push_back({static_cast<std::int64_t>(k), s.word, -1, true});
            break;
        }
    }
    if (out.empty()) return none("no answer word names an annotated object");
    return out;
}

AnswerScores score_answer(
    Explorer& explorer, const Trace& trace, const AnswerTruth& truth,
    const std::vector<AnswerTarget>& targets, const ScoringOptions& o, const JobControl* control,
    const std::function<void(const AnswerTarget&, const Explanation&)>& on_explanation) {
    const LoadedModel& m = explorer.model();
    AnswerScores out;
    out.group = truth.group;
    const bool scoring = trace.has_image() && truth.has_objects();
    const int gh = trace.grid_h, gw = trace.grid_w;
    cv::Mat view, baseline;
    std::vector<cv::Mat> masks;  // each object's mask in the model's view
    if (scoring) {
        view = trace.image.model_view;
        baseline = metrics::blurred_baseline(view);
        for (const auto& obj : truth.image.objects) masks.push_back(mask_in_view(obj.mask, trace.image));
    }
    std::vector<std::string> names = o.methods;
    if (scoring && o.baselines) {
        names.push_back("random");
        names.push_back("center");
    }
    int faithfulness_left = o.faithfulness_targets;
    std::map<std::string, std::vector<GridMap>> noun_maps;
    std::vector<std::pair<std::size_t, std::map<std::string, GridMap>>> function_maps;
    std::uint64_t ordinal = 0;  // among scored targets: seeds the random baseline
    for (const auto& tw : targets) {
        ScoredTarget st;
        st.target = tw;
        st.token = trace.tokens[static_cast<std::size_t>(trace.answer_begin + tw.index)].text;
        const bool object_word =
            scoring && tw.object >= 0 && tw.object < static_cast<int>(masks.size()) &&
            cv::countNonZero(masks[static_cast<std::size_t>(tw.object)]) > 0;  // not cropped away
        const bool function_word = scoring && tw.function;
        if (!object_word) st.target.object = -1;
        if (!function_word) st.target.function = false;
        if (object_word) st.object_label = truth.image.objects[static_cast<std::size_t>(tw.object)].label;
        const bool scored = object_word || function_word;
        std::map<std::string, GridMap> maps;
        for (const auto& name : names) {
            if (name == "random" || name == "center") {
                if (!scored) continue;
                maps[name] = name == "random"
                                 ? random_map(gh, gw, o.random_seed * 1000003u + truth.seed * 131u + ordinal)
                                 : center_map(gh, gw);
                st.methods[name];
                continue;
            }
            const Explanation e =
                explorer.explain(name, tw.index, o.params.value(name, nlohmann::json::object()), control);
            if (on_explanation) on_explanation(tw, e);
            auto& ms = st.methods[name];
            ms.time_ms = e.time_ms;
            if (!scored || !e.has_image_map()) continue;
            maps[name] = GridMap{e.grid_h, e.grid_w, e.image_map};
            if (object_word && e.masking) {
                ms.validated = e.masking->validated;
                if (e.masking->validated) ms.set_size = static_cast<double>(e.masking->positions.size());
            }
        }
        if (scored) ++ordinal;
        if (object_word) {
            const auto obj = static_cast<std::size_t>(tw.object);
            const cv::Mat& mask = masks[obj];
            // The other objects, and whether each carries this word too (another red object for "red").
            const auto named = objects_named(truth.image, tw.word);
            std::vector<cv::Mat> others;
            std::vector<bool> shares;
            for (std::size_t i = 0; i < masks.size(); ++i) {
                if (i == obj) continue;
                others.push_back(masks[i]);
                shares.push_back(std::find(named.begin(), named.end(), static_cast<int>(i)) != named.end());
            }
            for (const auto& [name, map] : maps) {
                auto& ms = st.methods[name];
                ms.obj_iou = metrics::obj_iou(map, mask);
                const auto outcome = metrics::classify_pointing(map, mask, others, shares);
                ms.pointing = outcome == metrics::PointingOutcome::Hit;
                ms.outcome = metrics::to_string(outcome);
                noun_maps[name].push_back(map);
            }
            if (o.faithfulness_steps > 0 && faithfulness_left > 0) {
                const std::int64_t pos = trace.answer_begin + tw.index;
                const double p_image = target_probability(m, trace, pos, view);
                const double p_baseline = target_probability(m, trace, pos, baseline);
                // The normalised score divides by s_image - s_baseline; a target the blurred baseline hardly
                // changes (flat colours survive blurring) would turn the AUCs into noise, so such a target is
                // left out and the answer's next object word is tried.
                if (p_image - p_baseline < o.faithfulness_min_gap) {
                    ++out.faithfulness_skipped;
                } else {
                    --faithfulness_left;
                    // Every curve starts from the full image and the full baseline: reuse those two values
                    // instead of re-running the model for them per method and curve.
                    const metrics::ProbabilityFn prob = [&](const cv::Mat& img) {
                        if (img.data == view.data) return p_image;
                        if (img.data == baseline.data) return p_baseline;
                        return target_probability(m, trace, pos, img);
                    };
                    for (const auto& [name, map] : maps) {
                        auto& ms = st.methods[name];
                        ms.deletion =
                            metrics::deletion_curve(map, o.faithfulness_steps, prob, view, baseline).auc;
                        ms.insertion =
                            metrics::insertion_curve(map, o.faithfulness_steps, prob, view, baseline).auc;
                    }
                }
            }
        } else if (function_word) {
            function_maps.emplace_back(out.targets.size(), std::move(maps));
        }
        out.targets.push_back(std::move(st));
    }
    // Func-IoU needs the mean Otsu threshold of the same method's object-word maps in this answer.
    for (const auto& [ti, maps] : function_maps)
        for (const auto& [name, map] : maps) {
            const auto threshold = metrics::mean_otsu_threshold(noun_maps[name]);
            if (threshold) out.targets[ti].methods[name].func_iou = metrics::func_iou(map, *threshold);
        }
    return out;
}

namespace {

template <typename T>
void put(nlohmann::json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}
template <typename T>
void get(const nlohmann::json& j, const char* key, std::optional<T>& v) {
    const auto it = j.find(key);
    if (it != j.end() && !it->is_null()) v = it->get<T>();
}

}  // namespace

nlohmann::json answer_scores_to_json(const AnswerScores& s) {
    nlohmann::json targets = nlohmann::json::array();
    for (const auto& t : s.targets) {
        nlohmann::json methods = nlohmann::json::object();
        for (const auto& [name, ms] : t.methods) {
            nlohmann::json j = nlohmann::json::object();
            if (name != "random" && name != "center") j["time_ms"] = ms.time_ms;
            put(j, "obj_iou", ms.obj_iou);
            put(j, "pointing", ms.pointing);
            if (!ms.outcome.empty()) j["outcome"] = ms.outcome;
            put(j, "func_iou", ms.func_iou);
            put(j, "deletion", ms.deletion);
            put(j, "insertion", ms.insertion);
            put(j, "validated", ms.validated);
            put(j, "set_size", ms.set_size);
            methods[name] = j;
        }
        nlohmann::json tj = {
            {"index", t.target.index},
            {"token", t.token},
            {"word", t.target.word},
            {"kind", t.target.object >= 0 ? "object" : (t.target.function ? "function" : "none")},
            {"methods", methods}};
        if (t.target.object >= 0) {
            tj["object"] = t.target.object;
            tj["object_label"] = t.object_label;
        }
        targets.push_back(std::move(tj));
    }
    return {{"group", s.group}, {"faithfulness_skipped", s.faithfulness_skipped}, {"targets", targets}};
}

AnswerScores answer_scores_from_json(const nlohmann::json& j) {
    AnswerScores s;
    std::string field = "scores";
    try {
        s.group = j.value("group", std::string());
        s.faithfulness_skipped = j.value("faithfulness_skipped", 0);
        std::size_t k = 0;
        for (const auto& tj : j.at("targets")) {
            field = cat("scores.targets[", k++, "]");
            ScoredTarget t;
            t.target.index = tj.at("index").get<std::int64_t>();
            t.token = tj.value("token", std::string());
            t.target.word = tj.value("word", std::string());
            const std::string kind = tj.at("kind").get<std::string>();
            if (kind == "object") {
                t.target.object = tj.at("object").get<int>();
                if (t.target.object < 0) fail("a negative object index");
                t.object_label = tj.value("object_label", std::string());
            } else if (kind == "function") {
                t.target.function = true;
            } else if (kind != "none") {
                fail("unknown kind '", kind.substr(0, 20), "'");
            }
            for (const auto& [name, mj] : tj.at("methods").items()) {
                MethodTargetScore ms;
                ms.time_ms = mj.value("time_ms", 0.0);
                get(mj, "obj_iou", ms.obj_iou);
                get(mj, "pointing", ms.pointing);
                ms.outcome = mj.value("outcome", std::string());
                get(mj, "func_iou", ms.func_iou);
                get(mj, "deletion", ms.deletion);
                get(mj, "insertion", ms.insertion);
                get(mj, "validated", ms.validated);
                get(mj, "set_size", ms.set_size);
                if (ms.pointing && ms.outcome.empty()) fail(name, ": a pointing result without its outcome");
                t.methods[name] = ms;
            }
            s.targets.push_back(std::move(t));
        }
    } catch (const nlohmann::json::exception& e) {
        fail(field, ": ", e.what());
    } catch (const Error& e) {
        fail(field, ": ", e.what());
    }
    return s;
}

void accumulate_scores(const AnswerScores& s, ExplainerEvalResult& r) {
    bool used = false;
    for (const auto& t : s.targets) {
        const bool object_word = t.target.object >= 0, function_word = t.target.function;
        if (object_word) ++r.object_targets;
        if (function_word) ++r.function_targets;
        used = used || object_word || function_word;
        for (const auto& [name, ms] : t.methods) {
            auto& m = r.methods[name];
            if (name != "random" && name != "center") m.time_ms.push_back(ms.time_ms);
            if (ms.validated) {
                ++m.validation_attempts;
                if (*ms.validated) {
                    ++m.validated;
                    if (ms.set_size) m.set_sizes.push_back(*ms.set_size);
                }
            }
            if (ms.obj_iou) m.obj_iou.push_back(*ms.obj_iou);
            if (ms.pointing) {
                const double hit = *ms.pointing ? 1.0 : 0.0;
                m.pointing.push_back(hit);
                ++m.pointing_outcomes[ms.outcome];
                if (!s.group.empty()) m.pointing_by_task[s.group].push_back(hit);
            }
            if (ms.deletion) m.deletion.push_back(*ms.deletion);
            if (ms.insertion) m.insertion.push_back(*ms.insertion);
            if (ms.func_iou) m.func_iou.push_back(*ms.func_iou);
        }
    }
    if (used) ++r.scenes_used;
    r.faithfulness_skipped += s.faithfulness_skipped;
}

}  // namespace sightline
