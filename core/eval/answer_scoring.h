#pragma once
// Scoring the maps of one answer against ground truth, the unit both `sightline-cli eval` (scene-world
// scenes) and `sightline-cli batch` (any manifest of images) are made of, so the two give the same figures
// for the same inputs:
//   * which answer tokens are targets: the words of the expected answer (character spans, each naming an
//     object, a function word or neither) found in the decoded answer, or, without spans, the answer's own
//     words that name an annotated object by its label words;
//   * per target and method: the map's Obj-IoU and pointing outcome against the object's mask (object
//     words), Func-IoU against the mean Otsu threshold of the answer's object-word maps (function words),
//     deletion/insertion AUC with a blurred baseline for the first object words whose probability the
//     baseline lowers enough, the explanation's time, CLEANN's validation;
//   * two baselines scored like methods: "random" (a uniform random map) and "center" (a centre prior);
//   * the per-answer scores summed into the evaluation's per-method means (ExplainerEvalResult).
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/eval/image_truth.h"

namespace sightline {

class Explorer;
class JobControl;
struct Explanation;
struct ExplainerEvalResult;
struct Trace;
namespace toy {
struct Sample;
}

class Tokenizer;

// Each answer token's bytes [begin, end) in the decoded answer and its own text, from the decodings of the
// growing prefixes of `ids` (special tokens skipped): how answer tokens are matched to words.
struct TokenBytes {
    std::size_t begin = 0, end = 0;
    std::string text;
};
std::vector<TokenBytes> answer_token_bytes(const Tokenizer& tokenizer, const std::vector<std::int64_t>& ids);

// Whether a token's text holds a letter (any non-ASCII byte counts, so words of other scripts do): the
// tokens that can be words, as opposed to punctuation, spaces and end-of-text.
bool has_letter(std::string_view text);

// A word of the expected answer: bytes [begin, end) of it, and what it is.
struct AnswerWordSpan {
    enum class Kind { Object, Function, Other };
    std::size_t begin = 0, end = 0;
    Kind kind = Kind::Other;
    int object = -1;  // index into ImageTruth::objects for Kind::Object
};
std::string to_string(AnswerWordSpan::Kind kind);  // "object", "function", "other"

// What an answer is scored against.
struct AnswerTruth {
    ImageTruth image;                   // the objects (may be empty: nothing to score)
    std::string expected;               // the expected answer ("" when unknown)
    std::vector<AnswerWordSpan> spans;  // words of `expected`; empty: the answer's words name objects
    std::string group;                  // a question type to break the pointing game down by ("color")
    std::uint64_t seed = 0;             // seeds the random baseline
    bool has_objects() const { return !image.objects.empty(); }
};

// The scene-world ground truth of a sample: every object as "<colour> <shape>" with its mask, the expected
// answer's words as spans, the task as group, the sample's seed.
AnswerTruth answer_truth_of(const toy::Sample& s);

// An answer token to explain; scored when object >= 0 (object word) or function.
struct AnswerTarget {
    std::int64_t index = 0;  // answer-token index
    std::string word;        // the word it belongs to (the expected answer's or the answer's own)
    int object = -1;         // object it names, -1 otherwise
    bool function = false;   // a function word
    bool scored() const { return object >= 0 || function; }
};

// The targets of an answer under `truth`: with spans, the tokens overlapping a span of the expected answer
// found in the decoded answer (nothing when the answer does not contain it), the first span a token
// overlaps deciding; without spans, the tokens of answer words whose normalised form is a label word of an
// object (the first such object). Tokens without a letter and Other words are left out. `reason` (optional)
// receives why nothing can be scored.
std::vector<AnswerTarget> answer_targets(const Explorer& explorer, const Trace& trace,
                                         const AnswerTruth& truth, std::string* reason = nullptr);
// Whether the answer is the expected one (toy::answers_match) — true when no answer is expected.
bool answer_is_expected(const Trace& trace, const AnswerTruth& truth);

struct ScoringOptions {
    std::vector<std::string> methods = {"attention", "relevancy", "tam", "cleann"};
    nlohmann::json params = nlohmann::json::object();  // per method
    bool baselines = true;                             // score "random" and "center" too
    int faithfulness_steps = 8;                        // 0 = no deletion/insertion
    int faithfulness_targets = 1;                      // object words per answer with deletion/insertion
    double faithfulness_min_gap = 0.1;                 // p(image) - p(blurred) below this: skipped
    std::uint64_t random_seed = 7;
};

// One method's (or baseline's) scores on one target.
struct MethodTargetScore {
    double time_ms = 0;
    std::optional<double> obj_iou;   // object words
    std::optional<bool> pointing;    // object words: a hit
    std::string outcome;             // object words: metrics::to_string(PointingOutcome)
    std::optional<double> func_iou;  // function words (when the answer has a usable object-word map)
    std::optional<double> deletion, insertion;
    std::optional<bool> validated;   // methods with a masking check, on object words
    std::optional<double> set_size;  // when validated
};

struct ScoredTarget {
    AnswerTarget target;
    std::string token;         // the token's text
    std::string object_label;  // when an object word
    std::map<std::string, MethodTargetScore> methods;
};

struct AnswerScores {
    std::vector<ScoredTarget> targets;  // scored targets in answer order
    int faithfulness_skipped = 0;
    std::string group;
};

// Explains every target with every method (each explanation handed to `on_explanation` when given, with the
// target), and scores the scored ones. The trace must be the explorer's current answer.
AnswerScores score_answer(
    Explorer& explorer, const Trace& trace, const AnswerTruth& truth,
    const std::vector<AnswerTarget>& targets, const ScoringOptions& options, const JobControl* control,
    const std::function<void(const AnswerTarget&, const Explanation&)>& on_explanation = {});

nlohmann::json answer_scores_to_json(const AnswerScores& s);
// Throws sightline::Error naming the field for a malformed record.
AnswerScores answer_scores_from_json(const nlohmann::json& j);

// Adds one answer's scores to the evaluation's sums (scenes_used, target counts, per-method vectors).
void accumulate_scores(const AnswerScores& s, ExplainerEvalResult& r);

}  // namespace sightline
