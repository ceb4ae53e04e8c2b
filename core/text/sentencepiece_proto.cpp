#include "core/text/sentencepiece_proto.h"

#include "core/text/protobuf_wire.h"
#include "core/util/error.h"

namespace sightline {
namespace {

// Field numbers of sentencepiece_model.proto.
namespace model_field {
constexpr uint32_t kPieces = 1, kTrainerSpec = 2, kNormalizerSpec = 3;
}
namespace piece_field {
constexpr uint32_t kPiece = 1, kScore = 2, kType = 3;
}
namespace trainer_field {
constexpr uint32_t kModelType = 3, kTreatWhitespaceAsSuffix = 24, kSplitDigits = 25, kByteFallback = 35,
                   kUnkId = 40, kBosId = 41, kEosId = 42, kPadId = 43, kUnkPiece = 45, kBosPiece = 46,
                   kEosPiece = 47, kPadPiece = 48;
}
namespace normalizer_field {
constexpr uint32_t kName = 1, kPrecompiledCharsmap = 2, kAddDummyPrefix = 3, kRemoveExtraWhitespaces = 4,
                   kEscapeWhitespaces = 5;
}

bool is_varint(const WireField& f) {
    return f.wire_type == 0;
}
bool is_bytes(const WireField& f) {
    return f.wire_type == 2;
}

SentencePieceEntry parse_piece(std::string_view bytes, const std::string& where) {
    SentencePieceEntry e;
    WireReader r(bytes, where);
    while (!r.done()) {
        const WireField f = r.next();
        if (f.number == piece_field::kPiece && is_bytes(f)) {
            e.piece = std::string(f.payload);
        } else if (f.number == piece_field::kScore && f.wire_type == 5) {
            e.score = wire_float(f);
        } else if (f.number == piece_field::kType && is_varint(f)) {
            // proto2 keeps an unknown enum value out of the field (it stays NORMAL).
            const int32_t type = wire_int32(f);
            if (type >= 1 && type <= 6) e.type = static_cast<PieceType>(type);
        }
    }
    return e;
}

// Fields of a repeated occurrence merge into `spec`, as protobuf merges embedded messages.
void parse_trainer(std::string_view bytes, SentencePieceTrainerSpec& spec, const std::string& where) {
    using namespace trainer_field;
    WireReader r(bytes, where);
    while (!r.done()) {
        const WireField f = r.next();
        if (is_varint(f)) {
            switch (f.number) {
                case kModelType: {
                    const int32_t type = wire_int32(f);
                    if (type >= 1 && type <= 4) spec.model_type = static_cast<SentencePieceModelType>(type);
                    break;
                }
                case kTreatWhitespaceAsSuffix:
                    spec.treat_whitespace_as_suffix = wire_bool(f);
                    break;
                case kSplitDigits:
                    spec.split_digits = wire_bool(f);
                    break;
                case kByteFallback:
                    spec.byte_fallback = wire_bool(f);
                    break;
                case kUnkId:
                    spec.unk_id = wire_int32(f);
                    break;
                case kBosId:
                    spec.bos_id = wire_int32(f);
                    break;
                case kEosId:
                    spec.eos_id = wire_int32(f);
                    break;
                case kPadId:
                    spec.pad_id = wire_int32(f);
                    break;
                default:
                    break;
            }
        } else if (is_bytes(f)) {
            std::string* target = f.number == kUnkPiece   ? &spec.unk_piece
                                  : f.number == kBosPiece ? &spec.bos_piece
                                  : f.number == kEosPiece ? &spec.eos_piece
                                  : f.number == kPadPiece ? &spec.pad_piece
                                                          : nullptr;
            if (target && !f.payload.empty()) *target = std::string(f.payload);
        }
    }
}

void parse_normalizer(std::string_view bytes, SentencePieceNormalizerSpec& spec, const std::string& where) {
    using namespace normalizer_field;
    WireReader r(bytes, where);
    while (!r.done()) {
        const WireField f = r.next();
        if (is_bytes(f) && f.number == kName) spec.name = std::string(f.payload);
        if (is_bytes(f) && f.number == kPrecompiledCharsmap)
            spec.precompiled_charsmap = std::string(f.payload);
        if (is_varint(f) && f.number == kAddDummyPrefix) spec.add_dummy_prefix = wire_bool(f);
        if (is_varint(f) && f.number == kRemoveExtraWhitespaces) spec.remove_extra_whitespaces = wire_bool(f);
        if (is_varint(f) && f.number == kEscapeWhitespaces) spec.escape_whitespaces = wire_bool(f);
    }
}

}  // namespace

SentencePieceModelProto parse_sentencepiece_model(std::string_view bytes, const std::string& where) {
    if (bytes.empty()) fail(where, " is not a valid SentencePiece model (empty)");
    SentencePieceModelProto model;
    WireReader r(bytes, where);
    while (!r.done()) {
        const WireField f = r.next();
        if (!is_bytes(f)) continue;
        if (f.number == model_field::kPieces) model.pieces.push_back(parse_piece(f.payload, where));
        if (f.number == model_field::kTrainerSpec) parse_trainer(f.payload, model.trainer, where);
        if (f.number == model_field::kNormalizerSpec) parse_normalizer(f.payload, model.normalizer, where);
    }
    return model;
}

}  // namespace sightline
