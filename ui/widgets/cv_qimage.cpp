#include "ui/widgets/cv_qimage.h"

#include <cstring>

namespace sightline::ui {

cv::Mat qimageToRgbMat(const QImage& image) {
    if (image.isNull()) return {};
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    cv::Mat out(rgb.height(), rgb.width(), CV_8UC3);
    const auto rowBytes = static_cast<std::size_t>(rgb.width()) * 3;
    for (int y = 0; y < rgb.height(); ++y) std::memcpy(out.ptr(y), rgb.constScanLine(y), rowBytes);
    return out;
}

QImage rgbMatToQImage(const cv::Mat& rgb) {
    if (rgb.empty() || rgb.type() != CV_8UC3) return {};
    QImage out(rgb.cols, rgb.rows, QImage::Format_RGB888);
    const auto rowBytes = static_cast<std::size_t>(rgb.cols) * 3;
    for (int y = 0; y < rgb.rows; ++y) std::memcpy(out.scanLine(y), rgb.ptr(y), rowBytes);
    return out;
}

}  // namespace sightline::ui
