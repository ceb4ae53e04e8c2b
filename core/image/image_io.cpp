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
    cv::Mat decoded;
    try {
        const cv::Mat buffer(1, static_cast<int>(encoded.size()), CV_8U,
                             const_cast<std::uint8_t*>(encoded.data()));
        // IMREAD_UNCHANGED keeps alpha and 16-bit samples and ignores EXIF orientation.
        decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        fail_undecodable(encoded, what, e.err);
    }
    if (decoded.empty()) fail_undecodable(encoded, what, "");
    return to_rgb8(decoded, what);
}

cv::Mat load_image_rgb(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) fail(path, ": image file not found");
    if (fs::is_directory(st)) fail(path, ": is a folder, not an image file");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, ": cannot open the image file (permission denied?)");
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(path, ": cannot read the image file");
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
    bool ok = false;
    try {
        ok = cv::imwrite(path, bgr);
    } catch (const cv::Exception& e) {
        fail(path, ": cannot write the image: ", e.err);
    }
    if (!ok) fail(path, ": cannot write the image (unknown extension or unwritable folder?)");
}

}  // namespace sightline
