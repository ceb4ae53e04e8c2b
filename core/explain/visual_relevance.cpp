#include "core/explain/visual_relevance.h"

#include "core/generate/prompt.h"

#include <ATen/ATen.h>

#include "core/image/preprocess.h"
#include "core/metrics/faithfulness.h"
#include "core/util/error.h"

namespace sightline {
namespace {

// log p(answer token k) for every k, teacher-forced, with the given pixel values.
at::Tensor answer_log_probs(const LoadedModel& m, const Trace& t, const ImageInput& pixels) {
    at::NoGradGuard ng;
    const at::Tensor ids = at::tensor(t.ids(), at::kLong).unsqueeze(0);
    RunOptions o;
    o.prompt_length = t.answer_begin;                                       // prefix-LM models
    const at::Tensor logits = m.model->forward(ids, pixels, &o).logits[0];  // [N, V]
    const at::Tensor lp = at::log_softmax(logits.narrow(0, t.answer_begin - 1, t.answer_size()), -1);
    return lp.gather(1, at::tensor(t.answer_ids(), at::kLong).unsqueeze(1)).squeeze(1);
}

}  // namespace

std::vector<double> visual_relevance(const LoadedModel& m, const Trace& t, const cv::Mat& original_rgb) {
    if (!t.has_image()) fail("visual relevance needs an image");
    if (t.answer_size() == 0) return {};
    if (original_rgb.empty()) fail("visual relevance needs the original image");
    const cv::Mat blurred = metrics::blurred_baseline(original_rgb);
    const ImageInput blurred_pixels = prepare_model_image(m, blurred).input;
    const at::Tensor llr = answer_log_probs(m, t, t.pixel_values) - answer_log_probs(m, t, blurred_pixels);
    std::vector<double> out(static_cast<std::size_t>(llr.size(0)));
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = llr[static_cast<std::int64_t>(i)].item<double>();
    return out;
}

}  // namespace sightline
