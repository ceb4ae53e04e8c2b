#include "core/train/batch_builder.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/image/preprocess.h"
#include "core/text/chat_template.h"
#include "core/train/vision_pretrain.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline::train {

BatchBuilder::BatchBuilder(const Tokenizer& tokenizer, const ModelConfig& config,
                           const ImageProcessorConfig& processor, const ToyTokenIds& ids)
    : tok_(tokenizer), config_(config), processor_(processor), ids_(ids) {
    for (toy::Color c : toy::kAllColors) word_tokens_[toy::to_string(c)] = word_token(toy::to_string(c));
    for (toy::Shape sh : toy::kAllShapes) word_tokens_[toy::to_string(sh)] = word_token(toy::to_string(sh));
    for (const char* w : {"top", "middle", "bottom", "left", "center", "right"})
        word_tokens_[w] = word_token(w);
}

std::int64_t BatchBuilder::grounding_token(const std::string& word) const {
    const auto it = word_tokens_.find(word);
    if (it == word_tokens_.end()) fail("no grounding token for the word '", word, "'");
    return it->second;
}

std::int64_t BatchBuilder::word_token(const std::string& word) const {
    // As in "ASSISTANT: red" or "a red star": the word's first piece after a space.
    const std::vector<std::int64_t> base = tok_.encode("a", false);
    const std::vector<std::int64_t> with = tok_.encode("a " + word, false);
    if (with.size() <= base.size() || !std::equal(base.begin(), base.end(), with.begin()))
        fail("cannot find the token of '", word, "'");
    return with[base.size()];
}

std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> BatchBuilder::encode(const toy::Sample& s,
                                                                                     bool first_turn) const {
    // Follow-up turns are "USER: {q} ASSISTANT:" without <image>, tokenised on their own after the
    // previous turn's </s> (no beginning-of-sequence token).
    const std::string prompt = apply_chat_template(ChatTemplateKind::Llava15, s.question, first_turn);
    std::vector<std::int64_t> p = tok_.encode(prompt, first_turn);
    std::vector<std::int64_t> full = tok_.encode(prompt + " " + s.answer, first_turn);
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
    std::vector<std::vector<toy::Sample>> dialogues;
    for (const auto& s : samples) dialogues.push_back({s});
    return build_dialogues(dialogues);
}

TrainBatch BatchBuilder::build_dialogues(const std::vector<std::vector<toy::Sample>>& dialogues) const {
    const auto b = static_cast<std::int64_t>(dialogues.size());
    std::vector<std::vector<std::int64_t>> seqs;
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> spans;  // answer [begin, end) per turn
    std::size_t max_len = 0, turns = 0;
    const auto limit = static_cast<std::size_t>(config_.text.max_position_embeddings);
    for (const auto& d : dialogues) {
        if (d.empty()) fail("a training dialogue needs at least one turn");
        std::vector<std::int64_t> seq;
        std::vector<std::pair<std::size_t, std::size_t>> turn_spans;
        for (std::size_t k = 0; k < d.size(); ++k) {
            auto [p, a] = encode(d[k], k == 0);
            // Later turns that would not fit the context are dropped (the first turn must fit).
            if (k > 0 && seq.size() + p.size() + a.size() > limit) break;
            seq.insert(seq.end(), p.begin(), p.end());
            turn_spans.emplace_back(seq.size(), seq.size() + a.size());
            seq.insert(seq.end(), a.begin(), a.end());
        }
        turns += turn_spans.size();
        max_len = std::max(max_len, seq.size());
        seqs.push_back(std::move(seq));
        spans.push_back(std::move(turn_spans));
    }
    if (max_len > limit)
        fail("a training dialogue of ", max_len, " tokens exceeds the model's ",
             config_.text.max_position_embeddings, " positions");
    const auto t = static_cast<std::int64_t>(max_len);
    TrainBatch out;
    out.turns = static_cast<std::int64_t>(turns);
    out.ids = at::full({b, t}, ids_.pad, at::kLong);
    auto ids = out.ids.accessor<std::int64_t, 2>();
    std::vector<std::int64_t> predict_at, targets, ground_at, ground_targets;
    std::vector<float> weights, ground_weights;
    const int grid = static_cast<int>(config_.vision.grid());
    const bool one_feature_per_patch = config_.image_token_count() == config_.vision.num_patches();
    for (std::int64_t i = 0; i < b; ++i) {
        const auto& seq = seqs[static_cast<std::size_t>(i)];
        for (std::size_t j = 0; j < seq.size(); ++j) ids[i][static_cast<std::int64_t>(j)] = seq[j];
        for (const auto& [begin, end] : spans[static_cast<std::size_t>(i)])
            for (std::size_t j = begin; j < end; ++j) {
                predict_at.push_back(i * t + static_cast<std::int64_t>(j) - 1);
                targets.push_back(seq[j]);
                weights.push_back(1.0f / static_cast<float>((end - begin) * turns));
            }
        if (!one_feature_per_patch) continue;
        const toy::Scene& scene = dialogues[static_cast<std::size_t>(i)][0].scene;
        const PatchLabels labels = patch_labels(scene, grid);
        const auto first_image =
            static_cast<std::size_t>(std::find(seq.begin(), seq.end(), ids_.image) - seq.begin());
        for (std::size_t p = 0; p < labels.shape.size(); ++p) {
            const std::int64_t at = i * t + static_cast<std::int64_t>(first_image + p);
            if (labels.shape[p] == toy::kShapeCount) {  // background: weight 1/5 of an object patch
                ground_at.push_back(at);
                ground_targets.push_back(ids_.eos);
                ground_weights.push_back(0.2f);
            } else {
                const toy::SceneObject& obj = scene.objects[static_cast<std::size_t>(labels.object[p])];
                const std::vector<std::string> place = split(obj.position(), ' ');
                ground_at.insert(ground_at.end(), {at, at});
                ground_targets.push_back(grounding_token(toy::to_string(obj.color)));
                ground_targets.push_back(grounding_token(toy::to_string(obj.shape)));
                ground_weights.insert(ground_weights.end(), {0.3f, 0.3f});
                for (const auto& w : place) {  // "top left" / "center"
                    ground_at.push_back(at);
                    ground_targets.push_back(grounding_token(w));
                    ground_weights.push_back(0.4f / static_cast<float>(place.size()));
                }
            }
        }
    }
    out.predict_at = at::tensor(predict_at, at::kLong);
    out.targets = at::tensor(targets, at::kLong);
    out.weights = at::tensor(weights, at::kFloat);
    out.answer_tokens = static_cast<std::int64_t>(targets.size());
    if (!ground_at.empty()) {
        out.ground_at = at::tensor(ground_at, at::kLong);
        out.ground_targets = at::tensor(ground_targets, at::kLong);
        out.ground_weights = at::tensor(ground_weights, at::kFloat);
        out.ground_weights /= out.ground_weights.sum();
    }
    const int size = static_cast<int>(config_.vision.image_size);
    out.pixel_values = at::empty({b, 3, size, size}, at::kFloat);
    for (std::int64_t i = 0; i < b; ++i) {
        const PreprocessedImage img =
            preprocess_image(dialogues[static_cast<std::size_t>(i)][0].scene.image, processor_);
        std::copy(img.pixel_values.begin(), img.pixel_values.end(), out.pixel_values[i].data_ptr<float>());
    }
    return out;
}

}  // namespace sightline::train
