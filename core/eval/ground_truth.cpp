#include "core/eval/ground_truth.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/eval/answer_scoring.h"
#include "core/toy/answer_match.h"
#include "core/toy/vocabulary.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {

std::vector<TargetWord> target_words(const LoadedModel& m, const Trace& t, const toy::Sample& s) {
    const auto ids = t.answer_ids();
    const std::string full = m.tokenizer->decode(ids, true);
    const auto offset = full.find(s.answer);
    if (offset == std::string::npos) return {};
    std::vector<TargetWord> out;
    const auto tokens = answer_token_bytes(*m.tokenizer, ids);
    for (std::size_t k = 0; k < tokens.size(); ++k) {
        const auto& [b, e, piece] = tokens[k];
        if (std::none_of(piece.begin(), piece.end(),
                         [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
            continue;  // punctuation, spaces, end of text
        for (const auto& w : s.words) {
            const std::size_t wb = offset + w.char_begin, we = offset + w.char_end;
            if (b >= we || e <= wb) continue;
            const bool object_word =
                (w.kind == toy::WordKind::ObjectColor || w.kind == toy::WordKind::ObjectShape) &&
                w.object >= 0;
            if (object_word)
                out.push_back({static_cast<std::int64_t>(k), w.object, w.kind == toy::WordKind::ObjectColor});
            else if (w.kind == toy::WordKind::Function)
                out.push_back({static_cast<std::int64_t>(k), -1, false});
            break;
        }
    }
    return out;
}

metrics::PointingOutcome pointing_outcome(const toy::Scene& scene, const TargetWord& w,
                                          const metrics::GridMap& map) {
    const auto& target = scene.objects[static_cast<std::size_t>(w.object)];
    // The scene's other objects, and whether each carries the target word too.
    std::vector<cv::Mat> other_masks;
    std::vector<bool> shares_word;
    for (std::size_t i = 0; i < scene.objects.size(); ++i) {
        if (static_cast<int>(i) == w.object) continue;
        const auto& other = scene.objects[i];
        other_masks.push_back(other.mask);
        shares_word.push_back(w.color_word ? other.color == target.color : other.shape == target.shape);
    }
    return metrics::classify_pointing(map, target.mask, other_masks, shares_word);
}

int named_object(const LoadedModel& m, const Trace& t, const toy::Sample& s, std::int64_t target) {
    for (const auto& w : target_words(m, t, s))
        if (w.index == target) return w.object;
    return -1;
}

GroundTruthReadout ground_truth_readout(const LoadedModel& m, const Trace& t, const toy::Sample& s,
                                        std::int64_t target, const metrics::GridMap& map) {
    GroundTruthReadout out;
    if (!m.tokenizer || target < 0 || target >= t.answer_size()) {
        out.reason = "no such answer token";
        return out;
    }
    const std::string word = trim(t.tokens[static_cast<std::size_t>(t.answer_begin + target)].text);
    if (!toy::answers_match(t.answer_text, s.answer)) {
        out.reason = cat("the answer is not the scene's expected answer ('", s.answer, "')");
        return out;
    }
    const auto targets = target_words(m, t, s);
    const auto it = std::find_if(targets.begin(), targets.end(),
                                 [&](const TargetWord& w) { return w.index == target && w.object >= 0; });
    if (it == targets.end()) {
        out.reason = cat("'", word, "' is not a colour or shape word of an object");
        return out;
    }
    const auto& object = s.scene.objects[static_cast<std::size_t>(it->object)];
    const auto outcome = pointing_outcome(s.scene, *it, map);
    out.applicable = true;
    out.word = word;
    out.object = it->object;
    out.object_name = cat("the ", toy::to_string(object.color), " ", toy::to_string(object.shape));
    out.outcome = metrics::to_string(outcome);
    out.pointing_hit = outcome == metrics::PointingOutcome::Hit;
    out.obj_iou = metrics::obj_iou(map, object.mask);
    return out;
}

std::string ground_truth_summary(const GroundTruthReadout& readout) {
    if (!readout.applicable)
        return "not scored: " + (readout.reason.empty() ? std::string("?") : readout.reason);
    const std::string name = readout.object_name.empty() ? std::string("the object") : readout.object_name;
    const std::string& outcome = readout.outcome;
    std::string where;
    if (outcome == "hit")
        where = "peak inside " + name;
    else if (outcome == "target_cell")
        where = "peak just outside " + name + " (in a cell it touches)";
    else if (outcome == "same_word_object")
        where = "peak on another object with the same word, not " + name;
    else if (outcome == "other_object")
        where = "peak on another object, not " + name;
    else
        where = "peak on the background, not " + name;
    char iou[32];
    std::snprintf(iou, sizeof iou, "%.2f", readout.obj_iou);
    return where + "; Obj-IoU " + iou;
}

}  // namespace sightline
