#include "core/text/tokenizer_json.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/text/added_token_matcher.h"
#include "core/text/bpe_model.h"
#include "core/text/hf_decoder.h"
#include "core/text/hf_normalizer.h"
#include "core/text/hf_pre_tokenizer.h"
#include "core/text/json_file.h"
#include "core/text/tokenizer_json_file.h"
#include "core/text/utf8.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

using json = nlohmann::json;

std::unique_ptr<BpeModel> read_model(TokenizerJsonFile& file, const std::string& where, std::string& unk) {
    const auto it = file.doc.find("model");
    if (it == file.doc.end() || !it->is_object()) fail(where, ": missing field \"model\" (an object)");
    const json& model = *it;
    const std::string type = json_string(model, "type", "BPE", where);
    if (type != "BPE") fail(where, ": model type '", type, "' is not supported (only BPE is)");
    const auto dropout = model.find("dropout");
    if (dropout != model.end() && !dropout->is_null() &&
        !(dropout->is_number() && dropout->get<double>() == 0.0))
        fail(where, ": BPE dropout ", brief(dropout->dump()),
             " is not supported (tokenization would be random)");
    if (!file.has_vocab) {
        if (!model.contains("vocab")) fail(where, ": missing field \"model.vocab\"");
        fail(where, ": field \"model.vocab\" must be an object of piece -> id");
    }
    if (!file.has_merges) {
        if (!model.contains("merges")) fail(where, ": missing field \"model.merges\"");
        fail(where, ": field \"model.merges\" must be an array");
    }
    if (file.vocab.empty()) fail(where, ": model.vocab is empty");

    BpeOptions options;
    options.byte_fallback = json_bool(model, "byte_fallback", false, where);
    options.fuse_unk = json_bool(model, "fuse_unk", false, where);
    options.ignore_merges = json_bool(model, "ignore_merges", false, where);
    options.continuing_subword_prefix = json_string(model, "continuing_subword_prefix", "", where);
    options.end_of_word_suffix = json_string(model, "end_of_word_suffix", "", where);
    unk = json_string(model, "unk_token", "", where);
    if (!unk.empty()) {
        const auto found = std::find_if(file.vocab.rbegin(), file.vocab.rend(),
                                        [&](const auto& entry) { return entry.first == unk; });
        if (found == file.vocab.rend()) fail(where, ": model.unk_token \"", unk, "\" is not in model.vocab");
        options.unk_id = found->second;
    }
    auto bpe = std::make_unique<BpeModel>(std::move(file.vocab), file.merges, std::move(options), where);
    file.merges = {};
    return bpe;
}

std::vector<AddedToken> read_added(const json& doc, const std::string& where) {
    std::vector<AddedToken> tokens;
    const auto it = doc.find("added_tokens");
    if (it == doc.end() || it->is_null()) return tokens;
    if (!it->is_array()) fail(where, ": \"added_tokens\" must be an array");
    for (const auto& t : *it) {
        if (!t.is_object() || !t.contains("id") || !t["id"].is_number_integer() || t["id"].get<int64_t>() < 0)
            fail(where, ": every entry of \"added_tokens\" needs a non-negative integer \"id\"");
        tokens.push_back(parse_added_token(t, t["id"].get<int64_t>(), where));
    }
    return tokens;
}

// What a post-processor puts before and after a single sequence.
struct Template {
    std::vector<int64_t> prefix, suffix;
};

void read_post_processor(const json& post, const std::string& where, Template& out) {
    if (post.is_null()) return;
    if (!post.is_object() || !post.contains("type") || !post["type"].is_string())
        fail(where, ": a \"post_processor\" must be an object with a \"type\"");
    const std::string type = post["type"].get<std::string>();
    if (type == "Sequence") {
        for (const auto& p : json_required(post, "processors", true, where))
            read_post_processor(p, where, out);
        return;
    }
    if (type == "ByteLevel") return;  // changes offsets only
    if (type != "TemplateProcessing")
        fail(where, ": post_processor type '", type,
             "' is not supported (supported: TemplateProcessing, ByteLevel, Sequence)");
    const json& single = json_required(post, "single", true, where);
    const auto specials = post.find("special_tokens");
    bool after = false;
    for (const auto& item : single) {
        if (item.is_object() && item.contains("Sequence")) {
            if (after) fail(where, ": post_processor TemplateProcessing \"single\" has two sequences");
            after = true;
            continue;
        }
        if (!item.is_object() || !item.contains("SpecialToken") || !item["SpecialToken"].is_object())
            fail(where, ": post_processor TemplateProcessing item ", brief(item.dump()),
                 " is neither a SpecialToken nor a Sequence");
        const std::string name = json_string(item["SpecialToken"], "id", "", where);
        if (specials == post.end() || !specials->is_object() || !specials->contains(name) ||
            !(*specials)[name].contains("ids") || !(*specials)[name]["ids"].is_array())
            fail(where, ": post_processor template names special token \"", name, "\" without ids");
        for (const auto& id : (*specials)[name]["ids"]) {
            if (!id.is_number_integer() || id.get<int64_t>() < 0)
                fail(where, ": post_processor ids of \"", name, "\" must be non-negative integers");
            (after ? out.suffix : out.prefix).push_back(id.get<int64_t>());
        }
    }
    if (!after) fail(where, ": post_processor TemplateProcessing \"single\" has no Sequence");
}

class JsonTokenizer final : public Tokenizer {
  public:
    JsonTokenizer(const std::string& json_path, const TokenizerConfig& config);

    std::vector<int64_t> encode(const std::string& text, bool add_special_tokens) const override;
    std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const override;
    std::string piece(int64_t id) const override;
    std::string token_text(int64_t id) const override;
    int64_t vocab_size() const override { return vocab_size_; }
    std::optional<int64_t> token_id(const std::string& piece) const override;
    bool is_special(int64_t id) const override { return special_.count(id) > 0; }
    std::string kind() const override { return "bpe"; }

  private:
    void check_id(int64_t id) const;
    void encode_text(std::string_view text, bool at_start, std::vector<int64_t>& ids) const;

    std::string where_;
    std::unique_ptr<BpeModel> model_;
    HfNormalizer normalizer_;
    HfPreTokenizer pre_tokenizer_;
    HfDecoder decoder_;
    int64_t vocab_size_ = 0;
    std::unordered_map<int64_t, std::string> added_;
    std::unordered_map<std::string, int64_t> added_ids_;
    std::unordered_set<int64_t> special_;
    AddedTokenMatcher raw_matcher_;         // added tokens matched in the text as typed
    AddedTokenMatcher normalized_matcher_;  // "normalized" added tokens, matched after the normalizer
    std::vector<int64_t> prefix_, suffix_;  // what add_special_tokens puts around the text
};

JsonTokenizer::JsonTokenizer(const std::string& json_path, const TokenizerConfig& config)
    : where_(json_path) {
    TokenizerJsonFile file = read_tokenizer_json_file(json_path);
    if (!file.doc.is_object()) fail(json_path, ": expected a JSON object (a Hugging Face tokenizer.json)");
    std::string unk_token;
    model_ = read_model(file, json_path, unk_token);
    normalizer_ = HfNormalizer::from_json(file.doc.value("normalizer", json()), json_path);
    pre_tokenizer_ = HfPreTokenizer::from_json(file.doc.value("pre_tokenizer", json()), json_path);
    decoder_ = HfDecoder::from_json(file.doc.value("decoder", json()), json_path);
    Template tmpl;
    read_post_processor(file.doc.value("post_processor", json()), json_path, tmpl);

    std::vector<AddedToken> added = read_added(file.doc, json_path);
    merge_added_tokens(added, config.added_tokens);  // tokenizer.json entries win
    vocab_size_ = model_->size();
    std::vector<AddedToken> raw, normalized;
    for (auto& t : added) {
        if (config.is_additional_special(t.content)) t.special = true;
        added_[t.id] = t.content;
        added_ids_[t.content] = t.id;
        vocab_size_ = std::max(vocab_size_, t.id + 1);
        if (t.special) special_.insert(t.id);
        if (t.normalized && !normalizer_.empty()) {
            AddedToken n = t;
            n.content = normalizer_.apply(t.content);
            normalized.push_back(std::move(n));
        } else {
            raw.push_back(t);
        }
    }
    raw_matcher_ = AddedTokenMatcher(raw);
    normalized_matcher_ = AddedTokenMatcher(normalized);

    const TokenLookup lookup = [this](const std::string& p) { return token_id(p); };
    const std::string where = config.source();
    const int64_t model_unk = unk_token.empty() ? -1 : token_id(unk_token).value_or(-1);
    special_ids_.bos = resolve_special_token(config.bos, -1, lookup, "bos_token", where);
    special_ids_.eos = resolve_special_token(config.eos, -1, lookup, "eos_token", where);
    special_ids_.pad = resolve_special_token(config.pad, -1, lookup, "pad_token", where);
    special_ids_.unk = resolve_special_token(config.unk, model_unk, lookup, "unk_token", where);
    for (const int64_t id : {special_ids_.bos, special_ids_.eos, special_ids_.pad, special_ids_.unk})
        if (id >= 0) special_.insert(id);
    for (const auto& content : config.additional_special_tokens)
        if (const auto id = token_id(content)) special_.insert(*id);

    // tokenizer_config.json's add_bos_token / add_eos_token win over the tokenizer.json template.
    if (config.add_bos_token)
        prefix_ = *config.add_bos_token && special_ids_.bos >= 0 ? std::vector<int64_t>{special_ids_.bos}
                                                                 : std::vector<int64_t>{};
    else
        prefix_ = tmpl.prefix;
    if (config.add_eos_token)
        suffix_ = *config.add_eos_token && special_ids_.eos >= 0 ? std::vector<int64_t>{special_ids_.eos}
                                                                 : std::vector<int64_t>{};
    else
        suffix_ = tmpl.suffix;
    for (const int64_t id : prefix_) check_id(id);
    for (const int64_t id : suffix_) check_id(id);
}

void JsonTokenizer::encode_text(std::string_view text, bool at_start, std::vector<int64_t>& ids) const {
    const std::string normalized = normalizer_.apply(text);
    for (const auto& seg : normalized_matcher_.split(normalized)) {
        if (seg.is_token()) {
            ids.push_back(seg.token);
            continue;
        }
        const bool seg_at_start = at_start && seg.text.data() == normalized.data();
        for (const auto& word : pre_tokenizer_.split(seg.text, seg_at_start)) model_->encode_word(word, ids);
    }
}

std::vector<int64_t> JsonTokenizer::encode(const std::string& text, bool add_special_tokens) const {
    if (const std::size_t bad = find_invalid_utf8(text); bad != std::string::npos)
        fail("text to encode is not valid UTF-8 (byte ", bad, ")");
    std::vector<int64_t> ids;
    if (add_special_tokens) ids = prefix_;
    for (const auto& seg : raw_matcher_.split(text)) {
        if (seg.is_token())
            ids.push_back(seg.token);
        else
            encode_text(seg.text, seg.text.data() == text.data(), ids);
    }
    if (add_special_tokens) ids.insert(ids.end(), suffix_.begin(), suffix_.end());
    return ids;
}

std::string JsonTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const {
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const int64_t id : ids) {
        check_id(id);
        if (skip_special_tokens && is_special(id)) continue;
        tokens.push_back(piece(id));
    }
    return decoder_.decode(tokens);
}

void JsonTokenizer::check_id(int64_t id) const {
    if (id < 0 || id >= vocab_size_ || (added_.count(id) == 0 && !model_->has_id(id)))
        fail("token id ", id, " is not in the tokenizer ", where_, " (vocabulary size ", vocab_size_, ")");
}

std::string JsonTokenizer::piece(int64_t id) const {
    check_id(id);
    const auto added = added_.find(id);
    return added != added_.end() ? added->second : model_->piece(id);
}

std::string JsonTokenizer::token_text(int64_t id) const {
    check_id(id);
    const auto added = added_.find(id);
    if (added != added_.end()) return added->second;
    return utf8_or_hex_bytes(decoder_.token_bytes(model_->piece(id)));
}

std::optional<int64_t> JsonTokenizer::token_id(const std::string& p) const {
    const auto added = added_ids_.find(p);
    if (added != added_ids_.end()) return added->second;
    return model_->id(p);
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer_json(const std::string& json_path, const TokenizerConfig& config) {
    return std::make_unique<JsonTokenizer>(json_path, config);
}

}  // namespace sightline
