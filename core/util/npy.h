#pragma once
// NumPy .npy files (format version 1.0): what researchers load next (numpy.load). Little-endian
// float32, float64 and int64 arrays in C order. The reader accepts exactly what the writer produces
// (and the same layouts from NumPy itself) and refuses anything else with a clear error.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sightline {

struct NpyArray {
    enum class Type { F32, F64, I64 };
    Type type = Type::F32;
    std::vector<std::int64_t> shape;  // empty: a scalar (one element)
    std::string data;                 // raw little-endian element bytes, C order

    static NpyArray f32(std::vector<float> values, std::vector<std::int64_t> shape);
    static NpyArray f64(std::vector<double> values, std::vector<std::int64_t> shape);
    static NpyArray i64(std::vector<std::int64_t> values, std::vector<std::int64_t> shape);

    std::size_t element_size() const { return type == Type::F32 ? 4 : 8; }
    std::uint64_t elements() const;  // product of the shape (1 for a scalar)
    // Element values converted to double (every type), for tests and readers.
    std::vector<double> as_doubles() const;
    std::string descr() const;  // "<f4", "<f8", "<i8"
};

// The whole file: magic "\x93NUMPY", version 1.0, the header dict padded with spaces to a multiple of
// 64 bytes and ending in '\n', then the data. Throws when the data size does not match the shape.
std::string npy_bytes(const NpyArray& array);
// Parses a file's bytes; throws sightline::Error naming `what` for a bad magic, version, header,
// unsupported dtype, Fortran order or a data size that does not match the shape.
NpyArray parse_npy(std::string_view bytes, std::string_view what = "npy file");
// Written atomically (a full disk leaves no truncated file); read with the regular-file checks.
void write_npy(const std::string& path, const NpyArray& array);
NpyArray read_npy(const std::string& path);

}  // namespace sightline
