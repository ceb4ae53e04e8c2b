#include "core/text/protobuf_wire.h"

#include <cstring>

#include "core/util/error.h"

namespace sightline {

WireField WireReader::next() {
    WireField f;
    const uint64_t key = varint();
    f.number = static_cast<uint32_t>(key >> 3);
    f.wire_type = static_cast<uint32_t>(key & 7);
    if (f.number == 0) bad();
    switch (f.wire_type) {
        case 0:
            f.value = varint();
            break;
        case 1:
            f.value = fixed(8);
            break;
        case 2: {
            const uint64_t n = varint();
            if (n > data_.size() - pos_) bad();
            f.payload = data_.substr(pos_, n);
            skip(n);
            break;
        }
        case 5:
            f.value = fixed(4);
            break;
        default:
            bad();
    }
    return f;
}

uint64_t WireReader::varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos_ >= data_.size()) bad();
        const auto byte = static_cast<unsigned char>(data_[pos_++]);
        value |= static_cast<uint64_t>(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) return value;
    }
    bad();
}

uint64_t WireReader::fixed(int bytes) {
    if (static_cast<std::size_t>(bytes) > data_.size() - pos_) bad();
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i)
        value |= static_cast<uint64_t>(static_cast<unsigned char>(data_[pos_ + i])) << (8 * i);
    pos_ += bytes;
    return value;
}

void WireReader::skip(uint64_t n) {
    if (n > data_.size() - pos_) bad();
    pos_ += n;
}

void WireReader::bad() const {
    fail(where_, " is not a valid SentencePiece model (malformed protobuf at byte ", pos_, ")");
}

float wire_float(const WireField& f) {
    const auto bits = static_cast<uint32_t>(f.value);
    float out = 0;
    std::memcpy(&out, &bits, sizeof out);
    return out;
}

}  // namespace sightline
