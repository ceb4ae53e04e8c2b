#pragma once
// Helpers shared by the image tests: synthetic images, byte files and image comparison.
#include <QtTest>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace sightline::test {

// An RGB CV_8UC3 image whose pixel (x, y) is fn(x, y, channel).
inline cv::Mat make_rgb(int width, int height, const std::function<int(int, int, int)>& fn) {
    cv::Mat m(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c)
                m.at<cv::Vec3b>(y, x)[c] = cv::saturate_cast<std::uint8_t>(fn(x, y, c));
    return m;
}

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct ImageDiff {
    double within_one = 0;  // fraction of uint8 values with |a - b| <= 1
    double exact = 0;       // fraction of identical values
    int max_error = 0;
    std::size_t values = 0;
};

// Compares two same-shaped 8-bit images value by value (QVERIFY-fails on shape mismatch).
inline ImageDiff compare_images(const cv::Mat& a, const cv::Mat& b) {
    ImageDiff d;
    if (a.size() != b.size() || a.type() != b.type()) {
        qWarning("image shapes differ: %dx%d type %d vs %dx%d type %d", a.cols, a.rows, a.type(), b.cols,
                 b.rows, b.type());
        d.max_error = 256;
        return d;
    }
    std::size_t within = 0, same = 0;
    for (int y = 0; y < a.rows; ++y) {
        const std::uint8_t* pa = a.ptr<std::uint8_t>(y);
        const std::uint8_t* pb = b.ptr<std::uint8_t>(y);
        for (int i = 0; i < a.cols * a.channels(); ++i) {
            const int e = std::abs(int{pa[i]} - int{pb[i]});
            within += e <= 1 ? 1 : 0;
            same += e == 0 ? 1 : 0;
            d.max_error = std::max(d.max_error, e);
            ++d.values;
        }
    }
    d.within_one = static_cast<double>(within) / static_cast<double>(d.values);
    d.exact = static_cast<double>(same) / static_cast<double>(d.values);
    return d;
}

}  // namespace sightline::test
