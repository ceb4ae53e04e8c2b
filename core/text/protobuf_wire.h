#pragma once
// A minimal reader of the protobuf wire format (varints, fixed32/64, length-delimited
// fields), enough to read a SentencePiece ModelProto without linking protobuf.
#include <cstdint>
#include <string>
#include <string_view>

namespace sightline {

struct WireField {
    uint32_t number = 0;
    uint32_t wire_type = 0;    // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
    uint64_t value = 0;        // wire types 0, 1 and 5
    std::string_view payload;  // wire type 2
};

// Reads the fields of one message in order. Throws sightline::Error naming `where` ("... is not a
// valid SentencePiece model (malformed protobuf at byte N)") on truncated or malformed input.
class WireReader {
  public:
    WireReader(std::string_view data, const std::string& where) : data_(data), where_(where) {}
    bool done() const { return pos_ >= data_.size(); }
    WireField next();

  private:
    uint64_t varint();
    uint64_t fixed(int bytes);
    void skip(uint64_t n);
    [[noreturn]] void bad() const;

    std::string_view data_;
    const std::string& where_;
    std::size_t pos_ = 0;
};

// Typed views of a field's value.
inline bool wire_bool(const WireField& f) {
    return f.value != 0;
}
inline int32_t wire_int32(const WireField& f) {
    return static_cast<int32_t>(static_cast<uint32_t>(f.value));
}
float wire_float(const WireField& f);

}  // namespace sightline
