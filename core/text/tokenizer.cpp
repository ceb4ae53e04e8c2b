#include "core/text/tokenizer.h"

#include "core/text/sentencepiece_tokenizer.h"
#include "core/text/tokenizer_config.h"
#include "core/text/tokenizer_json.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

std::string parent_dir(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? std::string("/") : path.substr(0, slash);
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& model_dir) {
    const std::string sp_model = path_join(model_dir, "tokenizer.model");
    const std::string json = path_join(model_dir, "tokenizer.json");
    // transformers' AutoTokenizer loads the fast tokenizer (tokenizer.json) when the folder has one; real
    // Gemma 3 / PaliGemma / LLaVA folders ship both files.
    if (file_exists(json)) return load_tokenizer_json(json, read_tokenizer_config(model_dir));
    if (file_exists(sp_model))
        return load_sentencepiece_tokenizer(sp_model, read_tokenizer_config(model_dir));
    return nullptr;
}

std::unique_ptr<Tokenizer> load_tokenizer_file(const std::string& path) {
    if (!file_exists(path)) fail("tokenizer file not found: ", path);
    const std::string dir = parent_dir(path);
    if (ends_with(path, ".model")) return load_sentencepiece_tokenizer(path, read_tokenizer_config(dir));
    if (ends_with(path, ".json")) return load_tokenizer_json(path, read_tokenizer_config(dir));
    fail("unsupported tokenizer file ", path, ": expected a SentencePiece .model or a tokenizer.json");
}

}  // namespace sightline
