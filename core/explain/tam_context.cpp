#include "core/explain/tam_context.h"

#include <utility>

#include "core/explain/tam_math.h"
#include "core/util/error.h"

namespace sightline::tam {
namespace {

void check_target(const std::vector<SequenceToken>& sequence, std::size_t target) {
    if (target >= sequence.size())
        fail("TAM: target position ", target, " is outside the sequence of ", sequence.size(), " tokens");
    if (sequence[target].segment != Segment::Answer)
        fail("TAM: position ", target, " is not an answer token");
}

const std::vector<float>& row_of(const ClassActivations& activations, std::int64_t cls, std::size_t n) {
    const auto it = activations.find(cls);
    if (it == activations.end()) fail("TAM: no activations for class ", cls);
    if (it->second.size() != n)
        fail("TAM: class ", cls, " has ", it->second.size(), " activations for a sequence of ", n);
    return it->second;
}

std::vector<float> image_values(const std::vector<SequenceToken>& sequence, const std::vector<float>& row) {
    std::vector<float> out;
    for (std::size_t i = 0; i < sequence.size(); ++i)
        if (sequence[i].segment == Segment::Image) out.push_back(row[i]);
    return out;
}

}  // namespace

std::vector<ContextToken> interference_context(const std::vector<SequenceToken>& sequence,
                                               std::size_t target) {
    check_target(sequence, target);
    std::vector<ContextToken> context;
    for (std::size_t i = 0; i < target; ++i) {
        const SequenceToken& t = sequence[i];
        if (t.text == sequence[target].text) continue;
        if (t.segment == Segment::Prompt) context.push_back({i, i});
        // An answer token's weight is read at the step that predicted it. The first answer token is
        // predicted by the last template position, which exists because the target is an answer token.
        else if (t.segment == Segment::Answer && i > 0)
            context.push_back({i, i - 1});
    }
    return context;
}

std::vector<std::int64_t> classes_needed(const std::vector<SequenceToken>& sequence, std::size_t target) {
    check_target(sequence, target);
    std::vector<std::int64_t> classes{sequence[target].id};
    for (const ContextToken& c : interference_context(sequence, target)) {
        const std::int64_t id = sequence[c.position].id;
        bool seen = false;
        for (std::int64_t k : classes) seen = seen || k == id;
        if (!seen) classes.push_back(id);
    }
    return classes;
}

TokenActivation token_activation(const std::vector<SequenceToken>& sequence, std::size_t target,
                                 const ClassActivations& activations, bool remove_context) {
    check_target(sequence, target);
    const std::size_t n = sequence.size();
    const std::vector<float>& s_v = row_of(activations, sequence[target].id, n);

    TokenActivation out;
    out.image = image_values(sequence, s_v);
    for (std::size_t i = 0; i < target; ++i) {
        if (sequence[i].segment == Segment::Image || i + 1 == target) continue;
        out.text_positions.push_back(i);
        out.text_scores.push_back(s_v[i]);
    }
    if (!remove_context) return out;

    out.context = interference_context(sequence, target);
    if (out.context.empty()) return out;
    std::vector<std::vector<float>> maps;
    std::vector<float> scores;
    for (const ContextToken& c : out.context) {
        maps.push_back(image_values(sequence, row_of(activations, sequence[c.position].id, n)));
        scores.push_back(s_v[c.weight_position]);
    }
    InterferenceResult r = remove_interference(out.image, maps, scores);
    out.weights = std::move(r.weights);
    out.image = std::move(r.map);
    out.alpha = r.alpha;
    return out;
}

}  // namespace sightline::tam
