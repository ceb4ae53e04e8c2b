#include "core/image/pil_resize.h"

#include <algorithm>
#include <cmath>

#include "core/util/error.h"

namespace sightline {
namespace {

constexpr double kPi = 3.14159265358979323846;

double box_kernel(double x) {
    return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0;
}

double triangle_kernel(double x) {
    x = std::fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

double hamming_kernel(double x) {
    x = std::fabs(x);
    if (x == 0.0) return 1.0;
    if (x >= 1.0) return 0.0;
    x *= kPi;
    // Pillow writes these constants as float literals; keep their float precision.
    return std::sin(x) / x * (static_cast<double>(0.54f) + static_cast<double>(0.46f) * std::cos(x));
}

// Keys' cubic convolution with a = -0.5, the variant Pillow uses.
double cubic_kernel(double x) {
    constexpr double a = -0.5;
    x = std::fabs(x);
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

double sinc(double x) {
    if (x == 0.0) return 1.0;
    x *= kPi;
    return std::sin(x) / x;
}

double lanczos3_kernel(double x) {
    return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3) : 0.0;
}

struct Filter {
    double (*fn)(double);
    double support;
};

Filter filter_for(int resample) {
    switch (resample) {
        case 1:
            return {lanczos3_kernel, 3.0};
        case 2:
            return {triangle_kernel, 1.0};
        case 3:
            return {cubic_kernel, 2.0};
        case 4:
            return {box_kernel, 0.5};
        case 5:
            return {hamming_kernel, 1.0};
        default:
            fail("unsupported PIL resampling filter ", resample, " (expected 0 to 5)");
    }
}

// Pillow's clip8: drop the fixed-point fraction (arithmetic shift) and saturate to 0..255.
inline std::uint8_t clip8(std::int64_t acc) {
    const std::int64_t v = acc >> kPilPrecisionBits;
    return static_cast<std::uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

constexpr std::int64_t kHalf = std::int64_t{1} << (kPilPrecisionBits - 1);

// Horizontal pass: out row yy is computed from in row yy + row_offset.
void resample_rows(const cv::Mat& in, cv::Mat& out, int row_offset, const PilResampleWeights& w) {
    const int channels = in.channels();
    for (int yy = 0; yy < out.rows; ++yy) {
        const std::uint8_t* src = in.ptr<std::uint8_t>(yy + row_offset);
        std::uint8_t* dst = out.ptr<std::uint8_t>(yy);
        for (int xx = 0; xx < out.cols; ++xx) {
            const std::int32_t* k = &w.fixed[static_cast<std::size_t>(xx) * w.kernel_size];
            const std::uint8_t* s = src + static_cast<std::size_t>(w.first[xx]) * channels;
            for (int c = 0; c < channels; ++c) {
                std::int64_t acc = kHalf;
                for (int x = 0; x < w.count[xx]; ++x) acc += std::int64_t{s[x * channels + c]} * k[x];
                dst[xx * channels + c] = clip8(acc);
            }
        }
    }
}

// Vertical pass: out row yy is computed from in rows first[yy] - row_shift onwards (row_shift is the
// first source row the horizontal pass kept, 0 when it was skipped).
void resample_columns(const cv::Mat& in, cv::Mat& out, int row_shift, const PilResampleWeights& w) {
    const int values = out.cols * out.channels();
    std::vector<std::int64_t> acc(static_cast<std::size_t>(values));
    for (int yy = 0; yy < out.rows; ++yy) {
        const std::int32_t* k = &w.fixed[static_cast<std::size_t>(yy) * w.kernel_size];
        std::fill(acc.begin(), acc.end(), kHalf);
        for (int y = 0; y < w.count[yy]; ++y) {
            const std::uint8_t* src = in.ptr<std::uint8_t>(w.first[yy] - row_shift + y);
            const std::int64_t ky = k[y];
            for (int i = 0; i < values; ++i) acc[static_cast<std::size_t>(i)] += src[i] * ky;
        }
        std::uint8_t* dst = out.ptr<std::uint8_t>(yy);
        for (int i = 0; i < values; ++i) dst[i] = clip8(acc[static_cast<std::size_t>(i)]);
    }
}

// Pillow's NEAREST resize goes through ImagingScaleAffine: source index floor((i + 0.5) * scale),
// accumulated step by step in double exactly as Pillow does.
std::vector<int> nearest_indices(int in_size, int out_size) {
    const double step = static_cast<double>(in_size) / out_size;
    std::vector<int> idx(static_cast<std::size_t>(out_size));
    double pos = step * 0.5;
    for (int i = 0; i < out_size; ++i) {
        const int v = pos < 0.0 ? -1 : static_cast<int>(pos);
        idx[static_cast<std::size_t>(i)] = std::clamp(v, 0, in_size - 1);
        pos += step;
    }
    return idx;
}

cv::Mat resize_nearest(const cv::Mat& in, int width, int height) {
    const std::vector<int> xs = nearest_indices(in.cols, width);
    const std::vector<int> ys = nearest_indices(in.rows, height);
    const int channels = in.channels();
    cv::Mat out(height, width, in.type());
    for (int y = 0; y < height; ++y) {
        const std::uint8_t* src = in.ptr<std::uint8_t>(ys[static_cast<std::size_t>(y)]);
        std::uint8_t* dst = out.ptr<std::uint8_t>(y);
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < channels; ++c)
                dst[x * channels + c] = src[xs[static_cast<std::size_t>(x)] * channels + c];
    }
    return out;
}

}  // namespace

PilResampleWeights pil_resample_weights(int in_size, int out_size, int resample) {
    if (in_size <= 0 || out_size <= 0)
        fail("cannot resample an axis of ", in_size, " pixels to ", out_size, " pixels");
    const Filter filter = filter_for(resample);
    const double scale = static_cast<double>(in_size) / out_size;
    const double filter_scale = std::max(scale, 1.0);    // widen the kernel when shrinking (antialias)
    const double inv_filter_scale = 1.0 / filter_scale;  // Pillow multiplies by the reciprocal
    const double support = filter.support * filter_scale;

    PilResampleWeights w;
    w.in_size = in_size;
    w.out_size = out_size;
    w.kernel_size = static_cast<int>(std::ceil(support)) * 2 + 1;
    const auto n = static_cast<std::size_t>(out_size) * static_cast<std::size_t>(w.kernel_size);
    w.first.resize(static_cast<std::size_t>(out_size));
    w.count.resize(static_cast<std::size_t>(out_size));
    w.weights.assign(n, 0.0);
    w.fixed.assign(n, 0);
    for (int i = 0; i < out_size; ++i) {
        const double center = (i + 0.5) * scale;
        // Pillow "rounds" with a truncating cast; negative values are clamped to 0 right after.
        const int lo = std::max(static_cast<int>(center - support + 0.5), 0);
        const int hi = std::min(static_cast<int>(center + support + 0.5), in_size);
        const int count = hi - lo;
        double* k = &w.weights[static_cast<std::size_t>(i) * w.kernel_size];
        double total = 0.0;
        for (int x = 0; x < count; ++x) {
            k[x] = filter.fn((x + lo - center + 0.5) * inv_filter_scale);
            total += k[x];
        }
        if (total != 0.0)
            for (int x = 0; x < count; ++x) k[x] /= total;
        w.first[static_cast<std::size_t>(i)] = lo;
        w.count[static_cast<std::size_t>(i)] = count;
    }
    const double one = static_cast<double>(1 << kPilPrecisionBits);
    for (std::size_t i = 0; i < n; ++i) {
        const double v = w.weights[i];
        w.fixed[i] = static_cast<std::int32_t>(v < 0 ? -0.5 + v * one : 0.5 + v * one);
    }
    return w;
}

cv::Mat pil_resize(const cv::Mat& image8, int width, int height, int resample) {
    if (image8.empty()) fail("cannot resize an empty image");
    if (image8.depth() != CV_8U || image8.channels() < 1 || image8.channels() > 4)
        fail("pil_resize needs an 8-bit image with 1 to 4 channels");
    if (width <= 0 || height <= 0)
        fail("cannot resize a ", image8.cols, "x", image8.rows, " image to ", width, "x", height);
    if (resample < 0 || resample > 5)
        fail("unsupported PIL resampling filter ", resample, " (expected 0 to 5)");
    if (width == image8.cols && height == image8.rows) return image8.clone();
    if (resample == 0) return resize_nearest(image8, width, height);

    const bool need_horizontal = width != image8.cols;
    const bool need_vertical = height != image8.rows;
    const PilResampleWeights wy = pil_resample_weights(image8.rows, height, resample);
    // Rows of the source that the vertical pass reads; the horizontal pass only computes those.
    const int first_row = wy.first.front();
    const int last_row = wy.first.back() + wy.count.back();

    cv::Mat current = image8;
    int row_shift = 0;
    if (need_horizontal) {
        const PilResampleWeights wx = pil_resample_weights(image8.cols, width, resample);
        cv::Mat temp(last_row - first_row, width, image8.type());
        resample_rows(image8, temp, first_row, wx);
        current = temp;
        row_shift = first_row;
    }
    if (!need_vertical) return current.data == image8.data ? image8.clone() : current;
    cv::Mat out(height, current.cols, image8.type());
    resample_columns(current, out, row_shift, wy);
    return out;
}

}  // namespace sightline
