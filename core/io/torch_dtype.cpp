#include "core/io/torch_dtype.h"

#include "core/util/error.h"

namespace sightline {

c10::ScalarType to_scalar_type(StDType t) {
    switch (t) {
        case StDType::F64:
            return c10::kDouble;
        case StDType::F32:
            return c10::kFloat;
        case StDType::F16:
            return c10::kHalf;
        case StDType::BF16:
            return c10::kBFloat16;
        case StDType::I64:
            return c10::kLong;
        case StDType::I32:
            return c10::kInt;
        case StDType::I16:
            return c10::kShort;
        case StDType::I8:
            return c10::kChar;
        case StDType::U8:
            return c10::kByte;
        case StDType::BOOL:
            return c10::kBool;
    }
    return c10::kFloat;
}

StDType st_dtype_of(c10::ScalarType t, const std::string& tensor_name) {
    switch (t) {
        case c10::kDouble:
            return StDType::F64;
        case c10::kFloat:
            return StDType::F32;
        case c10::kHalf:
            return StDType::F16;
        case c10::kBFloat16:
            return StDType::BF16;
        case c10::kLong:
            return StDType::I64;
        case c10::kInt:
            return StDType::I32;
        case c10::kShort:
            return StDType::I16;
        case c10::kChar:
            return StDType::I8;
        case c10::kByte:
            return StDType::U8;
        case c10::kBool:
            return StDType::BOOL;
        default:
            fail("tensor '", tensor_name, "': dtype ", c10::toString(t), " cannot be stored in safetensors");
    }
}

c10::ScalarType to_scalar_type(ComputeDType t) {
    return t == ComputeDType::BF16 ? c10::kBFloat16 : c10::kFloat;
}

const char* to_string(ComputeDType t) {
    return t == ComputeDType::BF16 ? "bf16" : "f32";
}

ComputeDType parse_compute_dtype(const std::string& s) {
    if (s == "f32" || s == "float32" || s == "fp32" || s == "float") return ComputeDType::F32;
    if (s == "bf16" || s == "bfloat16") return ComputeDType::BF16;
    fail("unknown dtype '", s, "' (use f32 or bf16)");
}

}  // namespace sightline
