#pragma once
// The token-level half of the Token Activation Map (METHODS.md section 3) on plain vectors: which earlier
// tokens form the context of the estimated causal inference, where each one's weight is read, and the raw
// class-activation map of one token with that context's interference removed. No torch, no Qt: the class
// activations come in as a table (the explainer fills it from the model's logits), so every step can be
// checked on hand-worked cases.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sightline::tam {

// What a position holds, as TAM sees it: chat-template scaffolding (system prompt, role markers, BOS),
// the user's own prompt text, an image patch, or an answer token.
enum class Segment { Template, Prompt, Image, Answer };

struct SequenceToken {
    std::int64_t id = 0;
    std::string text;  // the token's text, compared to exclude repeats of the target's word
    Segment segment = Segment::Template;
};

// One token of the interference context: its position and the position whose score weighs it. A prompt
// token is weighed at its own position; an answer token at the position that predicted it (its own - 1),
// as in the reference, whose text scores are the prompt positions followed by one score per answer step.
struct ContextToken {
    std::size_t position = 0;
    std::size_t weight_position = 0;
};

// The context C of the token at `target`: earlier prompt and answer tokens (never template or image
// positions) whose text differs from the target's, in sequence order. Throws when `target` is outside
// the sequence or not an answer token.
std::vector<ContextToken> interference_context(const std::vector<SequenceToken>& sequence,
                                               std::size_t target);

// The classes whose activations token_activation() needs: the target's own id first, then every context
// token's id once, in order of first appearance.
std::vector<std::int64_t> classes_needed(const std::vector<SequenceToken>& sequence, std::size_t target);

// class id -> ReLU(logit of that class) at every position of the sequence.
using ClassActivations = std::map<std::int64_t, std::vector<float>>;

struct TokenActivation {
    std::vector<float> image;                 // one value per image position, in sequence order
    std::vector<std::size_t> text_positions;  // earlier non-image positions except target - 1
    std::vector<float> text_scores;           // s_target at those positions
    std::vector<ContextToken> context;        // empty when interference removal is off
    std::vector<double> weights;              // w_i of each context token (sums to ~1 unless all are 0)
    double alpha = 0;                         // least-squares weight of the removed interference
};

// The target token's raw image map A_v = s_v[image positions], and, when `remove_context` is set
// and the context is not empty, A_v <- ReLU(A_v - alpha I) with I = sum_i w_i A_i over the context
// (raw maps A_i = s_{c_i}[image positions]) and w_i = s_v[p(i)] / (sum_k s_v[p(k)] + 1e-8). No
// normalisation or filtering (the caller grids, normalises jointly and filters). Throws when a needed
// class is missing from `activations` or a row's length differs from the sequence's.
TokenActivation token_activation(const std::vector<SequenceToken>& sequence, std::size_t target,
                                 const ClassActivations& activations, bool remove_context);

}  // namespace sightline::tam
