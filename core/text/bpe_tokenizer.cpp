#include "core/text/bpe_tokenizer.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/text/added_token_matcher.h"
#include "core/text/bpe_tokenizer_json.h"
#include "core/text/byte_level.h"
#include "core/text/utf8.h"
#include "core/util/error.h"

namespace sightline {
namespace {

class BpeTokenizer final : public Tokenizer {
  public:
    BpeTokenizer(const std::string& json_path, const TokenizerConfig& config);

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
    // Raw bytes of a model token (its vocabulary text when that is not byte-level).
    std::string token_bytes(int64_t id) const;

    BpeTokenizerFile file_;
    std::string where_;
    int64_t vocab_size_ = 0;
    std::unordered_map<int64_t, std::string> added_;
    std::unordered_map<std::string, int64_t> added_ids_;
    std::unordered_set<int64_t> special_;
    AddedTokenMatcher matcher_;
    std::vector<int64_t> prefix_, suffix_;  // what add_special_tokens puts around the text
};

BpeTokenizer::BpeTokenizer(const std::string& json_path, const TokenizerConfig& config)
    : file_(read_bpe_tokenizer_json(json_path)), where_(json_path) {
    merge_added_tokens(file_.added_tokens, config.added_tokens);  // tokenizer.json entries win
    vocab_size_ = file_.model->size();
    for (auto& t : file_.added_tokens) {
        if (config.is_additional_special(t.content)) t.special = true;
        added_[t.id] = t.content;
        added_ids_[t.content] = t.id;
        vocab_size_ = std::max(vocab_size_, t.id + 1);
        if (t.special) special_.insert(t.id);
    }
    matcher_ = AddedTokenMatcher(file_.added_tokens);

    const TokenLookup lookup = [this](const std::string& p) { return token_id(p); };
    const std::string where = config.source();
    const int64_t model_unk = file_.unk_token.empty() ? -1 : token_id(file_.unk_token).value_or(-1);
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
        prefix_ = file_.template_prefix;
    if (config.add_eos_token)
        suffix_ = *config.add_eos_token && special_ids_.eos >= 0 ? std::vector<int64_t>{special_ids_.eos}
                                                                 : std::vector<int64_t>{};
    else
        suffix_ = file_.template_suffix;
    for (const int64_t id : prefix_) check_id(id);
    for (const int64_t id : suffix_) check_id(id);
}

std::vector<int64_t> BpeTokenizer::encode(const std::string& text, bool add_special_tokens) const {
    if (const std::size_t bad = find_invalid_utf8(text); bad != std::string::npos)
        fail("text to encode is not valid UTF-8 (byte ", bad, ")");
    std::vector<int64_t> ids;
    if (add_special_tokens) ids = prefix_;
    for (const auto& seg : matcher_.split(text)) {
        if (seg.is_token()) {
            ids.push_back(seg.token);
            continue;
        }
        const std::string normalized = file_.normalizer.apply(seg.text);
        for (const auto& word : file_.pre_tokenizer.split(normalized)) file_.model->encode_word(word, ids);
    }
    if (add_special_tokens) ids.insert(ids.end(), suffix_.begin(), suffix_.end());
    return ids;
}

std::string BpeTokenizer::token_bytes(int64_t id) const {
    const std::string& p = file_.model->piece(id);
    auto bytes = from_byte_level(p);
    return bytes ? std::move(*bytes) : p;
}

std::string BpeTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const {
    std::string bytes;
    for (const int64_t id : ids) {
        check_id(id);
        if (skip_special_tokens && is_special(id)) continue;
        const auto added = added_.find(id);
        bytes += added != added_.end() ? added->second : token_bytes(id);
    }
    return utf8_lossy(bytes);
}

void BpeTokenizer::check_id(int64_t id) const {
    if (id < 0 || id >= vocab_size_ || (added_.count(id) == 0 && !file_.model->has_id(id)))
        fail("token id ", id, " is not in the tokenizer ", where_, " (vocabulary size ", vocab_size_, ")");
}

std::string BpeTokenizer::piece(int64_t id) const {
    check_id(id);
    const auto added = added_.find(id);
    return added != added_.end() ? added->second : file_.model->piece(id);
}

std::string BpeTokenizer::token_text(int64_t id) const {
    check_id(id);
    const auto added = added_.find(id);
    return added != added_.end() ? added->second : utf8_or_hex_bytes(token_bytes(id));
}

std::optional<int64_t> BpeTokenizer::token_id(const std::string& p) const {
    const auto added = added_ids_.find(p);
    if (added != added_ids_.end()) return added->second;
    return file_.model->id(p);
}

}  // namespace

std::unique_ptr<Tokenizer> load_bpe_tokenizer(const std::string& json_path, const TokenizerConfig& config) {
    return std::make_unique<BpeTokenizer>(json_path, config);
}

}  // namespace sightline
