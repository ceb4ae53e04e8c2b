#include "core/train/toy_recipe.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/text/tokenizer.h"
#include "core/toy/corpus.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/strings.h"

namespace sightline::train {
namespace {

void write_json(const std::string& path, const nlohmann::json& j) {
    write_file_atomic(path, j.dump(2) + "\n", "JSON file");
}

nlohmann::json added_token(const std::string& content) {
    return {{"content", content}, {"lstrip", false},      {"normalized", false},
            {"rstrip", false},    {"single_word", false}, {"special", true}};
}

// Runs a program with arguments (no shell), returning its exit status.
int run_program(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) fail("cannot start ", argv[0]);
    if (pid == 0) {
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

ToyModelSize tiny_toy_size() {
    ToyModelSize s;
    s.vision_layers = 2;
    s.vision_hidden = 32;
    s.vision_heads = 2;
    s.vision_mlp = 64;
    s.lm_layers = 2;
    s.lm_hidden = 64;
    s.lm_heads = 2;
    s.lm_kv_heads = 1;
    s.lm_mlp = 128;
    return s;
}

ModelConfig toy_model_config(const ToyModelSize& s, const ToyTokenIds& ids) {
    const nlohmann::json j = {{"model_type", "llava"},
                              {"architectures", {"LlavaForConditionalGeneration"}},
                              {"image_token_index", ids.image},
                              {"vision_feature_layer", -2},
                              {"vision_feature_select_strategy", "default"},
                              {"projector_hidden_act", "gelu"},
                              {"tie_word_embeddings", false},
                              {"text_config",
                               {{"model_type", "llama"},
                                {"vocab_size", ids.vocab},
                                {"hidden_size", s.lm_hidden},
                                {"intermediate_size", s.lm_mlp},
                                {"num_hidden_layers", s.lm_layers},
                                {"num_attention_heads", s.lm_heads},
                                {"num_key_value_heads", s.lm_kv_heads},
                                {"max_position_embeddings", s.max_positions},
                                {"rms_norm_eps", 1e-5},
                                {"rope_theta", 10000.0},
                                {"bos_token_id", ids.bos},
                                {"eos_token_id", ids.eos},
                                {"pad_token_id", ids.pad},
                                {"tie_word_embeddings", false}}},
                              {"vision_config",
                               {{"model_type", "clip_vision_model"},
                                {"hidden_size", s.vision_hidden},
                                {"intermediate_size", s.vision_mlp},
                                {"num_hidden_layers", s.vision_layers},
                                {"num_attention_heads", s.vision_heads},
                                {"image_size", 96},
                                {"patch_size", 8},
                                {"hidden_act", "quick_gelu"},
                                {"layer_norm_eps", 1e-5}}}};
    return parse_model_config(j, "toy recipe");
}

ImageProcessorConfig toy_image_processor() {
    ImageProcessorConfig p;
    p.kind = ImageProcessorKind::Clip;
    p.shortest_edge = 96;
    p.crop_height = p.crop_width = 96;
    return p;
}

ToyTokenIds train_toy_tokenizer(const std::string& dir, const std::string& spm_train, int vocab_size,
                                std::size_t corpus_samples) {
    ::mkdir(dir.c_str(), 0755);
    const std::string corpus = path_join(dir, "tokenizer_corpus.txt");
    {
        std::string text = toy::corpus_for_tokenizer(corpus_samples, 0);
        // The chat template's own words, as they appear around every question.
        for (std::size_t i = 0; i < corpus_samples / 4; ++i) text += "USER: ASSISTANT:\n";
        write_file_atomic(corpus, text, "tokenizer corpus");
    }
    const std::string prefix = path_join(dir, "tokenizer");
    const int status = run_program({spm_train, "--input=" + corpus, "--model_prefix=" + prefix,
                                    "--vocab_size=" + std::to_string(vocab_size), "--model_type=bpe",
                                    "--character_coverage=1.0", "--byte_fallback=true",
                                    "--normalization_rule_name=identity", "--unk_id=0", "--bos_id=1",
                                    "--eos_id=2", "--pad_id=-1", "--num_threads=1", "--minloglevel=2"});
    std::remove(corpus.c_str());
    if (status != 0)
        fail("spm_train failed (exit status ", status, "); is the Debian package 'sentencepiece' installed?");
    std::remove((prefix + ".vocab").c_str());
    return toy_token_ids(dir);
}

ToyTokenIds toy_token_ids(const std::string& dir) {
    const auto tok = load_tokenizer_file(path_join(dir, "tokenizer.model"));
    ToyTokenIds ids;
    const std::int64_t pieces = tok->vocab_size();
    // tokenizer.model alone has only its own pieces; <image> and <pad> follow them.
    const auto image = tok->token_id("<image>");
    ids.image = image ? *image : pieces;
    ids.pad = ids.image + 1;
    ids.vocab = ids.pad + 1;
    return ids;
}

void write_toy_side_files(const std::string& dir, const ToyTokenIds& ids, int max_positions) {
    const std::string chat =
        "{% for message in messages %}{% if message['role'] != 'system' %}{{ message['role'].upper() + ': "
        "'}}{% endif %}"
        "{% for line in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\n' }}{% "
        "endfor %}"
        "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] + "
        "' '}}"
        "{% endfor %}{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}";
    nlohmann::json decoder = {{std::to_string(ids.unk), added_token("<unk>")},
                              {std::to_string(ids.bos), added_token("<s>")},
                              {std::to_string(ids.eos), added_token("</s>")},
                              {std::to_string(ids.image), added_token("<image>")},
                              {std::to_string(ids.pad), added_token("<pad>")}};
    write_json(path_join(dir, "tokenizer_config.json"), {{"add_bos_token", true},
                                                         {"add_eos_token", false},
                                                         {"added_tokens_decoder", decoder},
                                                         {"bos_token", "<s>"},
                                                         {"eos_token", "</s>"},
                                                         {"unk_token", "<unk>"},
                                                         {"pad_token", "<pad>"},
                                                         {"legacy", false},
                                                         {"model_max_length", max_positions},
                                                         {"padding_side", "left"},
                                                         {"processor_class", "LlavaProcessor"},
                                                         {"tokenizer_class", "LlamaTokenizer"},
                                                         {"clean_up_tokenization_spaces", false},
                                                         {"chat_template", chat}});
    write_json(path_join(dir, "special_tokens_map.json"), {{"bos_token", "<s>"},
                                                           {"eos_token", "</s>"},
                                                           {"unk_token", "<unk>"},
                                                           {"pad_token", "<pad>"},
                                                           {"image_token", "<image>"}});
    write_json(path_join(dir, "chat_template.json"), {{"chat_template", chat}});
    const ImageProcessorConfig p = toy_image_processor();
    write_json(path_join(dir, "preprocessor_config.json"),
               {{"image_processor_type", "CLIPImageProcessor"},
                {"processor_class", "LlavaProcessor"},
                {"do_resize", true},
                {"size", {{"shortest_edge", p.shortest_edge}}},
                {"do_center_crop", true},
                {"crop_size", {{"height", p.crop_height}, {"width", p.crop_width}}},
                {"do_rescale", true},
                {"rescale_factor", 1.0 / 255.0},
                {"do_normalize", true},
                {"image_mean", p.mean},
                {"image_std", p.std},
                {"resample", 3},
                {"do_convert_rgb", true}});
    write_json(path_join(dir, "generation_config.json"), {{"bos_token_id", ids.bos},
                                                          {"eos_token_id", ids.eos},
                                                          {"pad_token_id", ids.pad},
                                                          {"do_sample", false},
                                                          {"max_new_tokens", 64}});
}

}  // namespace sightline::train
