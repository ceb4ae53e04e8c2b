#pragma once
// The parts of a serialized SentencePiece ModelProto (sentencepiece_model.proto) that decide how
// text is encoded and decoded, read with our own protobuf wire reader (no protobuf, no
// libsentencepiece). Fields that only matter for training are not kept.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sightline {

// ModelProto.SentencePiece.Type.
enum class PieceType : uint8_t {
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6
};

struct SentencePieceEntry {
    std::string piece;
    float score = 0.0f;
    PieceType type = PieceType::Normal;
};

// TrainerSpec.ModelType.
enum class SentencePieceModelType { Unigram = 1, Bpe = 2, Word = 3, Char = 4 };

struct SentencePieceTrainerSpec {
    SentencePieceModelType model_type = SentencePieceModelType::Unigram;
    bool byte_fallback = false;
    bool treat_whitespace_as_suffix = false;
    bool split_digits = false;  // training only: encoding never splits digits itself
    int32_t unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;
    // Empty in the file means the default ("<unk>", "<s>", "</s>", "<pad>"), as SentencePiece reads it.
    std::string unk_piece = "<unk>", bos_piece = "<s>", eos_piece = "</s>", pad_piece = "<pad>";
};

struct SentencePieceNormalizerSpec {
    std::string name;
    std::string precompiled_charsmap;  // empty: no character mapping ("identity")
    bool add_dummy_prefix = true;
    bool remove_extra_whitespaces = true;
    bool escape_whitespaces = true;
};

struct SentencePieceModelProto {
    std::vector<SentencePieceEntry> pieces;
    SentencePieceTrainerSpec trainer;
    SentencePieceNormalizerSpec normalizer;
};

// Throws sightline::Error naming `where` when the bytes are not a well-formed ModelProto.
SentencePieceModelProto parse_sentencepiece_model(std::string_view bytes, const std::string& where);

}  // namespace sightline
