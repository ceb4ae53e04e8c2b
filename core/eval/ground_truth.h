#pragma once
// Answer tokens of a scene-world answer mapped to the words of the sample they spell, and one map scored
// against the ground-truth mask of the object a token names: what `sightline-cli eval` measures over
// hundreds of scenes, for a single click in the app (demo scenes) or `sightline-cli explain --scene`.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/explain/explanation.h"
#include "core/generate/trace.h"
#include "core/metrics/localisation.h"
#include "core/model/loaded_model.h"
#include "core/toy/sample.h"

namespace sightline {

struct TargetWord {
    std::int64_t index;  // answer-token index
    int object;          // scene object for object words, -1 for function words
    bool color_word;     // a colour word (else a shape word) when object >= 0
};

// Maps answer tokens to the sample's words through character spans of the decoded answer; empty when the
// answer does not contain the sample's expected answer. Tokens that are neither object nor function words
// (places, numbers, punctuation) are left out.
std::vector<TargetWord> target_words(const LoadedModel& m, const Trace& t, const toy::Sample& s);

// The scene object answer token `target` names (through target_words), -1 when it names none.
int named_object(const LoadedModel& m, const Trace& t, const toy::Sample& s, std::int64_t target);

// Where `map`'s arg-max lies relative to object word `w`'s object (w.object >= 0) and the scene's other
// objects, telling apart those that carry the same word (metrics::classify_pointing).
metrics::PointingOutcome pointing_outcome(const toy::Scene& scene, const TargetWord& w,
                                          const metrics::GridMap& map);

// The map of answer token `target` against the scene's masks. When applicable: the token's text, the
// object it names ("the gray cross"), the pointing outcome (metrics::to_string(PointingOutcome)), whether
// it is a hit and the Obj-IoU; otherwise a reason for the user (the answer is not the scene's expected
// answer, or the token is not a colour or shape word).
GroundTruthReadout ground_truth_readout(const LoadedModel& m, const Trace& t, const toy::Sample& s,
                                        std::int64_t target, const metrics::GridMap& map);

// One line for people: "peak inside the gray cross; Obj-IoU 0.41", "peak on the background; ...", or
// "not scored: <reason>".
std::string ground_truth_summary(const GroundTruthReadout& readout);

}  // namespace sightline
