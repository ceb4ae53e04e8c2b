#pragma once
// Conversions between QImage and OpenCV RGB matrices (CV_8UC3, R-G-B byte order), always deep copies.
// QImage rows are padded to 4 bytes and cv::Mat rows may be ROIs, so rows are copied one by one.
#include <QImage>
#include <opencv2/core.hpp>

namespace sightline::ui {

// Any QImage -> CV_8UC3 RGB (alpha is dropped). A null image gives an empty Mat.
cv::Mat qimageToRgbMat(const QImage& image);
// CV_8UC3 RGB -> QImage::Format_RGB888 that owns its pixels. An empty Mat gives a null QImage;
// any other type is rejected with a null QImage.
QImage rgbMatToQImage(const cv::Mat& rgb);

}  // namespace sightline::ui
