#include "core/train/batch_builder.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/image/preprocess.h"
#include "core/text/chat_template.h"
#include "core/util/error.h"

namespace sightline::train {

BatchBuilder::BatchBuilder(const Tokenizer& tokenizer, const ModelConfig& config,
                           const ImageProcessorConfig& processor, const ToyTokenIds& ids)
    : tok_(tokenizer), config_(config), processor_(processor), ids_(ids) {}

std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> BatchBuilder::encode(
    const toy::Sample& s) const {
    const std::string prompt = apply_chat_template(ChatTemplateKind::Llava15, s.question, true);
    std::vector<std::int64_t> p = tok_.encode(prompt, true);
    std::vector<std::int64_t> full = tok_.encode(prompt + " " + s.answer, true);
    if (full.size() <= p.size() || !std::equal(p.begin(), p.end(), full.begin()))
        fail("tokenisation of the prompt is not a prefix of prompt + answer for '", s.question, "'");
    std::vector<std::int64_t> answer(full.begin() + static_cast<std::ptrdiff_t>(p.size()), full.end());
    answer.push_back(ids_.eos);
    std::vector<std::int64_t> expanded;
    for (auto id : p) {
        if (id == ids_.image)
            expanded.insert(expanded.end(), static_cast<std::size_t>(config_.image_token_count()), id);
        else
            expanded.push_back(id);
    }
    return {expanded, answer};
}

TrainBatch BatchBuilder::build(const std::vector<toy::Sample>& samples) const {
    const auto b = static_cast<std::int64_t>(samples.size());
    std::vector<std::vector<std::int64_t>> seqs;
    std::vector<std::pair<std::size_t, std::size_t>> answer_spans;  // [begin, end) in the sequence
    std::size_t max_len = 0;
    for (const auto& s : samples) {
        auto [p, a] = encode(s);
        answer_spans.emplace_back(p.size(), p.size() + a.size());
        p.insert(p.end(), a.begin(), a.end());
        max_len = std::max(max_len, p.size());
        seqs.push_back(std::move(p));
    }
    const auto t = static_cast<std::int64_t>(max_len);
    TrainBatch out;
    out.ids = at::full({b, t}, ids_.pad, at::kLong);
    auto ids = out.ids.accessor<std::int64_t, 2>();
    std::vector<std::int64_t> predict_at, targets;
    std::vector<float> weights;
    for (std::int64_t i = 0; i < b; ++i) {
        const auto& seq = seqs[static_cast<std::size_t>(i)];
        for (std::size_t j = 0; j < seq.size(); ++j) ids[i][static_cast<std::int64_t>(j)] = seq[j];
        const auto [begin, end] = answer_spans[static_cast<std::size_t>(i)];
        for (std::size_t j = begin; j < end; ++j) {
            predict_at.push_back(i * t + static_cast<std::int64_t>(j) - 1);
            targets.push_back(seq[j]);
            weights.push_back(1.0f / static_cast<float>((end - begin) * samples.size()));
        }
    }
    out.predict_at = at::tensor(predict_at, at::kLong);
    out.targets = at::tensor(targets, at::kLong);
    out.weights = at::tensor(weights, at::kFloat);
    out.answer_tokens = static_cast<std::int64_t>(targets.size());
    const int size = static_cast<int>(config_.vision.image_size);
    out.pixel_values = at::empty({b, 3, size, size}, at::kFloat);
    for (std::int64_t i = 0; i < b; ++i) {
        const PreprocessedImage img =
            preprocess_image(samples[static_cast<std::size_t>(i)].scene.image, processor_);
        std::copy(img.pixel_values.begin(), img.pixel_values.end(), out.pixel_values[i].data_ptr<float>());
    }
    return out;
}

}  // namespace sightline::train
