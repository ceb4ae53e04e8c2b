#include "core/train/vision_pretrain.h"

#include <ATen/ATen.h>

#include <cmath>
#include <cstdio>
#include <opencv2/core.hpp>

#include "core/image/preprocess.h"
#include "core/train/adamw.h"
#include "core/train/toy_recipe.h"
#include "core/util/error.h"
#include "core/util/stopwatch.h"
#include "core/util/strings.h"

namespace sightline::train {

PatchLabels patch_labels(const toy::Scene& s, int grid) {
    const int ph = s.image.rows / grid, pw = s.image.cols / grid;
    PatchLabels out;
    for (int r = 0; r < grid; ++r)
        for (int c = 0; c < grid; ++c) {
            const cv::Rect cell(c * pw, r * ph, pw, ph);
            int best = -1, best_count = 0;
            for (std::size_t i = 0; i < s.objects.size(); ++i) {
                const int n = cv::countNonZero(s.objects[i].mask(cell));
                if (n > best_count) {
                    best_count = n;
                    best = static_cast<int>(i);
                }
            }
            // A patch belongs to an object when at least a quarter of it is covered.
            if (best >= 0 && best_count * 4 >= pw * ph) {
                out.shape.push_back(
                    static_cast<std::int64_t>(s.objects[static_cast<std::size_t>(best)].shape));
                out.color.push_back(
                    static_cast<std::int64_t>(s.objects[static_cast<std::size_t>(best)].color));
                out.object.push_back(best);
            } else {
                out.shape.push_back(toy::kShapeCount);
                out.color.push_back(toy::kColorCount);
                out.object.push_back(-1);
            }
        }
    return out;
}

VisionPretrainReport pretrain_vision_tower(Model& model, const VisionPretrainOptions& o) {
    const VisionTower* tower = model.vision();
    if (!tower) fail("vision pretraining needs a multimodal model");
    const auto& vc = model.config().vision;
    const int grid = static_cast<int>(vc.grid());
    if (model.config().image_token_count() != vc.num_patches())
        fail("vision pretraining expects one feature per patch (strategy default with a class token)");
    const std::int64_t d = tower->feature_dim();
    auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed_base);
    at::Tensor shape_head = at::normal(0.0, 0.02, {toy::kShapeCount + 1, d}, gen).requires_grad_(true);
    at::Tensor color_head = at::normal(0.0, 0.02, {toy::kColorCount + 1, d}, gen).requires_grad_(true);
    NamedTensors params;
    for (auto& [name, t] : model.named_parameters())
        if (starts_with(name, "vision_tower.")) params.emplace_back(name, t);
    params.emplace_back("head.shape", shape_head);
    params.emplace_back("head.color", color_head);
    AdamWOptions ao;
    ao.weight_decay = o.weight_decay;
    AdamW opt(params, ao);
    const ImageProcessorConfig processor = toy_image_processor();

    VisionPretrainReport report;
    Stopwatch clock;
    double ema = -1, shape_hits = 0, color_hits = 0, counted = 0;
    const int warmup = std::max(1, o.steps / 10);
    for (int step = 0; step < o.steps; ++step) {
        std::vector<at::Tensor> pixels;
        std::vector<std::int64_t> shapes, colors;
        for (int i = 0; i < o.batch; ++i) {
            const toy::Scene s =
                toy::generate_scene(o.seed_base + static_cast<std::uint64_t>(step) * o.batch + i);
            PreprocessedImage p = preprocess_image(s.image, processor);
            pixels.push_back(
                at::from_blob(p.pixel_values.data(), {3, p.height, p.width}, at::kFloat).clone());
            const PatchLabels l = patch_labels(s, grid);
            shapes.insert(shapes.end(), l.shape.begin(), l.shape.end());
            colors.insert(colors.end(), l.color.begin(), l.color.end());
        }
        HookRunner hooks;
        const at::Tensor features =
            tower->forward(at::stack(pixels), hooks).reshape({-1, d});  // [B * patches, d]
        const at::Tensor shape_t = at::tensor(shapes, at::kLong), color_t = at::tensor(colors, at::kLong);
        // Object patches are a minority: weight them 5:1 against background.
        const at::Tensor w = at::where(shape_t == toy::kShapeCount, at::full({}, 0.2), at::full({}, 1.0));
        const at::Tensor shape_logits = at::matmul(features, shape_head.t());
        const at::Tensor color_logits = at::matmul(features, color_head.t());
        const at::Tensor ls =
            at::nll_loss(at::log_softmax(shape_logits, -1), shape_t, {}, at::Reduction::None);
        const at::Tensor lc =
            at::nll_loss(at::log_softmax(color_logits, -1), color_t, {}, at::Reduction::None);
        const at::Tensor loss = ((ls + lc) * w).sum() / w.sum();
        loss.backward();
        opt.clip_grad_norm(1.0);
        const double progress =
            step < warmup ? 0.0 : static_cast<double>(step - warmup) / std::max(1, o.steps - warmup);
        const double lr =
            step < warmup ? o.lr * (step + 1) / warmup : o.lr * 0.5 * (1.0 + std::cos(M_PI * progress));
        opt.step(lr);
        opt.zero_grad();
        const double l = loss.item<double>();
        if (!std::isfinite(l)) fail("vision pretraining diverged at step ", step);
        ema = ema < 0 ? l : 0.95 * ema + 0.05 * l;
        if (step == 0) report.first_loss = l;
        if (step >= o.steps - 20) {  // accuracy on object patches over the last batches
            at::NoGradGuard ng;
            const at::Tensor obj = shape_t != toy::kShapeCount;
            counted += obj.sum().item<double>();
            shape_hits += (shape_logits.argmax(-1).eq(shape_t) & obj).sum().item<double>();
            color_hits += (color_logits.argmax(-1).eq(color_t) & obj).sum().item<double>();
        }
        if (o.log && ((step + 1) % 100 == 0 || step + 1 == o.steps)) {
            char line[160];
            std::snprintf(line, sizeof line, "vision pretraining %5d/%d  loss %.4f  lr %.2e  %.1f s",
                          step + 1, o.steps, ema, lr, clock.elapsed_ms() / 1000.0);
            o.log(line);
        }
    }
    for (auto& [name, t] : params)
        if (t.grad().defined()) t.mutable_grad().zero_();
    report.last_loss = ema;
    report.shape_accuracy = counted > 0 ? shape_hits / counted : 0;
    report.color_accuracy = counted > 0 ? color_hits / counted : 0;
    report.seconds = clock.elapsed_ms() / 1000.0;
    return report;
}

}  // namespace sightline::train
