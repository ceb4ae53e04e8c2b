#include "tests/support/tiny_models.h"

#include <opencv2/core.hpp>

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/model/checkpoint_writer.h"
#include "core/model/model.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline::test {
namespace {

void write_json(const std::string& path, const nlohmann::json& j) {
    std::ofstream out(path);
    out << j.dump(2) << "\n";
    if (!out) fail("cannot write ", path);
}

// GPT-2 bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards.
std::string byte_symbol(int b) {
    int cp = b;
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    if (!printable) {
        int n = 0;
        for (int x = 0; x < b; ++x)
            if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255))) ++n;
        cp = 256 + n;
    }
    std::string out;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

}  // namespace

ModelConfig tiny_config(const TinySpec& s) {
    nlohmann::json text = {{"model_type", s.decoder == DecoderKind::Qwen2 ? "qwen2" : "llama"},
                           {"vocab_size", kTinyVocab},
                           {"hidden_size", 32},
                           {"intermediate_size", 64},
                           {"num_hidden_layers", 2},
                           {"num_attention_heads", 4},
                           {"num_key_value_heads", 2},
                           {"max_position_embeddings", 256},
                           {"rms_norm_eps", 1e-6},
                           {"tie_word_embeddings", s.tied},
                           {"bos_token_id", kTinyBos},
                           {"eos_token_id", kTinyEos}};
    if (!s.multimodal) return parse_model_config(text, "tiny config");
    nlohmann::json vision = {
        {"model_type", s.vision == VisionKind::Siglip ? "siglip_vision_model" : "clip_vision_model"},
        {"hidden_size", 32},
        {"intermediate_size", 64},
        {"num_hidden_layers", 3},
        {"num_attention_heads", 4},
        {"image_size", 32},
        {"patch_size", 8}};
    nlohmann::json j = {
        {"model_type", "llava"},
        {"architectures", {"LlavaForConditionalGeneration"}},
        {"text_config", text},
        {"vision_config", vision},
        {"image_token_index", kTinyImage},
        {"vision_feature_select_strategy", s.strategy},
        {"vision_feature_layer", s.feature_layers.size() == 1 ? nlohmann::json(s.feature_layers[0])
                                                              : nlohmann::json(s.feature_layers)}};
    return parse_model_config(j, "tiny config");
}

void write_byte_tokenizer(const std::string& dir,
                          const std::vector<std::pair<std::int64_t, std::string>>& specials) {
    nlohmann::json vocab = nlohmann::json::object();
    for (int b = 0; b < 256; ++b) vocab[byte_symbol(b)] = b;
    nlohmann::json added = nlohmann::json::array();
    for (const auto& [id, content] : specials)
        added.push_back({{"id", id},
                         {"content", content},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", true}});
    write_json(
        path_join(dir, "tokenizer.json"),
        {{"version", "1.0"},
         {"added_tokens", added},
         {"normalizer", nullptr},
         {"pre_tokenizer",
          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
         {"post_processor", nullptr},
         {"decoder", {{"type", "ByteLevel"}}},
         {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array()}}}});
    write_json(path_join(dir, "tokenizer_config.json"), {{"bos_token", "<s>"},
                                                         {"eos_token", "</s>"},
                                                         {"add_bos_token", true},
                                                         {"tokenizer_class", "PreTrainedTokenizerFast"}});
}

void write_tiny_tokenizer(const std::string& dir) {
    write_byte_tokenizer(dir, {{kTinyBos, "<s>"}, {kTinyEos, "</s>"}, {kTinyImage, "<image>"}});
    write_json(
        path_join(dir, "chat_template.json"),
        {{"chat_template",
          "{% for message in messages %}{% if message['role'] == 'user' %}USER: {{ message['content'] }} "
          "{% else %}ASSISTANT: {{ message['content'] }}{% endif %}{% endfor %}"
          "{% if add_generation_prompt %}ASSISTANT:{% endif %}"}});
}

std::string write_tiny_model(const std::string& dir, const TinySpec& s) {
    ::mkdir(dir.c_str(), 0755);
    Model model(tiny_config(s), ComputeDType::F32);
    model.init_random(s.seed, s.init_std);
    CheckpointWriteOptions o;
    o.layout = s.layout;
    o.shards = s.shards;
    save_model(model, dir, o);
    if (s.with_tokenizer) write_tiny_tokenizer(dir);
    if (s.multimodal && s.with_preprocessor) {
        if (s.vision == VisionKind::Siglip)
            write_json(path_join(dir, "preprocessor_config.json"),
                       {{"image_processor_type", "SiglipImageProcessor"},
                        {"size", {{"height", 32}, {"width", 32}}},
                        {"image_mean", {0.5, 0.5, 0.5}},
                        {"image_std", {0.5, 0.5, 0.5}},
                        {"resample", 3}});
        else
            write_json(path_join(dir, "preprocessor_config.json"),
                       {{"image_processor_type", "CLIPImageProcessor"},
                        {"size", {{"shortest_edge", 32}}},
                        {"crop_size", {{"height", 32}, {"width", 32}}},
                        {"do_center_crop", true},
                        {"resample", 3}});
    }
    return dir;
}

std::string describe(const TinySpec& s) {
    if (!s.multimodal)
        return cat(s.decoder == DecoderKind::Qwen2 ? "qwen2" : "llama", "-text", s.tied ? "-tied" : "");
    return cat(s.vision == VisionKind::Siglip ? "siglip" : "clip", "+",
               s.decoder == DecoderKind::Qwen2 ? "qwen2" : "llama", s.tied ? " tied" : " untied",
               s.layout == KeyLayout::Hub ? " hub" : " tf452", s.shards > 1 ? " sharded" : " single", " ",
               s.strategy);
}

PromptRequest question_about_noise(const std::string& question) {
    PromptRequest r;
    r.question = question;
    cv::Mat img(32, 32, CV_8UC3);
    cv::randu(img, 0, 255);
    r.image_rgb = img;
    return r;
}

}  // namespace sightline::test
