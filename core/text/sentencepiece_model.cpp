#include "core/text/sentencepiece_model.h"

#include "core/text/sentencepiece_segmenters.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

SentencePieceModelProto parse_checked(std::string_view serialized, const std::string& where) {
    SentencePieceModelProto proto = parse_sentencepiece_model(serialized, where);
    if (proto.pieces.empty()) fail(where, " is not a valid SentencePiece model: empty vocabulary");
    return proto;
}

}  // namespace

SentencePieceModel::SentencePieceModel(std::string_view serialized, const std::string& where)
    : SentencePieceModel(parse_checked(serialized, where), where) {}

SentencePieceModel::SentencePieceModel(SentencePieceModelProto proto, const std::string& where)
    : model_type_(proto.trainer.model_type),
      normalizer_spec_(proto.normalizer),
      normalizer_(proto.normalizer, proto.trainer.treat_whitespace_as_suffix, where),
      vocab_(std::move(proto.pieces), proto.trainer.byte_fallback,
             proto.trainer.model_type == SentencePieceModelType::Unigram, where) {
    const SentencePieceTrainerSpec& t = proto.trainer;
    const auto control_or_none = [this](const std::string& piece) {
        const int id = vocab_.piece_to_id(piece);
        return is_control(id) ? id : -1;
    };
    unk_id_ = is_unknown(vocab_.piece_to_id(t.unk_piece)) ? vocab_.piece_to_id(t.unk_piece) : -1;
    bos_id_ = control_or_none(t.bos_piece);
    eos_id_ = control_or_none(t.eos_piece);
    pad_id_ = control_or_none(t.pad_piece);
}

std::unique_ptr<SentencePieceModel> SentencePieceModel::load_file(const std::string& path) {
    if (!file_exists(path)) fail("SentencePiece model not found: ", path);
    return std::make_unique<SentencePieceModel>(read_text_file(path), path);
}

std::string SentencePieceModel::normalize(std::string_view text) const {
    return normalizer_.normalize(text, vocab_.user_defined());
}

std::vector<int> SentencePieceModel::encode(std::string_view text) const {
    const std::string normalized = normalize(text);
    std::vector<PieceSpan> spans;
    switch (model_type_) {
        case SentencePieceModelType::Unigram:
            spans = segment_unigram(vocab_, normalized);
            break;
        case SentencePieceModelType::Bpe:
            spans = segment_bpe(vocab_, normalized);
            break;
        case SentencePieceModelType::Word:
            spans = segment_words(vocab_, normalized);
            break;
        case SentencePieceModelType::Char:
            spans = segment_chars(vocab_, normalized);
            break;
    }
    // PopulateSentencePieceText: unknown pieces become their UTF-8 bytes under byte fallback;
    // otherwise a run of unknown pieces is one unk.
    std::vector<int> ids;
    ids.reserve(spans.size());
    bool prev_unknown = false;
    for (const auto& [piece, id] : spans) {
        const bool unknown = is_unknown(id);
        if (unknown && vocab_.byte_fallback()) {
            for (const char c : piece) ids.push_back(vocab_.byte_id(static_cast<unsigned char>(c)));
        } else if (!(unknown && prev_unknown)) {
            ids.push_back(id);
        }
        prev_unknown = unknown;
    }
    return ids;
}

}  // namespace sightline
