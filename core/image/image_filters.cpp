#include "core/image/image_filters.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "core/util/error.h"

namespace sightline {

cv::Mat gaussian_blur_rgb(const cv::Mat& rgb8, int kernel, double sigma) {
    if (rgb8.empty()) fail("cannot blur an empty image");
    if (rgb8.depth() != CV_8U) fail("gaussian_blur_rgb needs an 8-bit image");
    if (kernel <= 0 || kernel % 2 == 0)
        fail("Gaussian blur kernel size must be odd and positive, got ", kernel);
    if (!(sigma > 0.0) || !std::isfinite(sigma)) fail("Gaussian blur sigma must be positive, got ", sigma);
    cv::Mat out;
    cv::GaussianBlur(rgb8, out, cv::Size(kernel, kernel), sigma, sigma, cv::BORDER_REFLECT_101);
    return out;
}

}  // namespace sightline
