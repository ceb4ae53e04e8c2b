#pragma once
// Turns a question (or raw ids) and an optional image into model inputs: chat template, tokenisation,
// <image> expanded to the model's image-token count, pixel values, and a role for every position
// (system scaffolding, the user's prompt, image patches with their grid coordinates).
#include <ATen/core/Tensor.h>

#include <optional>
#include <string>
#include <vector>

#include "core/generate/trace.h"
#include "core/model/loaded_model.h"

namespace sightline {

struct PromptRequest {
    std::string question;              // user text (chat template applied unless use_chat_template is false)
    std::string system;                // system prompt, empty for none
    std::vector<ChatTurn> turns;       // earlier user/assistant turns before the question
    std::vector<std::int64_t> ids;     // raw prompt ids instead of a question (no template, no BOS added)
    std::optional<cv::Mat> image_rgb;  // CV_8UC3 RGB
    std::string image_label;           // where the image came from (path), for the trace
    bool use_chat_template = true;
};

struct PreparedPrompt {
    Trace trace;  // tokens with roles, grid, image geometry, pixel values; no answer yet
};

// With a question, the checkpoint's own chat template renders the conversation (system, turns, the
// question with the image) as transformers does; BOS is added by the tokenizer only when the rendering does
// not start with it. When the template cannot be rendered, the built-in format is used and
// Trace::template_warning says why.
PreparedPrompt prepare_prompt(const LoadedModel& model, const PromptRequest& request);

// The prompt text of a question: the checkpoint's template, else (or when it fails, with `warning` set)
// the built-in format.
std::string render_prompt_text(const LoadedModel& model, const PromptRequest& request, std::string* warning);
// Pixel values [1, C, H, W] (float32, owning) of a preprocessed image.
at::Tensor pixel_tensor(const PreprocessedImage& image);

// An image made ready for one model: what its vision side receives, where every image token comes from,
// and the view drawn under the maps (the model's own view for single-grid models, the original image for
// multi-view ones).
struct ModelImage {
    ImageInput input;
    ImageLayout layout;
    PreprocessedImage view;  // pixel_values emptied
    cv::Size map_grid;       // Trace::grid_w x grid_h
};
// Runs the model's image processor (single grid or any-resolution tiles); throws sightline::Error when the
// model reads no images or the processor and the model disagree on the tiles.
ModelImage prepare_model_image(const LoadedModel& model, const cv::Mat& rgb8);
// The same for a trace: fills pixel_values, image, layout and the map grid.
void attach_image(const LoadedModel& model, const cv::Mat& rgb8, Trace& trace);

// Marks tokens whose decoded text overlaps `span` (a substring of the decoded prompt) as Prompt, the other
// non-image tokens as System. Exposed for tests.
void assign_text_roles(const LoadedModel& model, Trace& trace, const std::string& question);

}  // namespace sightline
