#pragma once
// A Trace: everything one generation produced, resolved by position (never by string): every input and
// output token with its id, text and role, image-patch coordinates for image positions, the grid read
// from the model, per-step alternatives with probabilities, the image the model saw and timings.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "core/image/image_layout.h"
#include "core/image/preprocess.h"
#include "core/model/image_input.h"

namespace sightline {

struct GenerationCapture;

enum class TokenRole { System, Prompt, Image, Answer };
const char* to_string(TokenRole r);
TokenRole token_role_from_string(const std::string& s);

struct TraceToken {
    std::int64_t id = 0;
    std::string text;  // display text of this token in context
    TokenRole role = TokenRole::Prompt;
    int row = -1, col = -1;  // cell of an Image position in its view (-1, -1 for a class token or newline)
};

struct Alternative {
    std::int64_t id = 0;
    std::string text;
    double prob = 0;
};

struct AnswerStep {
    std::int64_t id = 0;
    double prob = 0;               // model probability of the chosen token (temperature 1, unfiltered)
    std::vector<Alternative> top;  // most likely tokens at this step, best first
};

struct GenerationSettings {
    int max_new_tokens = 64;
    double temperature = 0.0;  // 0 = greedy
    double top_p = 1.0;
    int top_k = 0;  // 0 = off
    std::uint64_t seed = 0;
    std::vector<std::int64_t> stop_ids;  // empty = the model's end-of-sequence ids
    int alternatives = 5;
};

struct Trace {
    std::string model_name;
    std::string question;
    std::string prompt_text;  // after the chat template, before image expansion
    // Why the checkpoint's own chat template was not used (it names the construct and line), with the
    // built-in format that was used instead; empty when the template rendered or there is none.
    std::string template_warning;
    std::string image_label;  // path or description of the image
    std::vector<TraceToken> tokens;
    std::int64_t answer_begin = 0;  // index of the first answer token (= prompt length)
    // The grid explanation maps are drawn on: the patch grid of single-grid models; for multi-view models a
    // dense grid over the original image that compose_map() fills from every view (map_grid_size()).
    int grid_h = 0, grid_w = 0;
    std::int64_t image_begin = -1;  // first image position, -1 when there is no image
    std::int64_t image_count = 0;
    std::vector<AnswerStep> steps;  // one per answer token
    GenerationSettings settings;
    std::string stop_reason;  // "eos", "stop_token", "max_new_tokens", "context_limit", "cancelled"
    double prefill_ms = 0, decode_ms = 0;
    ImageInput pixel_values;  // as given to the model (pixels undefined without image)
    PreprocessedImage image;  // model view + geometry (pixel_values vector emptied); for multi-view models
                              // the original image with identity geometry
    ImageLayout layout;       // where every image position came from (empty without image)

    std::vector<std::int64_t> ids() const;
    std::vector<std::int64_t> answer_ids() const;
    std::int64_t answer_size() const { return static_cast<std::int64_t>(tokens.size()) - answer_begin; }
    bool has_image() const { return image_begin >= 0; }
    // Position of answer token k (0-based among answer tokens).
    std::int64_t answer_position(std::int64_t k) const { return answer_begin + k; }
    std::string answer_text;  // decoded answer (empty when the model has no tokenizer)
    // Activations recorded during generation (GenerationCallbacks::capture); null for traces read from
    // sessions or made elsewhere. Never serialised.
    std::shared_ptr<const GenerationCapture> capture;
};

// JSON form of a trace (tensors and images excluded; see session code for embedding images).
nlohmann::json trace_to_json(const Trace& t);
// The answer's tokens for reports and exports: [{"index", "position", "id", "text", "prob"}, ...].
nlohmann::json answer_tokens_json(const Trace& t);
// Reads and validates (validate_trace); throws sightline::Error naming the field on bad input.
Trace trace_from_json(const nlohmann::json& j);

// Largest map grid side and cell count a trace may declare (sizes are multiplied in 64 bits).
constexpr int kMaxTraceGridSide = 4096;
constexpr std::int64_t kMaxTraceGridCells = std::int64_t{1} << 24;

// Checks that a trace is consistent with itself: answer_begin, image_begin and image_count inside the
// tokens, one step per answer token, roles consistent with the image range, the map grid's sides inside
// [1, kMaxTraceGridSide] (0x0 without an image) and equal to map_grid_size(layout) when there is a
// layout, image-token coordinates inside the grid (and equal to the layout's cells when there is one).
// Throws sightline::Error naming the field.
void validate_trace(const Trace& t);

}  // namespace sightline
