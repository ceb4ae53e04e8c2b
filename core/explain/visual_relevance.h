#pragma once
// Visual relevance of answer tokens (Xing et al. 2025; METHODS.md section 7): teacher-force the answer with
// the image and with a blurred copy; LLR_k = log p(y_k | image) - log p(y_k | blurred). Tokens with
// LLR above a threshold (default 1.0) are visually grounded.
#include <opencv2/core.hpp>
#include <vector>

#include "core/generate/trace.h"
#include "core/model/loaded_model.h"

namespace sightline {

// `original_rgb` is the image as the user gave it (the blur is applied before preprocessing, with the
// kernel chosen by its width). Returns one LLR per answer token.
std::vector<double> visual_relevance(const LoadedModel& model, const Trace& trace,
                                     const cv::Mat& original_rgb);

}  // namespace sightline
