#include "core/image/image_processor_config.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/image/qwen_processor.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

using json = nlohmann::json;

constexpr int kMaxSide = 1 << 15;  // far beyond any vision tower; catches garbage sizes early

// Which Hugging Face processor class a config names, decided by its type fields.
ImageProcessorKind detect_kind(const json& j) {
    std::string name;
    const char* field = nullptr;
    for (const char* key : {"image_processor_type", "feature_extractor_type", "processor_class"}) {
        if (j.contains(key) && !j.at(key).is_null()) {
            if (!j.at(key).is_string()) fail("field \"", key, "\" must be a string");
            name = j.at(key).get<std::string>();
            field = key;
            break;
        }
    }
    if (field == nullptr) return ImageProcessorKind::Clip;  // no type given: the LLaVA-1.5 default
    for (const char* clip :
         {"CLIPImageProcessor", "CLIPImageProcessorFast", "CLIPFeatureExtractor", "LlavaImageProcessor",
          "LlavaImageProcessorFast", "CLIPProcessor", "LlavaProcessor", "LlavaNextImageProcessor",
          "LlavaNextImageProcessorFast", "LlavaNextProcessor"}) {
        if (name == clip) return ImageProcessorKind::Clip;
    }
    // Gemma 3's processor resizes to a fixed size without keeping the aspect ratio, as SigLIP's does (its
    // pan-and-scan crops are refused below).
    for (const char* siglip :
         {"SiglipImageProcessor", "SiglipImageProcessorFast", "SiglipProcessor", "Gemma3ImageProcessor",
          "Gemma3ImageProcessorFast", "Gemma3Processor", "LlavaOnevisionImageProcessor",
          "LlavaOnevisionImageProcessorFast", "LlavaOnevisionProcessor", "SmolVLMImageProcessor",
          "SmolVLMImageProcessorFast", "SmolVLMProcessor", "Idefics3ImageProcessor",
          "Idefics3ImageProcessorFast", "Idefics3Processor"}) {
        if (name == siglip) return ImageProcessorKind::Siglip;
    }
    for (const char* qwen :
         {"Qwen2VLImageProcessor", "Qwen2VLImageProcessorFast", "Qwen2VLProcessor", "Qwen2_5_VLProcessor"})
        if (name == qwen) return ImageProcessorKind::Qwen;
    fail("unsupported image processor \"", name, "\" in field \"", field,
         "\" (supported: CLIPImageProcessor, LlavaImageProcessor, LlavaNextImageProcessor, "
         "LlavaOnevisionImageProcessor, SiglipImageProcessor, Gemma3ImageProcessor, SmolVLMImageProcessor, "
         "Idefics3ImageProcessor, Qwen2VLImageProcessor)");
}

bool get_bool(const json& j, const char* key, bool fallback) {
    if (!j.contains(key) || j.at(key).is_null()) return fallback;
    if (!j.at(key).is_boolean())
        fail("field \"", key, "\" must be true or false, got ", brief(j.at(key).dump()));
    return j.at(key).get<bool>();
}

double get_number(const json& v, const std::string& what) {
    if (!v.is_number()) fail("field \"", what, "\" must be a number, got ", brief(v.dump()));
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail("field \"", what, "\" must be finite");
    return d;
}

int get_int_value(const json& v, const std::string& what, int lo, int hi) {
    const double d = get_number(v, what);
    if (d != std::floor(d) || d < lo || d > hi)
        fail("field \"", what, "\" must be an integer in [", lo, ", ", hi, "], got ", brief(v.dump()));
    return static_cast<int>(d);
}

// "size"/"crop_size": an int or {"height", "width"}; CLIP's size may also be {"shortest_edge"}.
struct SizeField {
    int shortest_edge = 0;
    int height = 0;
    int width = 0;
};

SizeField get_size(const json& j, const char* key, SizeField fallback, bool int_means_shortest_edge,
                   bool allow_shortest_edge) {
    if (!j.contains(key) || j.at(key).is_null()) return fallback;
    const json& v = j.at(key);
    SizeField out;
    if (v.is_number()) {
        const int n = get_int_value(v, key, 1, kMaxSide);
        if (int_means_shortest_edge) {
            out.shortest_edge = n;
        } else {
            out.height = out.width = n;
        }
        return out;
    }
    if (!v.is_object()) fail("field \"", key, "\" must be a number or an object, got ", brief(v.dump()));
    if (allow_shortest_edge && v.contains("shortest_edge")) {
        out.shortest_edge = get_int_value(v.at("shortest_edge"), cat(key, ".shortest_edge"), 1, kMaxSide);
        return out;
    }
    if (v.contains("height") && v.contains("width")) {
        out.height = get_int_value(v.at("height"), cat(key, ".height"), 1, kMaxSide);
        out.width = get_int_value(v.at("width"), cat(key, ".width"), 1, kMaxSide);
        return out;
    }
    fail("field \"", key, "\" must have ", allow_shortest_edge ? "\"shortest_edge\" or " : "",
         "\"height\" and \"width\", got ", brief(v.dump()));
}

std::array<float, 3> get_rgb(const json& j, const char* key, std::array<float, 3> fallback, bool nonzero) {
    if (!j.contains(key) || j.at(key).is_null()) return fallback;
    const json& v = j.at(key);
    std::array<float, 3> out{};
    if (v.is_number()) {
        out.fill(static_cast<float>(get_number(v, key)));
    } else if (v.is_array() && v.size() == 3) {
        for (std::size_t c = 0; c < 3; ++c)
            out[c] = static_cast<float>(get_number(v[c], cat(key, "[", c, "]")));
    } else {
        fail("field \"", key, "\" must be a number or a list of 3 numbers, got ", brief(v.dump()));
    }
    if (nonzero) {
        for (float f : out)
            if (f == 0.0f) fail("field \"", key, "\" must not contain 0, got ", brief(v.dump()));
    }
    return out;
}

const char* resample_name(int code) {
    switch (code) {
        case PilNearest:
            return "nearest";
        case PilLanczos:
            return "lanczos";
        case PilBilinear:
            return "bilinear";
        case PilBicubic:
            return "bicubic";
        case PilBox:
            return "box";
        case PilHamming:
            return "hamming";
        default:
            return "unknown";
    }
}

}  // namespace

std::string describe(const ImageProcessorConfig& cfg) {
    if (cfg.kind == ImageProcessorKind::Qwen) return describe_qwen_processor(cfg);
    std::ostringstream out;
    out << (cfg.kind == ImageProcessorKind::Siglip ? "SigLIP" : "CLIP");
    if (cfg.pad_to_square) out << " pad-to-square";
    if (cfg.anyres) out << " any-resolution (" << cfg.grid_pinpoints.size() << " tile layouts)";
    if (cfg.smolvlm)
        out << " longest_edge=" << cfg.longest_edge << (cfg.do_image_splitting ? " split into " : " one ")
            << cfg.resize_width << "-pixel crops";
    if (!cfg.do_resize) {
        out << " no-resize";
    } else if (cfg.resize_height > 0 && cfg.resize_width > 0) {
        out << " resize=" << cfg.resize_width << "x" << cfg.resize_height;
    } else {
        out << " shortest_edge=" << cfg.shortest_edge;
    }
    if (cfg.do_center_crop) out << " crop=" << cfg.crop_width << "x" << cfg.crop_height;
    out << " " << resample_name(cfg.resample);
    return out.str();
}

ImageProcessorConfig parse_image_processor_config(const nlohmann::json& j) {
    if (!j.is_object()) fail("preprocessor config must be a JSON object, got ", j.type_name());
    ImageProcessorConfig cfg;
    cfg.kind = detect_kind(j);
    if (cfg.kind == ImageProcessorKind::Qwen) return parse_qwen_processor_config(j);
    const auto type = j.find("image_processor_type");
    const bool gemma3 =
        type != j.end() && type->is_string() && type->get<std::string>().rfind("Gemma3", 0) == 0;
    if (gemma3) {
        cfg.resample = PilBilinear;  // Gemma3ImageProcessor's default
        if (get_bool(j, "do_pan_and_scan", false))
            fail("do_pan_and_scan (Gemma 3's extra crops) is not supported; set it to false");
    }
    const bool clip = cfg.kind == ImageProcessorKind::Clip;
    const std::string type_name = type != j.end() && type->is_string() ? type->get<std::string>() : "";
    cfg.anyres = type_name.rfind("LlavaNext", 0) == 0 || type_name.rfind("LlavaOnevision", 0) == 0;

    cfg.smolvlm = type_name.rfind("SmolVLM", 0) == 0 || type_name.rfind("Idefics3", 0) == 0;
    cfg.do_resize = get_bool(j, "do_resize", true);
    if (cfg.smolvlm) {
        // SmolVLMImageProcessor / Idefics3ImageProcessor (transformers 4.51): size {"longest_edge": 1456},
        // max_image_size {"longest_edge": 364}, LANCZOS, mean = std = 0.5.
        cfg.resample = PilLanczos;
        cfg.longest_edge = 4 * 364;
        int tile = 364;
        for (const auto& [key, out] : {std::pair<const char*, int*>{"size", &cfg.longest_edge},
                                       std::pair<const char*, int*>{"max_image_size", &tile}}) {
            if (!j.contains(key) || j.at(key).is_null()) continue;
            const json& v = j.at(key);
            if (!v.is_object() || !v.contains("longest_edge"))
                fail("field \"", key, "\" must be {\"longest_edge\": N} for ", type_name, ", got ",
                     brief(v.dump()));
            *out = get_int_value(v.at("longest_edge"), cat(key, ".longest_edge"), 1, kMaxSide);
        }
        cfg.resize_height = cfg.resize_width = tile;
        cfg.shortest_edge = 0;
        cfg.do_center_crop = false;
        cfg.crop_height = cfg.crop_width = 0;
        cfg.do_image_splitting = get_bool(j, "do_image_splitting", true);
        cfg.mean = get_rgb(j, "image_mean", {0.5f, 0.5f, 0.5f}, false);
        cfg.std = get_rgb(j, "image_std", {0.5f, 0.5f, 0.5f}, true);
    } else if (clip) {
        const SizeField size = get_size(j, "size", SizeField{224, 0, 0}, true, true);
        cfg.shortest_edge = size.shortest_edge;
        cfg.resize_height = size.height;
        cfg.resize_width = size.width;
        cfg.do_center_crop = get_bool(j, "do_center_crop", true);
        const SizeField crop = get_size(j, "crop_size", SizeField{0, 224, 224}, false, false);
        cfg.crop_height = crop.height;
        cfg.crop_width = crop.width;
        cfg.mean = get_rgb(j, "image_mean", kOpenAiClipMean, false);
        cfg.std = get_rgb(j, "image_std", kOpenAiClipStd, true);
        // LlavaNextImageProcessor's do_pad pads a batch's tile lists to one length, not the image to a
        // square.
        cfg.pad_to_square = !cfg.anyres && get_bool(j, "do_pad", false);
    } else {
        const SizeField size = get_size(j, "size", SizeField{0, 384, 384}, false, false);
        cfg.shortest_edge = 0;
        cfg.resize_height = size.height;
        cfg.resize_width = size.width;
        cfg.do_center_crop = false;  // SiglipImageProcessor has no crop step
        cfg.crop_height = cfg.crop_width = 0;
        cfg.mean = get_rgb(j, "image_mean", {0.5f, 0.5f, 0.5f}, false);
        cfg.std = get_rgb(j, "image_std", {0.5f, 0.5f, 0.5f}, true);
    }
    // The original LLaVA code keeps this in the model config; accept it here too.
    if (j.contains("image_aspect_ratio") && j.at("image_aspect_ratio").is_string())
        cfg.pad_to_square = cfg.pad_to_square || j.at("image_aspect_ratio").get<std::string>() == "pad";

    if (cfg.anyres) {
        // The processor classes' defaults: LLaVA-1.6's list (336 tiles) and OneVision's (384 x 1..6).
        if (type_name.rfind("LlavaNext", 0) == 0) {
            cfg.grid_pinpoints = {{336, 672}, {672, 336}, {672, 672}, {1008, 336}, {336, 1008}};
        } else {
            for (int a = 1; a <= 6; ++a)
                for (int b = 1; b <= 6; ++b) cfg.grid_pinpoints.push_back({384 * a, 384 * b});
        }
        if (j.contains("image_grid_pinpoints") && !j.at("image_grid_pinpoints").is_null()) {
            const json& p = j.at("image_grid_pinpoints");
            if (!p.is_array() || p.empty())
                fail("field \"image_grid_pinpoints\" must be a non-empty list of [height, width] pairs");
            cfg.grid_pinpoints.clear();
            for (std::size_t i = 0; i < p.size(); ++i) {
                if (!p[i].is_array() || p[i].size() != 2)
                    fail("field \"image_grid_pinpoints[", i, "]\" must be a [height, width] pair");
                cfg.grid_pinpoints.push_back(
                    {get_int_value(p[i][0], cat("image_grid_pinpoints[", i, "][0]"), 1, kMaxSide),
                     get_int_value(p[i][1], cat("image_grid_pinpoints[", i, "][1]"), 1, kMaxSide)});
            }
        }
        const int tile = cfg.tile_size();
        if (tile <= 0) fail("an any-resolution processor needs a tile size (crop_size or size.height/width)");
        for (const auto& pp : cfg.grid_pinpoints)
            if (pp[0] % tile != 0 || pp[1] % tile != 0)
                fail("image_grid_pinpoints entry [", pp[0], ", ", pp[1], "] is not a multiple of the ", tile,
                     "-pixel tile");
    }

    cfg.do_rescale = get_bool(j, "do_rescale", true);
    if (j.contains("rescale_factor") && !j.at("rescale_factor").is_null())
        cfg.rescale_factor = get_number(j.at("rescale_factor"), "rescale_factor");
    cfg.do_normalize = get_bool(j, "do_normalize", true);
    if (j.contains("resample") && !j.at("resample").is_null())
        cfg.resample = get_int_value(j.at("resample"), "resample", PilNearest, PilHamming);
    return cfg;
}

ImageProcessorConfig load_image_processor_config(const std::string& model_dir) {
    const std::string path = path_join(model_dir, "preprocessor_config.json");
    if (!file_exists(path)) fail(path, ": file not found (the model folder has no preprocessor_config.json)");
    const std::string text = read_text_file(path);
    check_json_depth(text, kMaxJsonDepth, path);
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        fail(path, ": not valid JSON: ", e.what());
    }
    try {
        return parse_image_processor_config(j);
    } catch (const Error& e) {
        fail(path, ": ", e.what());
    }
}

}  // namespace sightline
