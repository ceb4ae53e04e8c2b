#include "core/text/sentencepiece_tokenizer.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/text/added_token_matcher.h"
#include "core/text/sentencepiece_model.h"
#include "core/text/utf8.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";  // U+2581 "▁"

std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
    std::string out;
    std::size_t pos = 0;
    while (true) {
        const std::size_t hit = s.find(from, pos);
        out.append(s.substr(pos, hit == std::string_view::npos ? std::string_view::npos : hit - pos));
        if (hit == std::string_view::npos) return out;
        out.append(to);
        pos = hit + from.size();
    }
}

class SentencePieceTokenizer final : public Tokenizer {
  public:
    SentencePieceTokenizer(const std::string& model_path, const TokenizerConfig& config);

    std::vector<int64_t> encode(const std::string& text, bool add_special_tokens) const override;
    std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const override;
    std::string piece(int64_t id) const override;
    std::string token_text(int64_t id) const override;
    int64_t vocab_size() const override { return vocab_size_; }
    std::optional<int64_t> token_id(const std::string& piece) const override;
    bool is_special(int64_t id) const override { return special_.count(id) > 0; }
    std::string kind() const override { return "sentencepiece"; }

  private:
    void load_model(const std::string& model_path);
    void append_sp(std::string_view text, std::vector<int64_t>& out) const;
    void append_segment_non_legacy(std::string_view text, std::vector<int64_t>& out) const;
    void check_id(int64_t id) const;
    bool is_sp_piece(int64_t id) const { return id < sp_size_ && added_.count(id) == 0; }

    std::unique_ptr<SentencePieceModel> sp_;
    std::string where_;
    int64_t sp_size_ = 0;
    int64_t vocab_size_ = 0;
    std::unordered_map<int64_t, std::string> added_;  // id -> content
    std::unordered_map<std::string, int64_t> added_ids_;
    std::unordered_set<int64_t> special_;
    AddedTokenMatcher matcher_;
    bool legacy_ = true;
    bool add_prefix_space_ = true;
    bool strip_segment_start_ = true;  // legacy: decoding strips the dummy "▁" of every segment
    bool add_bos_ = true;
    bool add_eos_ = false;
    std::string unk_token_;
    std::size_t unk_length_ = 0;  // pieces of unk_token_ encoded alone (the legacy=false prefix trick)
};

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& model_path, const TokenizerConfig& config)
    : where_(model_path) {
    legacy_ = config.legacy.value_or(true);
    add_prefix_space_ = config.add_prefix_space.value_or(true);
    add_bos_ = config.add_bos_token.value_or(true);
    add_eos_ = config.add_eos_token.value_or(false);
    load_model(model_path);

    sp_size_ = sp_->size();
    vocab_size_ = sp_size_;
    for (const auto& t : config.added_tokens) {
        added_[t.id] = t.content;
        added_ids_[t.content] = t.id;
        vocab_size_ = std::max(vocab_size_, t.id + 1);
        if (t.special) special_.insert(t.id);
    }
    matcher_ = AddedTokenMatcher(config.added_tokens);
    for (int64_t id = 0; id < sp_size_; ++id)
        if (added_.count(id) == 0 &&
            (sp_->is_control(static_cast<int>(id)) || sp_->is_unknown(static_cast<int>(id))))
            special_.insert(id);

    const TokenLookup lookup = [this](const std::string& p) { return token_id(p); };
    const std::string where = config.source();
    special_ids_.bos = resolve_special_token(config.bos, sp_->bos_id(), lookup, "bos_token", where);
    special_ids_.eos = resolve_special_token(config.eos, sp_->eos_id(), lookup, "eos_token", where);
    special_ids_.pad = resolve_special_token(config.pad, sp_->pad_id(), lookup, "pad_token", where);
    special_ids_.unk = resolve_special_token(config.unk, sp_->unk_id(), lookup, "unk_token", where);
    for (const int64_t id : {special_ids_.bos, special_ids_.eos, special_ids_.pad, special_ids_.unk})
        if (id >= 0) special_.insert(id);
    for (const auto& content : config.additional_special_tokens)
        if (const auto id = token_id(content)) special_.insert(*id);

    // The trainer spec may name an unknown piece that is not the vocabulary's (unk_id -1, found by
    // fuzz_tokenizer_model: id_to_piece(-1) read before the vocabulary); then transformers' default.
    if (config.unk.state == SpecialTokenSetting::State::Set)
        unk_token_ = config.unk.content;
    else
        unk_token_ = sp_->unk_id() >= 0 ? sp_->id_to_piece(sp_->unk_id()) : std::string("<unk>");
    if (!legacy_) unk_length_ = sp_->encode(unk_token_).size();
}

void SentencePieceTokenizer::load_model(const std::string& model_path) {
    sp_ = SentencePieceModel::load_file(model_path);
    const SentencePieceNormalizerSpec& spec = sp_->normalizer_spec();
    // SentencePiece's own decoder drops a segment's leading "▁" under these flags.
    strip_segment_start_ = spec.add_dummy_prefix || spec.remove_extra_whitespaces;
    // transformers loads the model with add_dummy_prefix off for legacy=false and adds "▁" itself.
    if (!legacy_) sp_->set_add_dummy_prefix(false);
}

void SentencePieceTokenizer::append_sp(std::string_view text, std::vector<int64_t>& out) const {
    const std::vector<int> ids = sp_->encode(text);
    out.insert(out.end(), ids.begin(), ids.end());
}

// LlamaTokenizer._tokenize for legacy=false: a segment that starts with a space is encoded behind
// the unk token so SentencePiece keeps its "▁" as a word prefix, then the unk pieces are dropped.
void SentencePieceTokenizer::append_segment_non_legacy(std::string_view text,
                                                       std::vector<int64_t>& out) const {
    if (!starts_with(text, kSpaceSymbol) && !starts_with(text, " ")) {
        append_sp(text, out);
        return;
    }
    std::vector<int64_t> ids;
    append_sp(unk_token_ + std::string(text), ids);
    const std::size_t drop = ids.size() >= unk_length_ ? unk_length_ : 0;
    out.insert(out.end(), ids.begin() + static_cast<std::ptrdiff_t>(drop), ids.end());
}

std::vector<int64_t> SentencePieceTokenizer::encode(const std::string& text, bool add_special_tokens) const {
    if (const std::size_t bad = find_invalid_utf8(text); bad != std::string::npos)
        fail("text to encode is not valid UTF-8 (byte ", bad, ")");
    std::vector<int64_t> body;
    if (legacy_) {
        for (const auto& seg : matcher_.split(text)) {
            if (seg.is_token())
                body.push_back(seg.token);
            else
                append_sp(seg.text, body);
        }
    } else if (!text.empty()) {
        std::string prepared = replace_all(text, kSpaceSymbol, " ");
        if (add_prefix_space_) prepared.insert(0, kSpaceSymbol);
        for (const auto& seg : matcher_.split(prepared)) {
            if (seg.is_token())
                body.push_back(seg.token);
            else
                append_segment_non_legacy(seg.text, body);
        }
        // A text that starts with a special token leaves the prefix "▁" alone in front of it: drop it.
        if (body.size() > 1 && is_sp_piece(body[0]) &&
            sp_->id_to_piece(static_cast<int>(body[0])) == kSpaceSymbol && is_special(body[1]))
            body.erase(body.begin());
    }
    std::vector<int64_t> ids;
    ids.reserve(body.size() + 2);
    if (add_special_tokens && add_bos_ && special_ids_.bos >= 0) ids.push_back(special_ids_.bos);
    ids.insert(ids.end(), body.begin(), body.end());
    if (add_special_tokens && add_eos_ && special_ids_.eos >= 0) ids.push_back(special_ids_.eos);
    return ids;
}

std::string SentencePieceTokenizer::decode(const std::vector<int64_t>& ids, bool skip_special_tokens) const {
    std::string bytes;
    // Whether the next piece's leading "▁" is a dummy prefix that encoding added.
    bool strip_next = legacy_ ? strip_segment_start_ : add_prefix_space_;
    for (const int64_t id : ids) {
        check_id(id);
        if (skip_special_tokens && is_special(id)) continue;
        const auto added = added_.find(id);
        if (added != added_.end()) {
            bytes += added->second;
            strip_next = legacy_ && strip_segment_start_;
            continue;
        }
        const int sp_id = static_cast<int>(id);
        if (sp_->is_control(sp_id) || sp_->is_unknown(sp_id)) {
            bytes += sp_->id_to_piece(sp_id);
            continue;
        }
        if (sp_->is_byte(sp_id)) {
            bytes += static_cast<char>(std::stoi(sp_->id_to_piece(sp_id).substr(3, 2), nullptr, 16));
            strip_next = false;
            continue;
        }
        std::string_view p = sp_->id_to_piece(sp_id);
        if (strip_next && starts_with(p, kSpaceSymbol)) p.remove_prefix(kSpaceSymbol.size());
        bytes += replace_all(p, kSpaceSymbol, " ");
        strip_next = false;
    }
    return utf8_lossy(bytes);
}

void SentencePieceTokenizer::check_id(int64_t id) const {
    if (id < 0 || id >= vocab_size_ || (id >= sp_size_ && added_.count(id) == 0))
        fail("token id ", id, " is not in the tokenizer ", where_, " (vocabulary size ", vocab_size_, ")");
}

std::string SentencePieceTokenizer::piece(int64_t id) const {
    check_id(id);
    const auto added = added_.find(id);
    if (added != added_.end()) return added->second;
    return sp_->id_to_piece(static_cast<int>(id));
}

std::string SentencePieceTokenizer::token_text(int64_t id) const {
    check_id(id);
    const auto added = added_.find(id);
    if (added != added_.end()) return added->second;
    const int sp_id = static_cast<int>(id);
    const std::string& p = sp_->id_to_piece(sp_id);
    if (sp_->is_control(sp_id) || sp_->is_unknown(sp_id)) return p;
    if (sp_->is_byte(sp_id)) {
        const int byte = std::stoi(p.substr(3, 2), nullptr, 16);
        return byte < 0x80 ? std::string(1, static_cast<char>(byte)) : p;
    }
    return replace_all(p, kSpaceSymbol, " ");
}

std::optional<int64_t> SentencePieceTokenizer::token_id(const std::string& p) const {
    const auto added = added_ids_.find(p);
    if (added != added_ids_.end()) return added->second;
    const int id = sp_->piece_to_id(p);
    if (id < 0 || id >= sp_size_) return std::nullopt;
    if (sp_->is_unknown(id) && sp_->id_to_piece(id) != p) return std::nullopt;
    return id;
}

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::string& model_path,
                                                        const TokenizerConfig& config) {
    return std::make_unique<SentencePieceTokenizer>(model_path, config);
}

}  // namespace sightline
