#include "core/generate/smolvlm_prompt.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/image/smolvlm_split.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {

std::string smolvlm_image_prompt_string(int rows, int cols, int image_seq_len) {
    const std::string fake = "<fake_token_around_image>";
    std::string image;
    for (int i = 0; i < image_seq_len; ++i) image += "<image>";
    std::string out;
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) out += cat(fake, "<row_", r + 1, "_col_", c + 1, ">", image);
        out += "\n";
    }
    if (rows > 0 || cols > 0) out += "\n";
    return out + fake + "<global-img>" + image + fake;
}

ModelImage prepare_smolvlm_image(const LoadedModel& model, const cv::Mat& rgb8) {
    const ModelConfig& c = model.config;
    const ImageProcessorConfig& cfg = *model.image_processor;
    if (!cfg.smolvlm)
        fail(model.name, ": the model splits images (", c.architecture,
             ") but preprocessor_config.json names another processor");
    if (cfg.tile_size() != c.vision.image_size)
        fail(model.name, ": the processor cuts ", cfg.tile_size(), "-pixel crops but the vision tower reads ",
             c.vision.image_size);
    SmolVLMImage s = preprocess_smolvlm(rgb8, cfg);
    ModelImage out;
    std::vector<at::Tensor> parts;
    for (const auto& v : s.views) parts.push_back(pixel_tensor(v));
    out.input.pixels = at::cat(parts, 0);
    out.input.image_height = rgb8.rows;
    out.input.image_width = rgb8.cols;
    out.input.crop_rows = s.plan.rows;
    out.input.crop_cols = s.plan.cols;
    out.layout = smolvlm_layout(s.plan, static_cast<int>(c.image_grid()));
    out.view.model_view = rgb8.clone();
    out.view.width = out.view.original_width = rgb8.cols;
    out.view.height = out.view.original_height = rgb8.rows;
    return out;
}

std::vector<std::int64_t> expand_smolvlm_image_tokens(const ModelConfig& c, const Tokenizer* tokenizer,
                                                      const std::vector<std::int64_t>& ids,
                                                      const ImageInput& image) {
    const std::int64_t per_view = c.image_token_count();
    const std::int64_t per_image = (image.crop_rows * image.crop_cols + 1) * per_view;
    const auto n_marks = std::count(ids.begin(), ids.end(), c.image_token_index);
    if (n_marks == per_image || n_marks == 0)
        return ids;  // already expanded, or nothing to place (refused later)
    if (n_marks != 1)
        fail("the prompt holds ", n_marks, " image tokens: give one <image> (expanded to the ",
             image.crop_rows, "x", image.crop_cols, " crops and the global view, ", per_image,
             " image tokens) or the whole expanded block; several images per prompt are not supported");
    const std::string block = smolvlm_image_prompt_string(
        static_cast<int>(image.crop_rows), static_cast<int>(image.crop_cols), static_cast<int>(per_view));
    if (tokenizer == nullptr)
        fail(
            c.architecture, " expands <image> into crop markers (<fake_token_around_image>, <row_r_col_c>, ",
            "<global-img>) that only its tokenizer can number: give the prompt ids with the block expanded (",
            per_image, " image tokens) or use a model folder with its tokenizer");
    const std::vector<std::int64_t> expanded = tokenizer->encode(block, /*add_special_tokens=*/false);
    const auto n_block = std::count(expanded.begin(), expanded.end(), c.image_token_index);
    if (n_block != per_image)
        fail("the tokenizer turns the SmolVLM image block into ", n_block, " image tokens (id ",
             c.image_token_index, "), not ", per_image, ": does it know <image> and the crop markers?");
    std::vector<std::int64_t> out;
    out.reserve(ids.size() + expanded.size());
    for (auto id : ids) {
        if (id == c.image_token_index)
            out.insert(out.end(), expanded.begin(), expanded.end());
        else
            out.push_back(id);
    }
    return out;
}

}  // namespace sightline
