#include "core/generate/prompt.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/generate/smolvlm_prompt.h"
#include "core/image/anyres.h"
#include "core/image/qwen_processor.h"

#include "core/util/error.h"

namespace sightline {
namespace {

// Display text of an image position.
std::string image_token_text(const ImageLayout& layout, const ImageTokenPlace& place) {
    if (place.view < 0) return layout.single_grid() ? "<img cls>" : "<img newline>";
    if (layout.single_grid()) return cat("<img ", place.row, ",", place.col, ">");
    const std::string& kind = layout.views[static_cast<std::size_t>(place.view)].kind;
    const std::string view = kind == "crop" ? cat("crop", place.view + 1) : kind;  // SmolVLM: which crop
    return cat("<img ", view, " ", place.row, ",", place.col, ">");
}

at::Tensor stack_views(const std::vector<PreprocessedImage>& views) {
    std::vector<at::Tensor> parts;
    for (const auto& v : views) parts.push_back(pixel_tensor(v));
    return at::cat(parts, 0);
}

std::vector<std::int64_t> expand_image_tokens(const ModelConfig& c, const std::vector<std::int64_t>& ids,
                                              bool has_image, std::int64_t per_image) {
    const auto n_marks = std::count(ids.begin(), ids.end(), c.image_token_index);
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

std::string render_prompt_text(const LoadedModel& model, const PromptRequest& req, std::string* warning) {
    const bool has_image = req.image_rgb.has_value();
    if (!req.use_chat_template) {
        std::string text;
        if (!req.system.empty()) text += req.system + "\n";
        for (const auto& turn : req.turns) text += turn.text + "\n";
        return text + (has_image ? "<image>\n" + req.question : req.question);
    }
    for (const auto& turn : req.turns)
        if (turn.role != "user" && turn.role != "assistant" && turn.role != "system")
            fail("a conversation turn has role '", turn.role, "': use user, assistant or system");
    if (model.own_chat_template) {
        const ChatTemplate& own = *model.own_chat_template;
        std::string why = own.parse_error;
        if (own.usable()) {
            ChatRenderRequest r;
            if (!req.system.empty()) r.messages.push_back({"system", req.system});
            r.messages.insert(r.messages.end(), req.turns.begin(), req.turns.end());
            r.messages.push_back({"user", req.question});
            if (has_image) r.image_turn = first_user_turn(r.messages);
            r.content_list = own.takes_content_list();
            // Templates that read content as one string get the image placeholder in the text (LLaVA style).
            const std::int64_t image_id = model.config.image_token_index;
            if (model.tokenizer && model.config.multimodal && image_id >= 0 &&
                image_id < model.tokenizer->vocab_size())
                r.image_placeholder = model.token_text(image_id);
            try {
                return render_chat_template(own, r);
            } catch (const Error& e) {
                why = e.what();
            }
        }
        if (warning)
            *warning = cat(why, "; the built-in ", to_string(model.chat_template),
                           " prompt format was used instead");
    }
    return apply_chat_template(model.chat_template, req.system, req.turns, req.question, has_image);
}

// Gemma3Processor: every <start_of_image> the template wrote becomes "\n\n<start_of_image>" + the image token
// +
// "<end_of_image>\n\n" (the single image token is expanded to the pooled count afterwards, as for every
// family); the text is tokenized after the replacement, as transformers does.
static std::string gemma3_image_block(const LoadedModel& model, const std::string& text) {
    auto special = [&](const char* key, const char* fallback) {
        if (model.own_chat_template) {
            const auto it = model.own_chat_template->special_tokens.find(key);
            if (it != model.own_chat_template->special_tokens.end() && !it->second.empty()) return it->second;
        }
        return std::string(fallback);
    };
    const std::string boi = special("boi_token", "<start_of_image>");
    const std::string eoi = special("eoi_token", "<end_of_image>");
    const std::int64_t image_id = model.config.image_token_index;
    if (!model.tokenizer || image_id < 0 || image_id >= model.tokenizer->vocab_size())
        fail(model.name, ": the tokenizer has no image token (id ", image_id, ")");
    const std::string block = "\n\n" + boi + model.tokenizer->piece(image_id) + eoi + "\n\n";
    std::string out;
    std::size_t from = 0, n = 0;
    for (std::size_t at = text.find(boi); at != std::string::npos; at = text.find(boi, from)) {
        out.append(text, from, at - from);
        out += block;
        from = at + boi.size();
        ++n;
    }
    out.append(text, from, std::string::npos);
    if (n == 0)
        fail(model.name, ": the chat template wrote no ", boi,
             " for the image (Gemma 3 places the image there)");
    return out;
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
        if (c.family == MultimodalFamily::Gemma3 && !(model.own_chat_template && req.use_chat_template))
            fail(
                "Gemma 3 prompts from text need the model's own chat template and this folder has none: "
                "give ",
                "the prompt as token ids (--prompt-ids) with the image tokens expanded");
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
        t.prompt_text = render_prompt_text(model, req, &t.template_warning);
        if (has_image && c.family == MultimodalFamily::Gemma3)
            t.prompt_text = gemma3_image_block(model, t.prompt_text);
        // The tokenizer adds BOS unless the template already wrote it (Gemma 3, Llama 3).
        bool add_special = true;
        if (req.use_chat_template && model.own_chat_template && t.template_warning.empty()) {
            const auto bos = model.own_chat_template->special_tokens.find("bos_token");
            if (bos != model.own_chat_template->special_tokens.end() && !bos->second.empty() &&
                t.prompt_text.compare(0, bos->second.size(), bos->second) == 0)
                add_special = false;
        }
        ids = model.tokenizer->encode(t.prompt_text, add_special);
    }
    if (has_image) attach_image(model, *req.image_rgb, t);
    if (has_image && c.family == MultimodalFamily::SmolVLM)  // <image> -> crop markers and image tokens
        ids = expand_smolvlm_image_tokens(c, model.tokenizer.get(), ids, t.pixel_values);
    const auto per_image = static_cast<std::int64_t>(t.layout.tokens.size());
    if (c.multimodal) ids = expand_image_tokens(c, ids, has_image, per_image);
    if (static_cast<std::int64_t>(ids.size()) >= c.text.max_position_embeddings)
        fail("the prompt has ", ids.size(), " tokens but the model's context is ",
             c.text.max_position_embeddings, " positions (including ", per_image,
             " image tokens); shorten it");

    std::int64_t image_index = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        TraceToken tok;
        tok.id = ids[i];
        if (has_image && ids[i] == c.image_token_index && image_index < per_image) {
            if (t.image_begin < 0) t.image_begin = static_cast<std::int64_t>(i);
            tok.role = TokenRole::Image;
            const ImageTokenPlace& place = t.layout.tokens[static_cast<std::size_t>(image_index++)];
            tok.row = place.row;
            tok.col = place.col;
            tok.text = image_token_text(t.layout, place);
        } else {
            tok.text = model.token_text(ids[i]);
        }
        t.tokens.push_back(std::move(tok));
    }
    t.image_count = image_index;
    t.answer_begin = static_cast<std::int64_t>(t.tokens.size());
    assign_text_roles(model, t, req.ids.empty() ? req.question : std::string());
    return out;
}

ModelImage prepare_model_image(const LoadedModel& model, const cv::Mat& rgb8) {
    const ModelConfig& c = model.config;
    if (!c.multimodal || !model.image_processor) fail(model.name, " does not read images");
    if (rgb8.empty() || rgb8.type() != CV_8UC3) fail("the image is empty or not 8-bit RGB");
    const ImageProcessorConfig& cfg = *model.image_processor;
    ModelImage out;
    if (c.family == MultimodalFamily::SmolVLM) {
        out = prepare_smolvlm_image(model, rgb8);
    } else if (c.family == MultimodalFamily::Qwen2VL) {
        // Native resolution: one grid of merged patches over the whole (resized) image.
        if (cfg.kind != ImageProcessorKind::Qwen)
            fail(model.name, ": ", c.architecture, " needs a Qwen2VLImageProcessor preprocessor_config.json");
        QwenPatches q = preprocess_qwen(rgb8, cfg);
        const int merge = static_cast<int>(c.vision.spatial_merge_size);
        out.input.pixels = at::from_blob(q.values.data(), {q.rows, q.cols}, at::kFloat).clone();
        out.input.grid_t = q.grid_t;
        out.input.grid_h = q.grid_h;
        out.input.grid_w = q.grid_w;
        out.view = std::move(q.view);
        out.layout = single_grid_layout(rgb8.cols, rgb8.rows, q.grid_h / merge, q.grid_w / merge,
                                        cv::Rect2d(0, 0, rgb8.cols, rgb8.rows));
    } else if (c.anyres) {
        if (!cfg.anyres)
            fail(model.name, ": the model tiles images (", c.architecture,
                 ") but preprocessor_config.json names a single-view processor");
        AnyresImage a = preprocess_anyres(rgb8, cfg);
        const int side = static_cast<int>(c.vision.grid());
        const auto model_plan =
            plan_anyres(rgb8.rows, rgb8.cols, c.image_grid_pinpoints, static_cast<int>(c.vision.image_size));
        if (model_plan.rows() != a.plan.rows() || model_plan.cols() != a.plan.cols() ||
            a.plan.tile != c.vision.image_size)
            fail(model.name, ": the image processor cuts ", a.plan.rows(), "x", a.plan.cols(), " tiles of ",
                 a.plan.tile, " pixels but the model expects ", model_plan.rows(), "x", model_plan.cols(),
                 " of ", c.vision.image_size, " (image_grid_pinpoints differ?)");
        const auto grid =
            anyres_feature_grid(rgb8.rows, rgb8.cols, a.plan.rows(), a.plan.cols(), side, c.anyres_max);
        out.input.pixels = stack_views(a.views);
        out.input.image_height = rgb8.rows;
        out.input.image_width = rgb8.cols;
        out.layout = anyres_layout(a.plan, grid, side);
        out.view.model_view = rgb8.clone();
        out.view.width = out.view.original_width = rgb8.cols;
        out.view.height = out.view.original_height = rgb8.rows;
    } else {
        out.view = preprocess_image(rgb8, cfg);
        out.input.pixels = pixel_tensor(out.view);
        const auto g = static_cast<int>(c.image_grid());
        const cv::Rect2d rect =
            model_view_rect_to_original(out.view, cv::Rect2d(0, 0, out.view.width, out.view.height));
        // Which patch each image position holds: LLaVA's "default" strategy drops the vision tower's first
        // token (CLIP's class token, or SigLIP's first patch); "full" with CLIP keeps the class token first.
        int first = 0;
        if (c.family == MultimodalFamily::Llava)
            first = (c.vision_feature_select_strategy == "default" ? 1 : 0) -
                    (c.vision.has_class_token() ? 1 : 0);
        out.layout = single_grid_layout(rgb8.cols, rgb8.rows, g, g, rect, first);
        if (static_cast<std::int64_t>(out.layout.tokens.size()) != c.image_token_count())
            fail(model.name, ": the ", g, "x", g, " grid gives ", out.layout.tokens.size(),
                 " image tokens but the config ", c.image_token_count());
    }
    out.view.pixel_values.clear();
    out.view.pixel_values.shrink_to_fit();
    out.map_grid = map_grid_size(out.layout);
    return out;
}

void attach_image(const LoadedModel& model, const cv::Mat& rgb8, Trace& t) {
    ModelImage m = prepare_model_image(model, rgb8);
    t.pixel_values = std::move(m.input);
    t.image = std::move(m.view);
    t.layout = std::move(m.layout);
    t.grid_h = m.map_grid.height;
    t.grid_w = m.map_grid.width;
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
