#include "core/util/npy.h"

#include <cctype>
#include <cstring>
#include <limits>

#include "core/util/error.h"
#include "core/util/files.h"

namespace sightline {
namespace {

static_assert(sizeof(float) == 4 && sizeof(double) == 8, "npy: IEEE float sizes expected");

bool little_endian_host() {
    const std::uint16_t one = 1;
    unsigned char first = 0;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

template <typename T>
std::string raw_bytes(const std::vector<T>& values) {
    if (!little_endian_host()) fail("npy: only little-endian hosts are supported");
    std::string out(values.size() * sizeof(T), '\0');
    if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
    return out;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) s += ", ";
        s += std::to_string(shape[i]);
    }
    if (shape.size() == 1) s += ",";
    return s + ")";
}

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 40;

// A small cursor over the header dict text: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
struct HeaderReader {
    std::string_view s;
    std::size_t i = 0;
    std::string_view what;

    void skip_spaces() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    }
    bool take(char c) {
        skip_spaces();
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!take(c))
            fail(what, ": malformed npy header (expected '", std::string(1, c), "' at byte ", i, ")");
    }
    std::string quoted() {
        skip_spaces();
        if (i >= s.size() || (s[i] != '\'' && s[i] != '"'))
            fail(what, ": malformed npy header (expected a string)");
        const char q = s[i++];
        const std::size_t end = s.find(q, i);
        if (end == std::string_view::npos) fail(what, ": malformed npy header (unterminated string)");
        std::string out(s.substr(i, end - i));
        i = end + 1;
        return out;
    }
    std::string word() {
        skip_spaces();
        const std::size_t b = i;
        while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])) != 0) ++i;
        return std::string(s.substr(b, i - b));
    }
    std::int64_t integer() {
        skip_spaces();
        std::uint64_t v = 0;
        const std::size_t b = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
            if (v > kMaxElements) fail(what, ": npy shape dimension too large");
            ++i;
        }
        if (i == b) fail(what, ": malformed npy header (expected a dimension)");
        take('L');  // a Python 2 long suffix
        return static_cast<std::int64_t>(v);
    }
};

}  // namespace

namespace {
template <typename T>
NpyArray make_array(NpyArray::Type type, const std::vector<T>& values, std::vector<std::int64_t> shape) {
    NpyArray a;
    a.type = type;
    a.shape = std::move(shape);
    a.data = raw_bytes(values);
    return a;
}
}  // namespace

NpyArray NpyArray::f32(std::vector<float> values, std::vector<std::int64_t> shape) {
    return make_array(Type::F32, values, std::move(shape));
}

NpyArray NpyArray::f64(std::vector<double> values, std::vector<std::int64_t> shape) {
    return make_array(Type::F64, values, std::move(shape));
}

NpyArray NpyArray::i64(std::vector<std::int64_t> values, std::vector<std::int64_t> shape) {
    return make_array(Type::I64, values, std::move(shape));
}

std::uint64_t NpyArray::elements() const {
    std::uint64_t n = 1;
    for (const auto d : shape) {
        if (d < 0) fail("npy: negative dimension ", d);
        if (d != 0 && n > kMaxElements / static_cast<std::uint64_t>(d)) fail("npy: shape too large");
        n *= static_cast<std::uint64_t>(d);
    }
    return n;
}

std::string NpyArray::descr() const {
    switch (type) {
        case Type::F32:
            return "<f4";
        case Type::F64:
            return "<f8";
        case Type::I64:
            break;
    }
    return "<i8";
}

std::vector<double> NpyArray::as_doubles() const {
    const std::size_t n = data.size() / element_size();
    std::vector<double> out(n);
    for (std::size_t k = 0; k < n; ++k) {
        const char* p = data.data() + k * element_size();
        if (type == Type::F32) {
            float f = 0;
            std::memcpy(&f, p, 4);
            out[k] = static_cast<double>(f);
        } else if (type == Type::F64) {
            std::memcpy(&out[k], p, 8);
        } else {
            std::int64_t v = 0;
            std::memcpy(&v, p, 8);
            out[k] = static_cast<double>(v);
        }
    }
    return out;
}

std::string npy_bytes(const NpyArray& a) {
    if (a.data.size() != a.elements() * a.element_size())
        fail("npy: ", a.data.size(), " data bytes for shape ", shape_text(a.shape), " of ", a.descr());
    std::string header =
        "{'descr': '" + a.descr() + "', 'fortran_order': False, 'shape': " + shape_text(a.shape) + ", }";
    // magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
    const std::size_t unpadded = kMagic.size() + 4 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    if (header.size() > std::numeric_limits<std::uint16_t>::max()) fail("npy: header too long");
    std::string out(kMagic);
    out += '\x01';
    out += '\x00';
    const auto len = static_cast<std::uint16_t>(header.size());
    out += static_cast<char>(len & 0xff);
    out += static_cast<char>(len >> 8);
    out += header;
    out += a.data;
    return out;
}

NpyArray parse_npy(std::string_view bytes, std::string_view what) {
    if (bytes.size() < 10 || bytes.substr(0, kMagic.size()) != kMagic)
        fail(what, ": not an npy file (bad magic)");
    const auto major = static_cast<unsigned char>(bytes[6]);
    std::size_t header_len = 0, offset = 0;
    if (major == 1) {
        header_len = static_cast<unsigned char>(bytes[8]) |
                     (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) fail(what, ": truncated npy header");
        for (int k = 3; k >= 0; --k)
            header_len = (header_len << 8) | static_cast<unsigned char>(bytes[8 + k]);
        offset = 12;
    } else {
        fail(what, ": npy format version ", static_cast<int>(major), " is not supported");
    }
    if (header_len > bytes.size() - offset) fail(what, ": truncated npy header");
    HeaderReader h{bytes.substr(offset, header_len), 0, what};
    NpyArray a;
    bool have_descr = false, have_order = false, have_shape = false;
    h.expect('{');
    while (!h.take('}')) {
        const std::string key = h.quoted();
        h.expect(':');
        if (key == "descr") {
            const std::string d = h.quoted();
            if (d == "<f4")
                a.type = NpyArray::Type::F32;
            else if (d == "<f8")
                a.type = NpyArray::Type::F64;
            else if (d == "<i8")
                a.type = NpyArray::Type::I64;
            else
                fail(what, ": npy dtype '", d.substr(0, 16), "' is not supported (float32, float64, int64)");
            have_descr = true;
        } else if (key == "fortran_order") {
            const std::string w = h.word();
            if (w == "True") fail(what, ": Fortran-ordered npy arrays are not supported");
            if (w != "False") fail(what, ": malformed npy header (fortran_order)");
            have_order = true;
        } else if (key == "shape") {
            h.expect('(');
            while (!h.take(')')) {
                if (a.shape.size() >= 32) fail(what, ": npy array has too many dimensions");
                a.shape.push_back(h.integer());
                if (!h.take(',')) {
                    h.expect(')');
                    break;
                }
            }
            have_shape = true;
        } else {
            fail(what, ": unknown npy header key '", key.substr(0, 32), "'");
        }
        if (!h.take(',')) {
            h.expect('}');
            break;
        }
    }
    if (!have_descr || !have_order || !have_shape)
        fail(what, ": npy header lacks descr, fortran_order or shape");
    const std::uint64_t need = a.elements() * a.element_size();
    const std::size_t data_begin = offset + header_len;
    if (bytes.size() - data_begin != need)
        fail(what, ": npy data holds ", bytes.size() - data_begin, " bytes, the shape ", shape_text(a.shape),
             " needs ", need);
    a.data = std::string(bytes.substr(data_begin));
    return a;
}

void write_npy(const std::string& path, const NpyArray& array) {
    write_file_atomic(path, npy_bytes(array), "array");
}

NpyArray read_npy(const std::string& path) {
    return parse_npy(read_regular_file(path, std::uint64_t{4} << 30, "array"), path);
}

}  // namespace sightline
