#pragma once
// Minimal reading and editing of a serialized SentencePiece ModelProto (protobuf wire format), so
// we can do what transformers' LlamaTokenizer does for legacy=false (turn add_dummy_prefix off)
// without linking protobuf ourselves.
#include <string>
#include <string_view>

namespace sightline {

// The NormalizerSpec flags that decide where SentencePiece adds or removes the leading "▁".
struct SentencePieceNormalizerFlags {
    bool add_dummy_prefix = true;
    bool remove_extra_whitespaces = true;
};

// Throws sightline::Error naming `where` when the bytes are not a well-formed protobuf message.
SentencePieceNormalizerFlags read_normalizer_flags(std::string_view model_proto, const std::string& where);

// The same model with normalizer_spec.add_dummy_prefix = false.
std::string without_dummy_prefix(std::string_view model_proto, const std::string& where);

}  // namespace sightline
