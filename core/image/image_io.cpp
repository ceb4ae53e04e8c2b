#include "core/image/image_io.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string_view>

#include "core/util/error.h"
#include "core/util/files.h"

namespace sightline {
namespace {

bool has_prefix(const std::vector<std::uint8_t>& b, std::string_view magic, std::size_t at = 0) {
    if (b.size() < at + magic.size()) return false;
    for (std::size_t i = 0; i < magic.size(); ++i)
        if (b[at + i] != static_cast<std::uint8_t>(magic[i])) return false;
    return true;
}

// Names the container format from its signature, for error messages only.
std::string sniff_format(const std::vector<std::uint8_t>& b) {
    if (has_prefix(b, "\x89PNG\r\n\x1a\n")) return "PNG";
    if (has_prefix(b, "\xff\xd8\xff")) return "JPEG";
    if (has_prefix(b, "GIF87a") || has_prefix(b, "GIF89a")) return "GIF";
    if (has_prefix(b, "BM")) return "BMP";
    if (has_prefix(b, "RIFF") && has_prefix(b, "WEBP", 8)) return "WebP";
    if (has_prefix(b, std::string_view("II*\0", 4)) || has_prefix(b, std::string_view("MM\0*", 4)))
        return "TIFF";
    if (has_prefix(b, "ftypheic", 4) || has_prefix(b, "ftypheix", 4) || has_prefix(b, "ftypmif1", 4))
        return "HEIC";
    if (has_prefix(b, "ftypavif", 4)) return "AVIF";
    if (has_prefix(b, "%PDF")) return "PDF";
    if (has_prefix(b, "<svg") || has_prefix(b, "<?xml")) return "SVG/XML";
    return {};
}

bool decodable_format(const std::string& format) {
    return format == "PNG" || format == "JPEG" || format == "BMP" || format == "WebP" || format == "TIFF";
}

std::string first_bytes(const std::vector<std::uint8_t>& b) {
    std::string out;
    char buf[4];
    for (std::size_t i = 0; i < b.size() && i < 8; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", b[i]);
        if (i) out += ' ';
        out += buf;
    }
    return out;
}

[[noreturn]] void fail_undecodable(const std::vector<std::uint8_t>& encoded, const std::string& what,
                                   const std::string& detail) {
    const std::string format = sniff_format(encoded);
    const std::string suffix = detail.empty() ? std::string() : cat(" (", detail, ")");
    if (decodable_format(format))
        fail(what, ": corrupt or truncated ", format, " image, it could not be decoded", suffix);
    if (!format.empty())
        fail(what, ": ", format, " files are not supported; convert it to PNG or JPEG", suffix);
    fail(what, ": not an image, or an image format Sightline cannot read (file starts with ",
         first_bytes(encoded), ")", suffix);
}

// PIL reads 16-bit RGB PNGs by keeping the most significant byte of each sample.
cv::Mat high_bytes(const cv::Mat& sixteen) {
    cv::Mat out(sixteen.rows, sixteen.cols, CV_MAKETYPE(CV_8U, sixteen.channels()));
    const int values = sixteen.cols * sixteen.channels();
    for (int y = 0; y < sixteen.rows; ++y) {
        const std::uint16_t* src = sixteen.ptr<std::uint16_t>(y);
        std::uint8_t* dst = out.ptr<std::uint8_t>(y);
        for (int i = 0; i < values; ++i) dst[i] = static_cast<std::uint8_t>(src[i] >> 8);
    }
    return out;
}

std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
           b[at + 3];
}

// Width and height declared in a PNG, JPEG or BMP header, read from the bytes before any decoding;
// {0, 0} when the format is another one or the header is not found.
std::pair<std::uint64_t, std::uint64_t> declared_size(const std::vector<std::uint8_t>& b) {
    if (has_prefix(b, "\x89PNG\r\n\x1a\n") && b.size() >= 24 && has_prefix(b, "IHDR", 12))
        return {be32(b, 16), be32(b, 20)};
    if (has_prefix(b, "BM") && b.size() >= 26) {
        const auto le32 = [&](std::size_t at) {
            return std::uint32_t{b[at]} | (std::uint32_t{b[at + 1]} << 8) | (std::uint32_t{b[at + 2]} << 16) |
                   (std::uint32_t{b[at + 3]} << 24);
        };
        // OpenCV reads 32-bit sizes from every info header of 36 bytes or more (not only from 40 on),
        // 16-bit ones from the 12-byte OS/2 header (harmless), and refuses the sizes in between.
        if (le32(14) < 36) return {0, 0};
        const auto h = static_cast<std::int32_t>(le32(22));  // negative: top-down rows
        return {static_cast<std::int32_t>(le32(18)) < 0 ? 0 : le32(18),
                static_cast<std::uint64_t>(h < 0 ? -static_cast<std::int64_t>(h) : h)};
    }
    if (has_prefix(b, "\xff\xd8")) {
        // Walk the JPEG segments to the first start-of-frame marker (SOF0..SOF15 but DHT, JPG, DAC).
        std::size_t i = 2;
        while (i + 9 < b.size()) {
            if (b[i] != 0xff) return {0, 0};
            const std::uint8_t m = b[i + 1];
            if (m == 0xff) {
                ++i;
                continue;
            }
            if (m == 0xd8 || (m >= 0xd0 && m <= 0xd7) || m == 0x01) {
                i += 2;
                continue;
            }
            const std::size_t len = (std::size_t{b[i + 2]} << 8) | b[i + 3];
            if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc)
                return {(std::uint64_t{b[i + 7]} << 8) | b[i + 8], (std::uint64_t{b[i + 5]} << 8) | b[i + 6]};
            if (len < 2) return {0, 0};
            i += 2 + len;
        }
    }
    return {0, 0};
}

// Refuses an image whose header declares more pixels than Sightline will decode, before OpenCV allocates.
void check_declared_size(const std::vector<std::uint8_t>& b, const std::string& what) {
    const auto [w, h] = declared_size(b);
    if (w * h > kMaxImagePixels)
        fail(what, ": the image declares ", w, " x ", h, " pixels, over the limit of ",
             kMaxImagePixels / 1000000, " megapixels");
}

}  // namespace

cv::Mat to_rgb8(const cv::Mat& decoded, const std::string& what) {
    if (decoded.empty() || decoded.rows <= 0 || decoded.cols <= 0) fail(what, ": the image has no pixels");
    cv::Mat eight;
    switch (decoded.depth()) {
        case CV_8U:
            eight = decoded;
            break;
        case CV_16U:
            eight = high_bytes(decoded);
            break;
        case CV_32F:
        case CV_64F:
            decoded.convertTo(eight, CV_8U, 255.0);
            break;
        default:
            fail(what, ": unsupported pixel type (", decoded.depth(), "); expected 8-bit, 16-bit or float");
    }
    cv::Mat rgb;
    switch (eight.channels()) {
        case 1:
            cv::cvtColor(eight, rgb, cv::COLOR_GRAY2RGB);
            break;
        case 2: {  // gray + alpha: drop alpha
            cv::Mat gray;
            cv::extractChannel(eight, gray, 0);
            cv::cvtColor(gray, rgb, cv::COLOR_GRAY2RGB);
            break;
        }
        case 3:
            cv::cvtColor(eight, rgb, cv::COLOR_BGR2RGB);
            break;
        case 4:
            cv::cvtColor(eight, rgb, cv::COLOR_BGRA2RGB);
            break;  // drop alpha, no compositing
        default:
            fail(what, ": unsupported number of channels (", eight.channels(), ")");
    }
    return rgb;
}

cv::Mat decode_image_rgb(const std::vector<std::uint8_t>& encoded, const std::string& what) {
    if (encoded.empty()) fail(what, ": empty image data (0 bytes)");
    if (encoded.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        fail(what, ": image data too large (", encoded.size(), " bytes)");
    check_declared_size(encoded, what);
    // Only the five supported containers reach OpenCV: its other decoders (GDCM's DICOM reader, found by
    // "DICM" at byte 128, and the rest) may abort the process on a malformed file instead of reporting it.
    if (!decodable_format(sniff_format(encoded))) fail_undecodable(encoded, what, "");
    cv::Mat decoded;
    try {
        const cv::Mat buffer(1, static_cast<int>(encoded.size()), CV_8U,
                             const_cast<std::uint8_t*>(encoded.data()));
        // IMREAD_UNCHANGED keeps alpha and 16-bit samples and ignores EXIF orientation.
        decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        fail_undecodable(encoded, what, e.err);
    } catch (const std::exception& e) {  // std::bad_alloc for a huge image in a format not checked above
        fail(what, ": the image could not be decoded (", e.what(), ")");
    }
    if (!decoded.empty() && static_cast<std::uint64_t>(decoded.rows) * decoded.cols > kMaxImagePixels)
        fail(what, ": the image has ", decoded.cols, " x ", decoded.rows, " pixels, over the limit of ",
             kMaxImagePixels / 1000000, " megapixels");
    if (decoded.empty()) fail_undecodable(encoded, what, "");
    return to_rgb8(decoded, what);
}

cv::Mat load_image_rgb(const std::string& path) {
    const std::string data = read_regular_file(path, kMaxImageFileBytes, "image file");
    const std::vector<std::uint8_t> bytes(data.begin(), data.end());
    if (bytes.empty()) fail(path, ": the image file is empty (0 bytes)");
    return decode_image_rgb(bytes, path);
}

std::vector<std::uint8_t> encode_png_rgb(const cv::Mat& rgb8) {
    if (rgb8.empty() || rgb8.depth() != CV_8U) fail("encode_png_rgb needs a non-empty 8-bit image");
    cv::Mat bgr;
    if (rgb8.channels() == 3) {
        cv::cvtColor(rgb8, bgr, cv::COLOR_RGB2BGR);
    } else {
        bgr = rgb8;
    }
    std::vector<std::uint8_t> out;
    if (!cv::imencode(".png", bgr, out)) fail("could not encode the image as PNG");
    return out;
}

void save_image_rgb(const std::string& path, const cv::Mat& rgb8) {
    if (rgb8.empty() || rgb8.depth() != CV_8U) fail(path, ": cannot save an empty or non-8-bit image");
    cv::Mat bgr;
    if (rgb8.channels() == 3) {
        cv::cvtColor(rgb8, bgr, cv::COLOR_RGB2BGR);
    } else {
        bgr = rgb8;
    }
    save_image_opencv_order(path, bgr);
}

void save_image_opencv_order(const std::string& path, const cv::Mat& image) {
    if (image.empty()) fail(path, ": cannot save an empty image");
    const auto dot = path.find_last_of('.');
    const auto slash = path.find_last_of('/');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        fail(path, ": cannot write the image: the file name has no extension to choose the format");
    std::vector<std::uint8_t> encoded;
    bool ok = false;
    try {
        ok = cv::imencode(path.substr(dot), image, encoded);
    } catch (const cv::Exception& e) {
        fail(path, ": cannot encode the image: ", e.err);
    }
    if (!ok || encoded.empty()) fail(path, ": cannot encode the image as ", path.substr(dot));
    write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(encoded.data()), encoded.size()),
                      "image");
}

}  // namespace sightline
