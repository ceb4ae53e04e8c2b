#include "core/generate/prompt.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/util/error.h"

namespace sightline {
namespace {

// Image position i (0-based among image positions) -> patch (row, col), or (-1, -1) for the class token.
std::pair<int, int> patch_of(const ModelConfig& c, std::int64_t i) {
    if (c.family == MultimodalFamily::Gemma3) {  // pooled tokens, row-major over the pooled grid
        const auto side = c.image_grid();
        return {static_cast<int>(i / side), static_cast<int>(i % side)};
    }
    const std::int64_t vision_index = i + (c.vision_feature_select_strategy == "default" ? 1 : 0);
    const std::int64_t patch = vision_index - (c.vision.has_class_token() ? 1 : 0);
    if (patch < 0) return {-1, -1};
    const auto g = c.vision.grid();
    return {static_cast<int>(patch / g), static_cast<int>(patch % g)};
}

std::vector<std::int64_t> expand_image_tokens(const ModelConfig& c, const std::vector<std::int64_t>& ids,
                                              bool has_image) {
    const auto n_marks = std::count(ids.begin(), ids.end(), c.image_token_index);
    const auto per_image = c.image_token_count();
    if (!has_image) {
        if (n_marks > 0) fail("the prompt contains an <image> token but no image was given");
        return ids;
    }
    if (n_marks == per_image) return ids;  // already expanded (raw ids)
    if (n_marks == 0) fail("an image was given but the prompt has no <image> token to place it");
    if (n_marks > 1)
        fail("the prompt holds ", n_marks, " image tokens: give one <image> (expanded to ", per_image,
             ") or exactly ", per_image, "; several images per prompt are not supported");
    std::vector<std::int64_t> out;
    out.reserve(ids.size() + static_cast<std::size_t>(per_image));
    for (auto id : ids) {
        if (id == c.image_token_index)
            out.insert(out.end(), static_cast<std::size_t>(per_image), id);
        else
            out.push_back(id);
    }
    return out;
}

}  // namespace

void assign_text_roles(const LoadedModel& model, Trace& trace, const std::string& question) {
    for (auto& t : trace.tokens)
        if (t.role != TokenRole::Image) t.role = question.empty() ? TokenRole::Prompt : TokenRole::System;
    if (question.empty() || !model.tokenizer) return;
    // Character span of every token in the concatenated display texts; tokens overlapping the question's
    // span (found from the end, after the template's own text) are the user's prompt.
    std::string joined;
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (const auto& t : trace.tokens) {
        const std::size_t b = joined.size();
        if (t.role != TokenRole::Image) joined += t.text;
        spans.emplace_back(b, joined.size());
    }
    const auto at = joined.rfind(question);
    if (at == std::string::npos) {
        for (auto& t : trace.tokens)
            if (t.role != TokenRole::Image) t.role = TokenRole::Prompt;
        return;
    }
    const std::size_t end = at + question.size();
    for (std::size_t i = 0; i < trace.tokens.size(); ++i) {
        auto& t = trace.tokens[i];
        if (t.role == TokenRole::Image) continue;
        if (spans[i].first < end && spans[i].second > at) t.role = TokenRole::Prompt;
    }
}

PreparedPrompt prepare_prompt(const LoadedModel& model, const PromptRequest& req) {
    const ModelConfig& c = model.config;
    const bool has_image = req.image_rgb.has_value();
    if (has_image && !c.multimodal)
        fail("model ", model.name, " is text-only (", c.architecture, "): it cannot take an image");
    if (has_image && (req.image_rgb->empty() || req.image_rgb->type() != CV_8UC3))
        fail("the image is empty or not 8-bit RGB");

    PreparedPrompt out;
    Trace& t = out.trace;
    t.model_name = model.name;
    t.question = req.question;
    t.image_label = req.image_label;
    std::vector<std::int64_t> ids;
    if (!req.ids.empty()) {
        ids = req.ids;
    } else {
        if (!model.tokenizer)
            fail("model ", model.name, " has no tokenizer: give the prompt as token ids (--prompt-ids)");
        if (req.question.empty()) fail("the prompt is empty");
        if (c.family == MultimodalFamily::Gemma3)
            fail(
                "Gemma 3 prompts from text need the model's own chat template, which Sightline does not "
                "render ",
                "yet: give the prompt as token ids (--prompt-ids) with the image tokens expanded");
        if (c.family == MultimodalFamily::PaliGemma) {
            // PaliGemmaProcessor: the image tokens, <bos>, the prompt, "\n" (no chat template).
            t.prompt_text = (has_image ? "<image>" : "") + std::string("<bos>") + req.question + "\n";
            if (has_image) ids.push_back(c.image_token_index);
            if (c.text.bos_token_id >= 0) ids.push_back(c.text.bos_token_id);
            for (auto id : model.tokenizer->encode(req.question + "\n", /*add_special_tokens=*/false))
                ids.push_back(id);
        }
    }
    if (ids.empty()) {
        t.prompt_text = req.use_chat_template
                            ? apply_chat_template(model.chat_template, req.question, has_image)
                            : (has_image ? "<image>\n" + req.question : req.question);
        ids = model.tokenizer->encode(t.prompt_text, /*add_special_tokens=*/true);
    }
    if (c.multimodal) ids = expand_image_tokens(c, ids, has_image);
    if (static_cast<std::int64_t>(ids.size()) >= c.text.max_position_embeddings)
        fail("the prompt has ", ids.size(), " tokens but the model's context is ",
             c.text.max_position_embeddings, " positions (including ", has_image ? c.image_token_count() : 0,
             " image tokens); shorten it");

    std::int64_t image_index = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        TraceToken tok;
        tok.id = ids[i];
        if (has_image && ids[i] == c.image_token_index) {
            if (t.image_begin < 0) t.image_begin = static_cast<std::int64_t>(i);
            tok.role = TokenRole::Image;
            std::tie(tok.row, tok.col) = patch_of(c, image_index++);
            tok.text = tok.row >= 0 ? cat("<img ", tok.row, ",", tok.col, ">") : std::string("<img cls>");
        } else {
            tok.text = model.token_text(ids[i]);
        }
        t.tokens.push_back(std::move(tok));
    }
    t.image_count = image_index;
    t.answer_begin = static_cast<std::int64_t>(t.tokens.size());
    assign_text_roles(model, t, req.ids.empty() ? req.question : std::string());

    if (has_image) {
        t.grid_h = t.grid_w = static_cast<int>(c.image_grid());
        t.image = preprocess_image(*req.image_rgb, *model.image_processor);
        t.pixel_values = pixel_tensor(t.image);
        t.image.pixel_values.clear();
        t.image.pixel_values.shrink_to_fit();
    }
    return out;
}

at::Tensor pixel_tensor(const PreprocessedImage& image) {
    if (image.pixel_values.size() != static_cast<std::size_t>(image.channels * image.height * image.width))
        fail("the preprocessed image holds ", image.pixel_values.size(), " values, not ", image.channels,
             " x ", image.height, " x ", image.width);
    return at::from_blob(const_cast<float*>(image.pixel_values.data()),
                         {1, image.channels, image.height, image.width}, at::kFloat)
        .clone();
}

}  // namespace sightline
