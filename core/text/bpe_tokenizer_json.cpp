#include "core/text/bpe_tokenizer_json.h"

#include <nlohmann/json.hpp>

#include "core/text/json_file.h"
#include "core/util/error.h"

namespace sightline {
namespace {

std::vector<std::pair<std::string, std::string>> read_merges(const nlohmann::json& list,
                                                             const std::string& where) {
    std::vector<std::pair<std::string, std::string>> merges;
    merges.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& m = list[i];
        if (m.is_string()) {
            const auto& s = m.get_ref<const std::string&>();
            const auto space = s.find(' ');
            if (space == std::string::npos || space == 0 || space + 1 >= s.size() ||
                s.find(' ', space + 1) != std::string::npos)
                fail(where, ": merge ", i, " \"", s, "\" is not two pieces separated by one space");
            merges.emplace_back(s.substr(0, space), s.substr(space + 1));
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
        } else {
            fail(where, ": merge ", i, " must be \"a b\" or [\"a\", \"b\"], not ", m.dump());
        }
    }
    return merges;
}

std::unique_ptr<BpeModel> read_model(const nlohmann::json& model, const std::string& where,
                                     std::string& unk) {
    const std::string type = json_string(model, "type", "BPE", where);
    if (type != "BPE")
        fail(where, ": unsupported tokenizer model type \"", type, "\" (only byte-level BPE is supported)");
    if (!json_string(model, "continuing_subword_prefix", "", where).empty() ||
        !json_string(model, "end_of_word_suffix", "", where).empty())
        fail(where, ": BPE continuing_subword_prefix / end_of_word_suffix are not supported");
    const auto& vocab_json = json_required(model, "vocab", false, where);
    std::unordered_map<std::string, int64_t> vocab;
    vocab.reserve(vocab_json.size());
    for (const auto& [piece, id] : vocab_json.items()) {
        if (!id.is_number_integer()) fail(where, ": model.vocab id of \"", piece, "\" is not an integer");
        vocab.emplace(piece, id.get<int64_t>());
    }
    if (vocab.empty()) fail(where, ": model.vocab is empty");
    const auto merges = read_merges(json_required(model, "merges", true, where), where);
    unk = json_string(model, "unk_token", "", where);
    std::optional<int64_t> unk_id;
    if (!unk.empty()) {
        const auto it = vocab.find(unk);
        if (it != vocab.end()) unk_id = it->second;
    }
    return std::make_unique<BpeModel>(std::move(vocab), merges, unk_id,
                                      json_bool(model, "ignore_merges", false, where), where);
}

std::vector<AddedToken> read_added(const nlohmann::json& j, const std::string& where) {
    std::vector<AddedToken> tokens;
    const auto it = j.find("added_tokens");
    if (it == j.end() || it->is_null()) return tokens;
    if (!it->is_array()) fail(where, ": \"added_tokens\" must be an array");
    for (const auto& t : *it) {
        if (!t.is_object() || !t.contains("id") || !t["id"].is_number_integer() || t["id"].get<int64_t>() < 0)
            fail(where, ": every entry of \"added_tokens\" needs a non-negative integer \"id\"");
        tokens.push_back(parse_added_token(t, t["id"].get<int64_t>(), where));
    }
    return tokens;
}

// Ids of the SpecialToken entries before / after the sequence in TemplateProcessing's "single".
void read_template(const nlohmann::json& post, const std::string& where, BpeTokenizerFile& out) {
    if (!post.is_object()) return;
    const std::string type = json_string(post, "type", "", where);
    if (type == "Sequence" && post.contains("processors") && post["processors"].is_array()) {
        for (const auto& p : post["processors"]) read_template(p, where, out);
        return;
    }
    if (type != "TemplateProcessing" || !post.contains("single") || !post["single"].is_array()) return;
    const auto specials = post.find("special_tokens");
    bool after = false;
    for (const auto& item : post["single"]) {
        if (item.contains("Sequence")) {
            after = true;
            continue;
        }
        if (!item.contains("SpecialToken")) continue;
        const std::string name = json_string(item["SpecialToken"], "id", "", where);
        if (specials == post.end() || !specials->contains(name) || !(*specials)[name].contains("ids"))
            fail(where, ": post_processor template names special token \"", name, "\" without ids");
        for (const auto& id : (*specials)[name]["ids"]) {
            if (!id.is_number_integer())
                fail(where, ": post_processor ids of \"", name, "\" must be integers");
            (after ? out.template_suffix : out.template_prefix).push_back(id.get<int64_t>());
        }
    }
}

}  // namespace

BpeTokenizerFile read_bpe_tokenizer_json(const std::string& path) {
    const nlohmann::json j = read_json_file(path);
    if (!j.is_object()) fail(path, ": expected a JSON object (a Hugging Face tokenizer.json)");
    BpeTokenizerFile out;
    out.model = read_model(json_required(j, "model", false, path), path, out.unk_token);
    out.added_tokens = read_added(j, path);
    out.normalizer = TextNormalizer::from_json(j.value("normalizer", nlohmann::json()), path);
    out.pre_tokenizer = PreTokenizer::from_json(j.value("pre_tokenizer", nlohmann::json()), path);
    read_template(j.value("post_processor", nlohmann::json()), path, out);
    return out;
}

}  // namespace sightline
