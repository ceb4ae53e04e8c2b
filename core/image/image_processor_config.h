#pragma once
// How a model wants its image prepared: the fields of a Hugging Face preprocessor_config.json that
// CLIPImageProcessor, SiglipImageProcessor and LlavaImageProcessor use, with their class defaults.
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace sightline {

enum class ImageProcessorKind {
    Clip,    // CLIPImageProcessor / LlavaImageProcessor: shortest edge -> size, centre crop
    Siglip,  // SiglipImageProcessor: plain resize to height x width, no crop
    Qwen     // Qwen2VLImageProcessor: native resolution (smart_resize), patches (core/image/qwen_processor.h)
};

// PIL resampling codes (PIL.Image.Resampling), as stored in "resample".
enum PilResample : int {
    PilNearest = 0,
    PilLanczos = 1,
    PilBilinear = 2,
    PilBicubic = 3,
    PilBox = 4,
    PilHamming = 5,
};

// OpenAI CLIP normalisation constants (OPENAI_CLIP_MEAN / OPENAI_CLIP_STD in transformers).
inline constexpr std::array<float, 3> kOpenAiClipMean{0.48145466f, 0.4578275f, 0.40821073f};
inline constexpr std::array<float, 3> kOpenAiClipStd{0.26862954f, 0.26130258f, 0.27577711f};

struct ImageProcessorConfig {
    ImageProcessorKind kind = ImageProcessorKind::Clip;
    bool do_resize = true;
    int shortest_edge = 336;  // Clip: size.shortest_edge (used when > 0 and resize_height/width are 0)
    int resize_height = 0;    // Siglip: size.height / size.width; Clip: exact size when given instead
    int resize_width = 0;
    bool do_center_crop = true;
    int crop_height = 336;
    int crop_width = 336;
    bool do_rescale = true;
    double rescale_factor = 1.0 / 255.0;
    bool do_normalize = true;
    std::array<float, 3> mean = kOpenAiClipMean;
    std::array<float, 3> std = kOpenAiClipStd;
    int resample = PilBicubic;
    // Original LLaVA "pad" aspect mode (expand2square) and LlavaImageProcessor's do_pad: pad the
    // image to a centred square filled with the mean colour, int(mean * 255), before resizing.
    bool pad_to_square = false;
    // LlavaNextImageProcessor / LlavaOnevisionImageProcessor ("anyres"): a base view (the whole image resized
    // to the tile size) plus tiles of the image resized to the best of `grid_pinpoints` ([height, width]
    // pairs) and padded to it; each view then goes through the steps above (CLIP: resize + centre crop;
    // SigLIP: resize).
    bool anyres = false;
    std::vector<std::array<int, 2>> grid_pinpoints;
    // SmolVLMImageProcessor / Idefics3ImageProcessor (kind Siglip, resize_height = resize_width =
    // max_image_size): the longest edge resized to `longest_edge` (aspect kept), then, with image splitting,
    // both sides up to multiples of max_image_size, cut into max_image_size crops plus the whole image
    // resized to one crop (the global view, last); without splitting, the image resized to one crop.
    bool smolvlm = false;
    int longest_edge = 4 * 364;
    bool do_image_splitting = true;
    // Qwen2VLImageProcessor: the image is resized to multiples of patch_size * merge_size holding between
    // min_pixels and max_pixels pixels, then cut into patches of temporal_patch_size frames.
    long long min_pixels = 56 * 56;
    long long max_pixels = 28 * 28 * 1280;
    int patch_size = 14;
    int temporal_patch_size = 2;
    int merge_size = 2;
    int tile_size() const { return kind == ImageProcessorKind::Siglip ? resize_height : crop_height; }
};

// Short human-readable description, e.g. "CLIP shortest_edge=336 crop=336x336 bicubic".
std::string describe(const ImageProcessorConfig& cfg);

// Builds a config from the JSON object of a preprocessor_config.json. The processor is chosen by
// "image_processor_type" (else "feature_extractor_type", else "processor_class"); missing fields take
// the defaults of that Hugging Face class (CLIP: shortest_edge 224, crop 224x224, OpenAI mean/std;
// SigLIP: 384x384, no crop, mean = std = 0.5). Throws sightline::Error naming the offending field.
ImageProcessorConfig parse_image_processor_config(const nlohmann::json& j);

// Reads <model_dir>/preprocessor_config.json; throws sightline::Error naming the file when it is
// missing, not valid JSON, or has fields of the wrong type or range.
ImageProcessorConfig load_image_processor_config(const std::string& model_dir);

}  // namespace sightline
