#pragma once
// Our implementation of SentencePiece's SentencePieceProcessor for tokenizer.model files: loads a
// serialized ModelProto and encodes text to ids exactly as the official library does (BPE, Unigram,
// Word and Char models; identity or precompiled-charsmap normalizers; byte fallback). We do not link
// libsentencepiece: it exports its own protobuf, which clashes with LibTorch's in one process.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/sentencepiece_normalizer.h"
#include "core/text/sentencepiece_proto.h"
#include "core/text/sentencepiece_vocab.h"

namespace sightline {

class SentencePieceModel {
  public:
    // Throws sightline::Error naming `where` for a malformed or inconsistent model.
    SentencePieceModel(std::string_view serialized, const std::string& where);
    static std::unique_ptr<SentencePieceModel> load_file(const std::string& path);

    // As transformers does for LlamaTokenizer(legacy=false): the dummy "▁" prefix off.
    void set_add_dummy_prefix(bool on) { normalizer_.set_add_dummy_prefix(on); }
    const SentencePieceNormalizerSpec& normalizer_spec() const { return normalizer_spec_; }
    SentencePieceModelType model_type() const { return model_type_; }

    // Ids of `text` (valid UTF-8), as SentencePieceProcessor::Encode gives them.
    std::vector<int> encode(std::string_view text) const;
    // The normalized text the model segments ("▁Hello▁world").
    std::string normalize(std::string_view text) const;

    int size() const { return vocab_.size(); }
    const std::string& id_to_piece(int id) const { return vocab_.piece(id); }
    float score(int id) const { return vocab_.score(id); }
    int piece_to_id(std::string_view piece) const { return vocab_.piece_to_id(piece); }
    bool is_control(int id) const { return vocab_.is(id, PieceType::Control); }
    bool is_unknown(int id) const { return vocab_.is(id, PieceType::Unknown); }
    bool is_unused(int id) const { return vocab_.is(id, PieceType::Unused); }
    bool is_byte(int id) const { return vocab_.is(id, PieceType::Byte); }
    bool is_user_defined(int id) const { return vocab_.is(id, PieceType::UserDefined); }

    // As SentencePieceProcessor reports them: -1 when the piece named in the trainer spec is absent
    // (or not a control piece, or for unk_id not the unknown piece).
    int unk_id() const { return unk_id_; }
    int bos_id() const { return bos_id_; }
    int eos_id() const { return eos_id_; }
    int pad_id() const { return pad_id_; }

  private:
    SentencePieceModel(SentencePieceModelProto proto, const std::string& where);

    SentencePieceModelType model_type_ = SentencePieceModelType::Unigram;
    SentencePieceNormalizerSpec normalizer_spec_;
    SentencePieceNormalizer normalizer_;
    SentencePieceVocab vocab_;
    int unk_id_ = -1, bos_id_ = -1, eos_id_ = -1, pad_id_ = -1;
};

}  // namespace sightline
