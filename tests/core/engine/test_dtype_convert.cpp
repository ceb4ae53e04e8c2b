// The fast checkpoint conversions equal LibTorch's own Tensor::to() bit for bit: every one of the 65536
// half and bfloat16 bit patterns (zeros, subnormals, infinities, NaNs with payloads), float32 values on
// and around bfloat16 rounding ties, lengths that leave a scalar tail, and unaligned sources.
#include <ATen/ATen.h>

#include <QtTest>
#include <cstring>
#include <vector>

#include "core/io/dtype_convert.h"

using namespace sightline;

namespace {

at::Tensor all_16bit_patterns(c10::ScalarType t) {
    at::Tensor bits = at::arange(0, 65536, at::kInt).to(at::kShort);  // wraps to every uint16 pattern
    return bits.view(t);
}

// Bit-equal, except that NaNs only need to be NaN on both sides: LibTorch itself turns a float NaN into
// bfloat16 0x7FC0 on one code path and 0xFFFF on another; ours is always 0x7FC0. Float32 NaNs must keep
// their bits.
bool same_bits(const at::Tensor& a, const at::Tensor& b) {
    if (a.numel() != b.numel() || a.element_size() != b.element_size()) return false;
    const at::Tensor nan_a = at::isnan(a), nan_b = at::isnan(b);
    if (!at::equal(nan_a, nan_b)) return false;
    if (a.scalar_type() == at::kBFloat16) {
        const at::Tensor ours = a.view(at::kShort).masked_select(nan_a);
        if (ours.numel() > 0 && !at::all(ours.eq(0x7FC0)).item<bool>()) return false;
        return at::equal(a.view(at::kShort).masked_select(~nan_a), b.view(at::kShort).masked_select(~nan_b));
    }
    return std::memcmp(a.data_ptr(), b.data_ptr(), static_cast<std::size_t>(a.numel()) * a.element_size()) ==
           0;
}

at::Tensor convert(Conversion c, const at::Tensor& src, c10::ScalarType to, std::size_t offset_bytes = 0) {
    // Copy into a buffer at `offset_bytes` past an aligned start, so the source can be unaligned.
    std::vector<char> buf(static_cast<std::size_t>(src.numel()) * src.element_size() + offset_bytes);
    std::memcpy(buf.data() + offset_bytes, src.data_ptr(), buf.size() - offset_bytes);
    at::Tensor out = at::empty({src.numel()}, at::TensorOptions().dtype(to));
    convert_elements(c, buf.data() + offset_bytes, out.data_ptr(), static_cast<std::size_t>(src.numel()));
    return out;
}

}  // namespace

class TestDtypeConvert : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void every_half_pattern() {
        const at::Tensor h = all_16bit_patterns(at::kHalf);
        QVERIFY(same_bits(convert(Conversion::F16ToBF16, h, at::kBFloat16), h.to(at::kBFloat16)));
        QVERIFY(same_bits(convert(Conversion::F16ToF32, h, at::kFloat), h.to(at::kFloat)));
        QVERIFY(same_bits(convert(Conversion::F16ToBF16, h, at::kBFloat16, 1), h.to(at::kBFloat16)));
        at::Tensor scalar = at::empty({h.numel()}, at::kBFloat16);
        convert_elements_scalar(Conversion::F16ToBF16, h.data_ptr(), scalar.data_ptr(),
                                static_cast<std::size_t>(h.numel()));
        QVERIFY(same_bits(scalar, h.to(at::kBFloat16)));
    }

    void every_bfloat16_pattern() {
        const at::Tensor b = all_16bit_patterns(at::kBFloat16);
        QVERIFY(same_bits(convert(Conversion::BF16ToF32, b, at::kFloat), b.to(at::kFloat)));
    }

    void float_rounding_ties_and_specials() {
        // Every bfloat16 value's float neighbourhood: x, x + half an ulp (a tie), just below, just above.
        std::vector<std::int32_t> bits;
        for (std::int32_t hi = 0; hi < 65536; hi += 7)
            for (std::int32_t lo : {0x0000, 0x7FFF, 0x8000, 0x8001, 0xFFFF}) bits.push_back((hi << 16) | lo);
        at::Tensor f = at::tensor(bits, at::kInt).view(at::kFloat);
        QVERIFY(same_bits(convert(Conversion::F32ToBF16, f, at::kBFloat16), f.to(at::kBFloat16)));
        QVERIFY(same_bits(convert(Conversion::F32ToBF16, f, at::kBFloat16, 2), f.to(at::kBFloat16)));
        // Random normal weights and a length with a scalar tail (not a multiple of 16).
        const at::Tensor w = at::randn({1000003}) * 0.02;
        QVERIFY(same_bits(convert(Conversion::F32ToBF16, w, at::kBFloat16), w.to(at::kBFloat16)));
        const at::Tensor wh = w.to(at::kHalf);
        QVERIFY(same_bits(convert(Conversion::F16ToBF16, wh, at::kBFloat16), wh.to(at::kBFloat16)));
    }
};

QTEST_APPLESS_MAIN(TestDtypeConvert)
#include "test_dtype_convert.moc"
