#pragma once
// Loading images the way a Python LLaVA pipeline does with PIL: Image.open(path).convert("RGB"),
// without exif_transpose. Results are CV_8UC3 in RGB channel order (not OpenCV's BGR).
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace sightline {

// Images declaring more pixels than this are refused before decoding (a 100 KB PNG can declare
// 30000 x 30000 and need gigabytes once decoded).
constexpr std::uint64_t kMaxImagePixels = 100'000'000;

// Reads and decodes an image file (PNG, JPEG, BMP, TIFF, WebP, PNM, ... whatever this OpenCV build
// decodes). EXIF orientation is ignored. Grayscale becomes RGB, alpha is dropped (no compositing,
// like PIL's convert("RGB")), 16-bit samples keep their high byte, float samples in [0, 1] are
// scaled to 0..255. Throws sightline::Error naming the file for a missing, unreadable, empty,
// corrupt, truncated or unsupported file, for a FIFO or device (checked before opening), a file over
// kMaxImageFileBytes (core/util/files.h) or an image over kMaxImagePixels.
cv::Mat load_image_rgb(const std::string& path);

// The same from encoded bytes (clipboard paste, images stored in sessions); `what` names the source
// in error messages (e.g. "pasted image").
cv::Mat decode_image_rgb(const std::vector<std::uint8_t>& encoded, const std::string& what);

// Converts a decoded OpenCV image (BGR/BGRA/gray, 8/16-bit or float) to CV_8UC3 RGB.
// `what` names the source in error messages.
cv::Mat to_rgb8(const cv::Mat& decoded, const std::string& what);

// Encodes an RGB image as PNG bytes (for sessions and clipboard copies).
std::vector<std::uint8_t> encode_png_rgb(const cv::Mat& rgb8);

// Writes an RGB (or gray) 8-bit image to a file whose extension picks the format; throws
// sightline::Error naming the file on failure.
void save_image_rgb(const std::string& path, const cv::Mat& rgb8);

// Writes an image already in OpenCV's channel order (BGR, BGRA or gray) to a file whose extension
// picks the format. Encoded in memory, then written whole or not at all (AtomicFile): a full disk
// or an unwritable folder throws sightline::Error with the system's reason and leaves no file.
void save_image_opencv_order(const std::string& path, const cv::Mat& image);

}  // namespace sightline
