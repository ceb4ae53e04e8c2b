#include "core/text/sentencepiece_proto.h"

#include <cstdint>
#include <vector>

#include "core/util/error.h"

namespace sightline {
namespace {

// ModelProto.normalizer_spec and NormalizerSpec.add_dummy_prefix / remove_extra_whitespaces.
constexpr uint32_t kNormalizerSpecField = 3;
constexpr uint32_t kAddDummyPrefixField = 3;
constexpr uint32_t kRemoveExtraWhitespacesField = 4;

struct Field {
    uint32_t number = 0;
    uint32_t wire_type = 0;
    uint64_t varint = 0;       // wire type 0
    std::string_view payload;  // wire type 2
    std::string_view raw;      // the whole field, key included
};

class WireReader {
  public:
    WireReader(std::string_view data, const std::string& where) : data_(data), where_(where) {}
    bool done() const { return pos_ >= data_.size(); }

    Field next() {
        Field f;
        const std::size_t start = pos_;
        const uint64_t key = varint();
        f.number = static_cast<uint32_t>(key >> 3);
        f.wire_type = static_cast<uint32_t>(key & 7);
        switch (f.wire_type) {
            case 0:
                f.varint = varint();
                break;
            case 1:
                skip(8);
                break;
            case 2: {
                const uint64_t n = varint();
                if (n > data_.size() - pos_) bad();
                f.payload = data_.substr(pos_, n);
                skip(n);
                break;
            }
            case 5:
                skip(4);
                break;
            default:
                bad();
        }
        f.raw = data_.substr(start, pos_ - start);
        return f;
    }

  private:
    uint64_t varint() {
        uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos_ >= data_.size()) bad();
            const auto byte = static_cast<unsigned char>(data_[pos_++]);
            value |= static_cast<uint64_t>(byte & 0x7F) << shift;
            if ((byte & 0x80) == 0) return value;
        }
        bad();
    }
    void skip(uint64_t n) {
        if (n > data_.size() - pos_) bad();
        pos_ += n;
    }
    [[noreturn]] void bad() const {
        fail(where_, " is not a valid SentencePiece model (malformed protobuf at byte ", pos_, ")");
    }

    std::string_view data_;
    std::string where_;
    std::size_t pos_ = 0;
};

void put_varint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

}  // namespace

SentencePieceNormalizerFlags read_normalizer_flags(std::string_view model_proto, const std::string& where) {
    SentencePieceNormalizerFlags flags;
    WireReader top(model_proto, where);
    bool any_field = false;
    while (!top.done()) {
        const Field f = top.next();
        any_field = true;
        if (f.number != kNormalizerSpecField || f.wire_type != 2) continue;
        WireReader spec(f.payload, where);
        while (!spec.done()) {
            const Field g = spec.next();
            if (g.wire_type != 0) continue;
            if (g.number == kAddDummyPrefixField) flags.add_dummy_prefix = g.varint != 0;
            if (g.number == kRemoveExtraWhitespacesField) flags.remove_extra_whitespaces = g.varint != 0;
        }
    }
    if (!any_field) fail(where, " is not a valid SentencePiece model (empty)");
    return flags;
}

std::string without_dummy_prefix(std::string_view model_proto, const std::string& where) {
    std::string out;
    out.reserve(model_proto.size() + 8);
    std::string spec;  // the rewritten NormalizerSpec (fields of every normalizer_spec occurrence)
    WireReader top(model_proto, where);
    while (!top.done()) {
        const Field f = top.next();
        if (f.number != kNormalizerSpecField || f.wire_type != 2) {
            out.append(f.raw);
            continue;
        }
        WireReader inner(f.payload, where);
        while (!inner.done()) {
            const Field g = inner.next();
            if (g.number != kAddDummyPrefixField) spec.append(g.raw);
        }
    }
    put_varint(spec, (kAddDummyPrefixField << 3) | 0);
    put_varint(spec, 0);
    put_varint(out, (kNormalizerSpecField << 3) | 2);
    put_varint(out, spec.size());
    out += spec;
    return out;
}

}  // namespace sightline
