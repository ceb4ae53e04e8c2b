// The model families of ../shared/fixtures/hf_vlm against what the unmodified transformers code computed for
// their tiny checkpoints on the same non-square image: preprocessed pixels, vision output, projected image
// features, merged input embeddings, every logit, every layer's attention and 16 greedy ids.
#include <ATen/ATen.h>

#include <QtTest>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/generate/generator.h"
#include "core/generate/prompt.h"
#include "core/generate/smolvlm_prompt.h"
#include "core/image/image_io.h"
#include "core/image/image_layout.h"
#include "core/image/image_processor_config.h"
#include "core/image/qwen_processor.h"
#include "core/io/weight_store.h"
#include "core/model/checkpoint_writer.h"
#include "core/model/hooks.h"
#include "core/model/idefics3_connector.h"
#include "core/model/loaded_model.h"
#include "core/model/mrope.h"
#include "core/text/chat_template.h"
#include "core/text/tokenizer.h"
#include "core/util/strings.h"
#include "tests/support/test_paths.h"

using namespace sightline;

namespace {

struct Reference {
    nlohmann::json meta;
    WeightStore tensors;
};

Reference read_reference(const std::string& family) {
    const std::string dir = test::fixture("hf_vlm/" + family);
    return {nlohmann::json::parse(read_text_file(dir + "/reference.json")),
            WeightStore::load_files({dir + "/reference.safetensors"}, ComputeDType::F32)};
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
    if (a.sizes() != b.sizes())
        qFatal("shapes differ: %s vs %s", c10::str(a.sizes()).c_str(), c10::str(b.sizes()).c_str());
    return (a.to(at::kFloat) - b.to(at::kFloat)).abs().max().item<double>();
}

#define CHECK_CLOSE(a, b, tol)                                                                         \
    do {                                                                                               \
        const double d_ = max_abs_diff((a), (b));                                                      \
        QVERIFY2(d_ < (tol), qPrintable(QString("%1: max |diff| %2 >= %3").arg(#a).arg(d_).arg(tol))); \
    } while (0)

// The special tokens the SmolVLM fixture's ids use (no tokenizer ships with it): <|im_start|> 1, "\n" 198,
// <fake_token_around_image> 290, <global-img> 291, <row_r_col_c> 292 + 3(r-1) + (c-1), <image> 310.
class FixtureTokenizer : public Tokenizer {
  public:
    std::vector<int64_t> encode(const std::string& text, bool) const override {
        std::vector<int64_t> out;
        std::size_t i = 0;
        while (i < text.size()) {
            if (text[i] == '\n') {
                out.push_back(198);
                ++i;
                continue;
            }
            const std::size_t end = text.find('>', i);
            if (text[i] != '<' || end == std::string::npos) throw Error("unexpected text");
            const auto id = token_id(text.substr(i, end + 1 - i));
            if (!id) throw Error("unknown token " + text.substr(i, end + 1 - i));
            out.push_back(*id);
            i = end + 1;
        }
        return out;
    }
    std::string decode(const std::vector<int64_t>&, bool) const override { return {}; }
    std::string piece(int64_t id) const override { return std::to_string(id); }
    std::string token_text(int64_t id) const override { return std::to_string(id); }
    int64_t vocab_size() const override { return 320; }
    std::optional<int64_t> token_id(const std::string& p) const override {
        if (p == "<fake_token_around_image>") return 290;
        if (p == "<global-img>") return 291;
        if (p == "<image>") return 310;
        int r = 0, c = 0;
        if (std::sscanf(p.c_str(), "<row_%d_col_%d>", &r, &c) == 2) return 292 + 3 * (r - 1) + (c - 1);
        return std::nullopt;
    }
    bool is_special(int64_t) const override { return true; }
    std::string kind() const override { return "fixture"; }
};

}  // namespace

class TestHfVlm : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    // Pixels, vision output, image features, merged embeddings, logits, attention, greedy ids and every
    // greedy step's logits of `family` against transformers. `scale` converts Sightline's hook values to
    // the reference's convention: its image_features are the projector's raw output and its inputs_embeds
    // the LM's input after any sqrt(d) normalizer, while Sightline's lm.hook_embed sits before a normalizer
    // applied inside the LM (PaliGemma) and its projector.hook_out after PaliGemma's 1/sqrt(d).
    static void check_family(const std::string& family, double scale) {
        const std::string dir = test::fixture("hf_vlm/" + family);
        const auto model = load_model(dir);
        const Reference ref = read_reference(family);
        PromptRequest r;
        r.ids = ref.meta["input_ids"].get<std::vector<std::int64_t>>();
        r.image_rgb = load_image_rgb(test::fixture("hf_vlm/image.png"));
        PreparedPrompt p = prepare_prompt(*model, r);
        QCOMPARE(p.trace.image_count, ref.meta["num_image_tokens"].get<std::int64_t>());
        QCOMPARE(static_cast<std::int64_t>(p.trace.layout.tokens.size()), p.trace.image_count);
        const at::Tensor& ref_pixels = ref.tensors.get("pixel_values");
        CHECK_CLOSE(p.trace.pixel_values.pixels, ref_pixels.reshape(p.trace.pixel_values.pixels.sizes()),
                    1e-5);

        at::NoGradGuard ng;
        HookRunner none(nullptr, nullptr);
        const at::Tensor vision = model->model->qwen_vision() != nullptr
                                      ? model->model->qwen_vision()->encode(p.trace.pixel_values, none)
                                      : model->model->vision()->forward(p.trace.pixel_values.pixels, none);
        CHECK_CLOSE(vision, ref.tensors.get("vision_encoder_out"), 1e-4);

        RunOptions o;
        o.cache = {"projector.hook_out", "lm.hook_embed", "lm.blocks.*.attn.hook_pattern"};
        ActivationCache cache;
        const at::Tensor ids = at::tensor(r.ids, at::kLong).unsqueeze(0);
        const ForwardOutput out = model->model->forward(ids, p.trace.pixel_values, &o, &cache);
        CHECK_CLOSE(cache.get("projector.hook_out")[0] * scale, ref.tensors.get("image_features"), 1e-5);
        CHECK_CLOSE(cache.get("lm.hook_embed")[0] * scale, ref.tensors.get("inputs_embeds"), 1e-5);
        CHECK_CLOSE(out.logits[0], ref.tensors.get("logits"), 1e-4);
        // Every layer's attention, masks included (prefix-LM, bidirectional image block, sliding window).
        for (std::int64_t l = 0; l < model->config.text.num_hidden_layers; ++l)
            if (ref.tensors.contains("attn_layer" + std::to_string(l)))
                CHECK_CLOSE(cache.get("lm.blocks." + std::to_string(l) + ".attn.hook_pattern")[0],
                            ref.tensors.get("attn_layer" + std::to_string(l)), 1e-5);

        // Greedy generation with the KV cache.
        GenerationSettings g;
        g.max_new_tokens = 16;
        g.stop_ids = {-1};
        const Trace t = generate(*model, prepare_prompt(*model, r), g, {});
        QCOMPARE(t.answer_ids(), ref.meta["greedy_ids"].get<std::vector<std::int64_t>>());

        // One pass over prompt + answer, told where the prompt ends, gives every step's logits (the
        // reference recomputed the whole sequence at each step, generated tokens causal).
        RunOptions full;
        full.prompt_length = t.answer_begin;
        const at::Tensor all = at::tensor(t.ids(), at::kLong).unsqueeze(0);
        const at::Tensor steps =
            model->model->forward(all, t.pixel_values, &full).logits[0].narrow(0, t.answer_begin - 1, 16);
        CHECK_CLOSE(steps, ref.tensors.get("greedy_step_logits"), 1e-4);
        if (model->config.text.prefix_lm) {
            // Without the prompt length the same pass would let the prompt see the answer.
            const at::Tensor wrong =
                model->model->forward(all, t.pixel_values).logits[0].narrow(0, t.answer_begin - 1, 16);
            QVERIFY(max_abs_diff(wrong, ref.tensors.get("greedy_step_logits")) > 1e-3);
        }
    }

    void paligemma_matches_transformers() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const auto model = load_model(test::fixture("hf_vlm/paligemma"));
        const ModelConfig& c = model->config;
        QVERIFY(c.family == MultimodalFamily::PaliGemma);
        QVERIFY(c.text.kind == DecoderKind::Gemma);
        QVERIFY(c.text.prefix_lm);
        QCOMPARE(c.image_token_count(), std::int64_t{16});
        QCOMPARE(c.image_grid(), std::int64_t{4});
        QVERIFY(model->model->decoder().head_tied());
        check_family("paligemma", 8.0);
    }

    // A Gemma 3 text prompt through the checkpoint's own chat template and the real Gemma 3 tokenizer.json:
    // the template's <start_of_image> becomes Gemma3Processor's block ("\n\n" <start_of_image>, the image
    // tokens, <end_of_image> "\n\n"), tokenized after the replacement, with one BOS (the template's).
    void gemma3_text_prompt_through_its_template() {
        SIGHTLINE_REQUIRE_FIXTURES();
        LoadedModel m;
        m.name = "gemma3-prompt";
        m.config = load_model_config(test::fixture("hf_vlm/gemma3"));
        m.config.text.vocab_size = 262208;  // the real vocabulary, so the real special ids fit
        m.config.image_token_index = 262144;
        m.tokenizer = load_tokenizer(test::fixture("tokenizers/gemma3"));
        m.own_chat_template = ChatTemplate::load(test::fixture("tokenizers/gemma3"));
        QVERIFY(m.own_chat_template && m.own_chat_template->usable());
        m.image_processor = load_image_processor_config(test::fixture("hf_vlm/gemma3"));
        PromptRequest r;
        r.question = "What is shown?";
        r.image_rgb = load_image_rgb(test::fixture("hf_vlm/image.png"));
        const Trace t = prepare_prompt(m, r).trace;
        QVERIFY2(t.template_warning.empty(), t.template_warning.c_str());
        // The prompt text holds one image token; the ids hold the 16 pooled ones.
        const std::string head = "<bos><start_of_turn>user\n\n\n<start_of_image>";
        const std::string tail = "<end_of_image>\n\nWhat is shown?<end_of_turn>\n<start_of_turn>model\n";
        QCOMPARE(QString::fromStdString(t.prompt_text),
                 QString::fromStdString(head + "<image_soft_token>" + tail));
        std::string soft;
        for (int i = 0; i < 16; ++i) soft += "<image_soft_token>";
        std::vector<std::int64_t> ids;
        for (const auto& tok : t.tokens) ids.push_back(tok.id);
        QCOMPARE(ids.front(), std::int64_t{2});
        QCOMPARE(std::count(ids.begin(), ids.end(), std::int64_t{2}), std::ptrdiff_t{1});
        const auto boi = std::find(ids.begin(), ids.end(), std::int64_t{255999});
        QVERIFY(boi != ids.end());
        for (int i = 1; i <= 16; ++i) QCOMPARE(*(boi + i), std::int64_t{262144});
        QCOMPARE(*(boi + 17), std::int64_t{256000});
        QCOMPARE(t.image_count, std::int64_t{16});
        QCOMPARE(t.image_begin, static_cast<std::int64_t>(boi - ids.begin()) + 1);
        QCOMPARE(QString::fromStdString(m.tokenizer->decode(ids)),
                 QString::fromStdString(head + soft + tail));
        // The question's tokens are the user's prompt.
        bool prompt_role = false;
        for (const auto& tok : t.tokens) prompt_role = prompt_role || tok.role == TokenRole::Prompt;
        QVERIFY(prompt_role);
    }

    // Qwen2-VL from text: the real Qwen2-VL chat template and the real Qwen tokenizer give the rendering of
    // the template fixture's single-turn image case byte for byte, and <|image_pad|> is expanded to the 3x5
    // merged tokens between <|vision_start|> and <|vision_end|>.
    void qwen2_vl_text_prompt_through_its_template() {
        SIGHTLINE_REQUIRE_FIXTURES();
        LoadedModel m;
        m.name = "qwen2-vl-prompt";
        m.config = load_model_config(test::fixture("hf_vlm/qwen2_vl"));
        m.config.text.vocab_size = 151936;
        m.config.image_token_index = 151655;
        m.tokenizer = load_tokenizer(test::fixture("tokenizers/qwen"));
        m.own_chat_template = ChatTemplate::from_text(
            read_text_file(test::fixture("chat_templates/Qwen2-VL-2B-Instruct.jinja")),
            {{"eos_token", "<|im_end|>"}, {"pad_token", "<|endoftext|>"}});
        m.image_processor = load_image_processor_config(test::fixture("hf_vlm/qwen2_vl"));
        const auto cases = nlohmann::json::parse(
            read_text_file(test::fixture("chat_templates/Qwen2-VL-2B-Instruct.cases.json")));
        const auto& one = cases["cases"][0];
        QCOMPARE(one["name"].get<std::string>(), std::string("single_turn_image_text"));
        PromptRequest r;
        r.question = one["messages"][0]["content"][1]["text"].get<std::string>();
        r.image_rgb = load_image_rgb(test::fixture("hf_vlm/image.png"));
        const Trace t = prepare_prompt(m, r).trace;
        QVERIFY2(t.template_warning.empty(), t.template_warning.c_str());
        QCOMPARE(QString::fromStdString(t.prompt_text),
                 QString::fromStdString(one["expected"].get<std::string>()));
        std::vector<std::int64_t> ids;
        for (const auto& tok : t.tokens) ids.push_back(tok.id);
        const auto start = std::find(ids.begin(), ids.end(), std::int64_t{151652});
        QVERIFY(start != ids.end());
        for (int i = 1; i <= 15; ++i) QCOMPARE(*(start + i), std::int64_t{151655});
        QCOMPARE(*(start + 16), std::int64_t{151653});
        QCOMPARE(t.image_count, std::int64_t{15});
        QCOMPARE(t.pixel_values.grid_h, std::int64_t{6});
        QCOMPARE(t.pixel_values.grid_w, std::int64_t{10});
    }

    // For every fixture family, a one-hot value on any one image token, composed over the original image,
    // lights exactly the map cells whose centres lie in that token's rectangle of the original image: with
    // only the token's view drawn the value is 1 there and 0 elsewhere; with all views it is 1 / (number of
    // views that have a token at that point).
    void one_hot_token_lights_its_rectangle_in_every_family() {
        SIGHTLINE_REQUIRE_FIXTURES();
        for (const char* family :
             {"paligemma", "gemma3", "llava_next", "llava_onevision", "qwen2_vl", "qwen2_5_vl", "smolvlm"}) {
            const auto model = load_model(test::fixture(std::string("hf_vlm/") + family));
            PromptRequest r;
            r.ids = read_reference(family).meta["input_ids"].get<std::vector<std::int64_t>>();
            r.image_rgb = load_image_rgb(test::fixture("hf_vlm/image.png"));
            const Trace t = prepare_prompt(*model, r).trace;
            const ImageLayout& l = t.layout;
            QCOMPARE(l.original_width, 168);
            QCOMPARE(l.original_height, 100);
            const cv::Size grid(t.grid_w, t.grid_h);
            int checked = 0;
            for (std::size_t k = 0; k < l.tokens.size(); ++k) {
                const ImageTokenPlace& place = l.tokens[k];
                if (place.view < 0) continue;  // newline tokens have no pixels
                std::vector<float> v(l.tokens.size(), 0.0f);
                v[k] = 1.0f;
                const cv::Rect2d rect = l.cell_rect(place.view, place.row, place.col);
                const auto alone = compose_map(l, v, grid, place.view);
                const auto all = compose_map(l, v, grid);
                int lit = 0;
                for (int row = 0; row < grid.height; ++row)
                    for (int col = 0; col < grid.width; ++col) {
                        const double x = (col + 0.5) * 168.0 / grid.width,
                                     y = (row + 0.5) * 100.0 / grid.height;
                        const bool inside =
                            x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
                        const std::size_t i = static_cast<std::size_t>(row * grid.width + col);
                        QVERIFY2(
                            alone[i] == (inside ? 1.0f : 0.0f),
                            qPrintable(
                                QString("%1 token %2 cell (%3, %4)").arg(family).arg(k).arg(row).arg(col)));
                        if (!inside) {
                            QCOMPARE(all[i], 0.0f);
                            continue;
                        }
                        ++lit;
                        // Views with a token at this point (the cell's centre).
                        int covering = 0;
                        for (std::size_t w = 0; w < l.views.size(); ++w) {
                            const ImageView& view = l.views[w];
                            const double cw = view.rect.width / view.grid_w,
                                         ch = view.rect.height / view.grid_h;
                            const int vc = static_cast<int>(std::floor((x - view.rect.x) / cw));
                            const int vr = static_cast<int>(std::floor((y - view.rect.y) / ch));
                            if (vc < 0 || vr < 0 || vc >= view.grid_w || vr >= view.grid_h) continue;
                            for (const auto& p : l.tokens)
                                if (p.view == static_cast<int>(w) && p.row == vr && p.col == vc) {
                                    ++covering;
                                    break;
                                }
                        }
                        QVERIFY(covering >= 1);
                        QVERIFY2(std::abs(all[i] - 1.0f / static_cast<float>(covering)) < 1e-6f,
                                 qPrintable(QString("%1 token %2").arg(family).arg(k)));
                    }
                // Every token's rectangle holds at least one map cell (the map grid is fine enough).
                QVERIFY2(lit > 0, qPrintable(QString("%1 token %2 lights nothing").arg(family).arg(k)));
                ++checked;
            }
            QVERIFY(checked > 0);
        }
    }

    void gemma3_matches_transformers() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const auto model = load_model(test::fixture("hf_vlm/gemma3"));
        const ModelConfig& c = model->config;
        QVERIFY(c.family == MultimodalFamily::Gemma3);
        QVERIFY(c.text.kind == DecoderKind::Gemma3);
        QVERIFY(c.text.is_sliding(0) && !c.text.is_sliding(1));
        QCOMPARE(c.text.sliding_window, std::int64_t{8});
        QCOMPARE(c.image_token_count(), std::int64_t{16});  // the 8x8 patch grid pooled to 4x4
        QCOMPARE(c.image_grid(), std::int64_t{4});
        QCOMPARE(c.vision.grid(), std::int64_t{8});
        QVERIFY(model->model->decoder().head_tied());
        check_family("gemma3", 1.0);
        // The image tokens sit on the pooled grid, row-major.
        PromptRequest r;
        r.ids = read_reference("gemma3").meta["input_ids"].get<std::vector<std::int64_t>>();
        r.image_rgb = load_image_rgb(test::fixture("hf_vlm/image.png"));
        const Trace t = prepare_prompt(*model, r).trace;
        QCOMPARE(t.grid_h, 4);
        QCOMPARE(t.image_begin, std::int64_t{6});
        const auto& last = t.tokens[static_cast<std::size_t>(t.image_begin + 15)];
        QCOMPARE(last.row, 3);
        QCOMPARE(last.col, 3);
    }

    void llava_next_matches_transformers() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const auto model = load_model(test::fixture("hf_vlm/llava_next"));
        const ModelConfig& c = model->config;
        QVERIFY(c.anyres && c.anyres_max == 0);
        QCOMPARE(c.image_grid_pinpoints.size(), std::size_t{5});
        check_family("llava_next", 1.0);
        // 100x168 -> the 56x56 pinpoint, 2x2 tiles, the 8x8 mosaic unpadded to rows 2..5: 16 + 4 * (8 + 1).
        PromptRequest r;
        r.ids = read_reference("llava_next").meta["input_ids"].get<std::vector<std::int64_t>>();
        r.image_rgb = load_image_rgb(test::fixture("hf_vlm/image.png"));
        const Trace t = prepare_prompt(*model, r).trace;
        QCOMPARE(t.layout.views.size(), std::size_t{2});
        QCOMPARE(t.layout.views[1].grid_h, 8);
        QCOMPARE(t.layout.views[1].tile_rows, 2);
        const auto& first_tile_token = t.layout.tokens[16];
        QCOMPARE(first_tile_token.view, 1);
        QCOMPARE(first_tile_token.row, 2);           // the first two mosaic rows saw only padding
        QCOMPARE(t.layout.tokens[16 + 8].view, -1);  // image_newline ends the row
        // The mosaic's unpadded rows cover the image: canvas y 11..45 of 56 is the image's 0..100.
        const cv::Rect2d cell = t.layout.cell_rect(1, 2, 0);
        QVERIFY(std::abs(cell.y - (2 * 7 - 11) * 100.0 / 34) < 1e-9);
    }

    void llava_onevision_matches_transformers() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const auto model = load_model(test::fixture("hf_vlm/llava_onevision"));
        const ModelConfig& c = model->config;
        QVERIFY(c.anyres);
        QCOMPARE(c.anyres_max, 9);
        QVERIFY(c.text.kind == DecoderKind::Qwen2);
        check_family("llava_onevision", 1.0);
        // 4x6 tiles, 16x24 mosaic unpadded to 14x24, shrunk to 9x15: 16 + 9 * 16 = 160 tokens.
        PromptRequest r;
        r.ids = read_reference("llava_onevision").meta["input_ids"].get<std::vector<std::int64_t>>();
        r.image_rgb = load_image_rgb(test::fixture("hf_vlm/image.png"));
        const Trace t = prepare_prompt(*model, r).trace;
        QCOMPARE(t.layout.views[1].grid_h, 9);
        QCOMPARE(t.layout.views[1].grid_w, 15);
        QCOMPARE(t.image_count, std::int64_t{160});
    }

    void smolvlm_matches_transformers() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const auto model = load_model(test::fixture("hf_vlm/smolvlm"));
        const ModelConfig& c = model->config;
        QVERIFY(c.family == MultimodalFamily::SmolVLM);
        QVERIFY(c.text.kind == DecoderKind::Llama);
        QCOMPARE(c.scale_factor, std::int64_t{2});
        QCOMPARE(c.image_grid(), std::int64_t{2});  // 4x4 patches a view, pixel-shuffled by 2
        QCOMPARE(c.image_token_count(), std::int64_t{4});
        QCOMPARE(c.image_token_index, std::int64_t{310});
        QVERIFY(!model->model->decoder().head_tied());
        QVERIFY(model->image_processor->smolvlm);
        QCOMPARE(model->image_processor->longest_edge, 84);
        check_family("smolvlm", 1.0);
        // 168x100 -> 84x50 -> 84x56: 2x3 crops of 28 pixels, then the global view; 7 views of 2x2 tokens.
        const Reference ref = read_reference("smolvlm");
        PromptRequest r;
        r.ids = ref.meta["input_ids"].get<std::vector<std::int64_t>>();
        r.image_rgb = load_image_rgb(test::fixture("hf_vlm/image.png"));
        const Trace t = prepare_prompt(*model, r).trace;
        QCOMPARE(t.pixel_values.crop_rows, std::int64_t{2});
        QCOMPARE(t.pixel_values.crop_cols, std::int64_t{3});
        QCOMPARE(t.layout.views.size(), std::size_t{7});
        QCOMPARE(t.layout.views[6].kind, std::string("global"));
        QCOMPARE(t.layout.views[6].rect, cv::Rect2d(0, 0, 168, 100));
        // Crop (1, 2) is canvas x 56..84, y 28..56 of 84x56: the original's x 112..168, y 50..100.
        QCOMPARE(t.layout.views[5].rect, cv::Rect2d(112, 50, 56, 50));
        QCOMPARE(t.image_begin, std::int64_t{5});  // after <|im_start|> User : <fake> <row_1_col_1>
        QCOMPARE(t.tokens[5].row, 0);
        QCOMPARE(t.tokens[8].col, 1);
        QCOMPARE(QString::fromStdString(t.tokens[9 + 2].text), QString("<img crop2 0,0>"));  // after 290 293
        QCOMPARE(QString::fromStdString(t.tokens[45].text), QString("<img global 0,1>"));
        QCOMPARE(t.layout.tokens[4].view, 1);  // crop (0, 1) after crop (0, 0)'s four tokens
        QCOMPARE(t.layout.tokens[27].view, 6);
        QCOMPARE(ref.meta["image_processor"]["image_prompt_string"].get<std::string>(),
                 smolvlm_image_prompt_string(2, 3, 4));

        // One <image> in raw ids becomes the processor's block (numbered by the tokenizer): the fixture's
        // ids.
        const FixtureTokenizer tok;
        std::vector<std::int64_t> raw = {1, 23, 25, 310, 77, 140, 61, 25, 311, 198, 30, 25};
        QCOMPARE(expand_smolvlm_image_tokens(c, &tok, raw, t.pixel_values), r.ids);
        QCOMPARE(expand_smolvlm_image_tokens(c, &tok, r.ids, t.pixel_values), r.ids);  // already expanded
        QVERIFY_THROWS_EXCEPTION(Error, expand_smolvlm_image_tokens(c, nullptr, raw, t.pixel_values));
        raw.insert(raw.begin() + 4, 310);
        QVERIFY_THROWS_EXCEPTION(Error, expand_smolvlm_image_tokens(c, &tok, raw, t.pixel_values));
        // Without crops (an image no larger than one crop) only the global part remains.
        QCOMPARE(smolvlm_image_prompt_string(0, 0, 2),
                 std::string("<fake_token_around_image><global-img><image><image><fake_token_around_image>"));
    }

    void smolvlm_config_defaults_and_errors() {
        // SmolVLMConfig / Idefics3Config defaults: Idefics3 ViT (1152 wide, 12 layers, patch 32 at 224),
        // scale_factor 2, image token 128257, Llama with rms_norm_eps 1e-5, untied.
        // The bare defaults cannot run: 224 / 32 = 7 patches a side do not pixel-shuffle by 2 (transformers
        // fails in the connector); the error says so.
        try {
            parse_model_config({{"model_type", "smolvlm"}});
            QFAIL("accepted a 7x7 patch grid with scale_factor 2");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("224/32"), e.what());
        }
        // Without a text_config the Llama default (vocab 32000) cannot hold the default image token 128257.
        try {
            parse_model_config({{"model_type", "smolvlm"}, {"vision_config", {{"image_size", 256}}}});
            QFAIL("accepted an image token outside the vocabulary");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("image_token_id 128257"), e.what());
        }
        const ModelConfig d = parse_model_config({{"model_type", "smolvlm"},
                                                  {"vision_config", {{"image_size", 256}}},
                                                  {"text_config", {{"vocab_size", 128259}}}});
        QVERIFY(d.family == MultimodalFamily::SmolVLM);
        QCOMPARE(d.vision.hidden_size, std::int64_t{1152});
        QCOMPARE(d.vision.patch_size, std::int64_t{32});
        QCOMPARE(d.vision.grid(), std::int64_t{8});
        QCOMPARE(d.image_token_count(), std::int64_t{16});
        QCOMPARE(d.image_token_index, std::int64_t{128257});
        QVERIFY(!d.text.tie_word_embeddings);
        const nlohmann::json vision = {
            {"image_size", 512}, {"patch_size", 16}, {"hidden_size", 768}, {"num_attention_heads", 12}};
        const ModelConfig s = parse_model_config({{"model_type", "smolvlm"},
                                                  {"vision_config", vision},
                                                  {"scale_factor", 4},
                                                  {"text_config", {{"vocab_size", 49280}}},
                                                  {"image_token_id", 49190}});
        QCOMPARE(s.image_token_count(), std::int64_t{64});  // SmolVLM-256M: 32x32 patches / 4^2
        const ModelConfig i = parse_model_config({{"model_type", "idefics3"},
                                                  {"vision_config", vision},
                                                  {"text_config", {{"vocab_size", 130000}}}});
        QCOMPARE(QString::fromStdString(i.architecture), QString("Idefics3ForConditionalGeneration"));
        QCOMPARE(i.image_token_count(), std::int64_t{256});
        try {
            parse_model_config({{"model_type", "smolvlm"},
                                {"vision_config", vision},
                                {"scale_factor", 3},
                                {"text_config", {{"vocab_size", 130000}}}});
            QFAIL("accepted a scale_factor that does not divide the patch grid");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("scale_factor 3"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, parse_model_config({{"model_type", "smolvlm"},
                                                            {"vision_config", vision},
                                                            {"text_config", {{"model_type", "qwen2"}}}}));
        // The config round-trips through config.json.
        const ModelConfig back = parse_model_config(model_config_to_json(s));
        QVERIFY(back.family == MultimodalFamily::SmolVLM);
        QCOMPARE(back.scale_factor, std::int64_t{4});
        QCOMPARE(back.image_token_index, s.image_token_index);
        QCOMPARE(back.vision.grid(), std::int64_t{32});
        // Idefics3's position ids on a full crop are the plain patch indices (also for grids like 27 or 26
        // that 1/n does not represent exactly).
        for (std::int64_t n : {4, 26, 27, 32})
            QVERIFY(idefics3_position_ids(n, n, n).equal(at::arange(n * n, at::kLong)));
    }

    // Qwen2-VL / Qwen2.5-VL: smart_resize 100x168 -> 84x140, a 6x10 patch grid merged into 3x5 tokens, M-RoPE
    // positions laid on that grid, and (Qwen2.5-VL) window attention over 2x2 merged tokens.
    static void check_qwen(const std::string& family) {
        const std::string dir = test::fixture("hf_vlm/" + family);
        const auto model = load_model(dir);
        const ModelConfig& c = model->config;
        const Reference ref = read_reference(family);
        QVERIFY(c.family == MultimodalFamily::Qwen2VL);
        QVERIFY(c.text.kind == DecoderKind::Qwen2);
        QCOMPARE(c.text.mrope_section, (std::vector<std::int64_t>{2, 3, 3}));
        QCOMPARE(c.image_token_index, std::int64_t{306});
        QCOMPARE(model->model->decoder().head_tied(), family == "qwen2_5_vl");
        PromptRequest r;
        r.ids = ref.meta["input_ids"].get<std::vector<std::int64_t>>();
        r.image_rgb = load_image_rgb(test::fixture("hf_vlm/image.png"));
        const Trace t = prepare_prompt(*model, r).trace;
        const auto grid = ref.meta["image_processor"]["image_grid_thw"].get<std::vector<std::int64_t>>();
        QCOMPARE(t.pixel_values.grid_t, grid[0]);
        QCOMPARE(t.pixel_values.grid_h, grid[1]);
        QCOMPARE(t.pixel_values.grid_w, grid[2]);
        QCOMPARE(t.image.height, 84);
        QCOMPARE(t.image.width, 140);
        QCOMPARE(t.grid_h, 3);
        QCOMPARE(t.grid_w, 5);
        // The last merged token covers the bottom-right 28x28 of the resized image: 33.6 x 20 original
        // pixels.
        const cv::Rect2d last = t.layout.cell_rect(0, 2, 4);
        QVERIFY(std::abs(last.x - 134.4) < 1e-9 && std::abs(last.y - 200.0 / 3) < 1e-9);
        QVERIFY(std::abs(last.width - 33.6) < 1e-9);
        const MropePositions pos = mrope_positions(r.ids, c.image_token_index, grid[0], grid[1], grid[2], 2,
                                                   family == "qwen2_5_vl" ? 0 : 1);
        const auto ref_pos =
            ref.meta["mrope"]["position_ids_3xT"].get<std::vector<std::vector<std::int64_t>>>();
        for (std::int64_t axis = 0; axis < 3; ++axis) {
            const at::Tensor row = pos.positions[axis].contiguous();
            QCOMPARE(std::vector<std::int64_t>(row.data_ptr<std::int64_t>(),
                                               row.data_ptr<std::int64_t>() + row.numel()),
                     ref_pos[static_cast<std::size_t>(axis)]);
        }
        QCOMPARE(pos.delta, ref.meta["mrope"]["rope_deltas"].get<std::int64_t>());
        check_family(family, 1.0);

        // The transformers >= 4.52 names (model.visual.*, model.language_model.*) load too: the model written
        // that way (config.json from the parsed config) and read back gives the same logits.
        QTemporaryDir tmp;
        const std::string out_dir = tmp.path().toStdString();
        CheckpointWriteOptions w;
        w.layout = KeyLayout::Transformers452;
        save_model(*model->model, out_dir, w);
        QVERIFY(QFile::copy(QString::fromStdString(dir + "/preprocessor_config.json"),
                            tmp.filePath("preprocessor_config.json")));
        const WeightStore saved =
            WeightStore::load_files({out_dir + "/model.safetensors"}, ComputeDType::F32);
        QVERIFY(saved.contains("model.visual.patch_embed.proj.weight"));
        QVERIFY(saved.contains("model.language_model.layers.0.self_attn.q_proj.weight"));
        const auto reloaded = load_model(out_dir);
        QCOMPARE(reloaded->config.text.tie_word_embeddings, c.text.tie_word_embeddings);
        at::NoGradGuard ng;
        const at::Tensor ids = at::tensor(r.ids, at::kLong).unsqueeze(0);
        CHECK_CLOSE(reloaded->model->forward(ids, t.pixel_values).logits,
                    model->model->forward(ids, t.pixel_values).logits, 1e-6);
    }

    void qwen2_vl_matches_transformers() {
        SIGHTLINE_REQUIRE_FIXTURES();
        check_qwen("qwen2_vl");
    }

    void qwen2_5_vl_matches_transformers() {
        SIGHTLINE_REQUIRE_FIXTURES();
        check_qwen("qwen2_5_vl");
        // Blocks 0 and 2 attend within 2x2 merged-token windows (the fixture's logits move by 5.6 without
        // them).
        const auto model = load_model(test::fixture("hf_vlm/qwen2_5_vl"));
        QCOMPARE(model->config.vision.fullatt_block_indexes, (std::vector<std::int64_t>{1, 3}));
        QCOMPARE(model->config.vision.window_size, std::int64_t{56});
        PromptRequest r;
        r.ids = read_reference("qwen2_5_vl").meta["input_ids"].get<std::vector<std::int64_t>>();
        r.image_rgb = load_image_rgb(test::fixture("hf_vlm/image.png"));
        const Trace t = prepare_prompt(*model, r).trace;
        RunOptions o;
        o.cache = {"vision.blocks.*.attn.hook_pattern"};
        ActivationCache cache;
        HookRunner hooks(&o, &cache);
        at::NoGradGuard ng;
        model->model->qwen_vision()->encode(t.pixel_values, hooks);
        // Patch 0 sits in merged token (0, 0), patch 4 in (0, 1) (the same 2x2-token window), patch 8 in (0,
        // 2) (the next window). Windowed block 0 hides patch 8 from patch 0; full-attention block 1 does not.
        const at::Tensor windowed =
            cache.get("vision.blocks.0.attn.hook_pattern")[0].select(1, 0);  // [heads, 60]
        const at::Tensor full = cache.get("vision.blocks.1.attn.hook_pattern")[0].select(1, 0);
        QCOMPARE(windowed.select(1, 8).abs().max().item<float>(), 0.0f);
        QVERIFY(windowed.select(1, 4).min().item<float>() > 0.0f);
        QVERIFY(full.select(1, 8).min().item<float>() > 0.0f);
        // Window 0 holds merged tokens (0, 0), (0, 1), (1, 0), (1, 1): patches 0..7 and 20..27.
        const at::Tensor inside = windowed.narrow(1, 0, 8).sum(1) + windowed.narrow(1, 20, 8).sum(1);
        QVERIFY((inside - 1).abs().max().item<float>() < 1e-5f);
    }

    void qwen_config_defaults_and_errors() {
        // Qwen2VLConfig / Qwen2_5_VLConfig defaults (Qwen2-VL-7B shapes) when only the type and M-RoPE are
        // given.
        const nlohmann::json mrope = {{"type", "mrope"}, {"mrope_section", {16, 24, 24}}};
        // (Qwen2-VL-7B's widths: the config classes' own defaults disagree, 3584 vs 8192, and are refused.)
        const nlohmann::json seven_b = {{"model_type", "qwen2_vl"},
                                        {"rope_scaling", mrope},
                                        {"hidden_size", 3584},
                                        {"num_attention_heads", 28},
                                        {"num_key_value_heads", 4}};
        const ModelConfig q = parse_model_config(seven_b);
        QVERIFY(q.family == MultimodalFamily::Qwen2VL && q.vision.kind == VisionKind::Qwen2VL);
        QCOMPARE(q.text.num_hidden_layers, std::int64_t{80});
        QCOMPARE(q.text.intermediate_size, std::int64_t{29568});
        QCOMPARE(q.text.vocab_size, std::int64_t{152064});
        QCOMPARE(q.text.num_key_value_heads, std::int64_t{4});
        QCOMPARE(q.vision.out_hidden_size, std::int64_t{3584});
        QCOMPARE(q.vision.hidden_size, std::int64_t{1280});
        QCOMPARE(q.vision.intermediate_size, std::int64_t{5120});
        QCOMPARE(q.image_token_index, std::int64_t{151655});
        QCOMPARE(q.image_token_count(), std::int64_t{0});  // follows the image
        nlohmann::json seven_b_25 = seven_b;
        seven_b_25["model_type"] = "qwen2_5_vl";
        const ModelConfig q25 = parse_model_config(seven_b_25);
        QVERIFY(q25.vision.kind == VisionKind::Qwen25VL);
        QCOMPARE(q25.vision.window_size, std::int64_t{112});
        QCOMPARE(q25.vision.fullatt_block_indexes, (std::vector<std::int64_t>{7, 15, 23, 31}));
        QCOMPARE(q25.text.head_dim, std::int64_t{128});
        for (const ModelConfig& c : {q, q25}) {
            const ModelConfig back = parse_model_config(model_config_to_json(c));
            QVERIFY(back.vision.kind == c.vision.kind);
            QCOMPARE(back.text.mrope_section, c.text.mrope_section);
            QCOMPARE(back.vision.hidden_size, c.vision.hidden_size);
            QCOMPARE(back.vision.out_hidden_size, c.vision.out_hidden_size);
            QCOMPARE(back.vision.fullatt_block_indexes, c.vision.fullatt_block_indexes);
        }
        try {  // M-RoPE sections must cover the head's rotary pairs
            parse_model_config(
                {{"model_type", "qwen2_vl"}, {"rope_scaling", {{"mrope_section", {2, 3, 3}}}}});
            QFAIL("accepted an mrope_section that does not cover the head");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("mrope_section"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error,
                                 parse_model_config({{"model_type", "qwen2_vl"}}));  // no mrope_section
        try {  // the merger must reach the language model's width
            parse_model_config({{"model_type", "qwen2_vl"}, {"rope_scaling", mrope}});
            QFAIL("accepted a merger narrower than the language model");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("hidden_size 8192"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(
            Error,
            parse_model_config({{"model_type", "qwen2_vl"},
                                {"rope_scaling", {{"type", "yarn"}, {"mrope_section", {16, 24, 24}}}}}));
        // smart_resize: Python's round half to even, then the pixel budget.
        QCOMPARE(qwen_smart_resize(100, 168, 28, 3136, 12544), (std::pair<int, int>{84, 140}));
        QCOMPARE(qwen_smart_resize(42, 70, 28, 3136, 1003520), (std::pair<int, int>{56, 56}));
        QVERIFY_THROWS_EXCEPTION(Error, qwen_smart_resize(10, 3000, 28, 3136, 1003520));
        // Both processor configs of the fixtures (4.46 writes size.min_pixels, 4.51 size.shortest_edge).
        SIGHTLINE_REQUIRE_FIXTURES();
        for (const char* f : {"qwen2_vl", "qwen2_5_vl"}) {
            const ImageProcessorConfig p =
                load_image_processor_config(test::fixture(std::string("hf_vlm/") + f));
            QVERIFY(p.kind == ImageProcessorKind::Qwen);
            QCOMPARE(p.min_pixels, 3136LL);
            QCOMPARE(p.max_pixels, 12544LL);
        }
    }

    void anyres_config_defaults_and_errors() {
        // LlavaNextConfig / LlavaOnevisionConfig defaults when only the type is given.
        const ModelConfig n = parse_model_config({{"model_type", "llava_next"}});
        QVERIFY(n.anyres && n.anyres_max == 0);
        QCOMPARE(n.image_grid_pinpoints.size(), std::size_t{5});
        QCOMPARE(n.vision.image_size, std::int64_t{336});
        const ModelConfig o = parse_model_config({{"model_type", "llava_onevision"}});
        QCOMPARE(o.anyres_max, 9);
        QCOMPARE(o.image_grid_pinpoints.size(), std::size_t{36});
        QCOMPARE(o.vision.image_size, std::int64_t{384});
        QVERIFY(o.text.kind == DecoderKind::Qwen2);
        QCOMPARE(o.image_token_index, std::int64_t{151646});
        const ModelConfig back = parse_model_config(model_config_to_json(o));
        QCOMPARE(back.anyres_max, 9);
        QCOMPARE(back.image_grid_pinpoints, o.image_grid_pinpoints);
        try {
            parse_model_config({{"model_type", "llava_onevision"}, {"vision_aspect_ratio", "anyres"}});
            QFAIL("accepted an unknown vision_aspect_ratio");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("vision_aspect_ratio 'anyres'"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, parse_model_config({{"model_type", "llava_next"},
                                                            {"image_grid_pinpoints", {{336, 500}}}}));
    }

    void paligemma_config_defaults_and_errors() {
        // PaliGemmaConfig's defaults (transformers 4.46) when the sub-configs are absent.
        const ModelConfig d = parse_model_config({{"model_type", "paligemma"}});
        QCOMPARE(d.text.hidden_size, std::int64_t{2048});
        QCOMPARE(d.text.num_hidden_layers, std::int64_t{18});
        QCOMPARE(d.text.num_key_value_heads, std::int64_t{1});
        QCOMPARE(d.text.head_dim, std::int64_t{256});
        QCOMPARE(d.text.vocab_size, std::int64_t{257152});
        QCOMPARE(d.vision.hidden_size, std::int64_t{1152});
        QCOMPARE(d.vision.num_hidden_layers, std::int64_t{27});
        QCOMPARE(d.image_token_count(), std::int64_t{256});
        QCOMPARE(d.image_token_index, std::int64_t{256000});
        QVERIFY(d.text.norm_unit_offset && d.text.scale_embeddings && d.text.tie_word_embeddings);
        QCOMPARE(QString::fromStdString(d.text.hidden_act), QString("gelu_pytorch_tanh"));
        // A projector that does not reach the LM's width is refused with both numbers named.
        try {
            parse_model_config({{"model_type", "paligemma"}, {"projection_dim", 64}});
            QFAIL("accepted a projection_dim that differs from the LM width");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("projection_dim 64"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(
            Error, parse_model_config({{"model_type", "paligemma"},
                                       {"vision_config", {{"model_type", "clip_vision_model"}}}}));
        QVERIFY_THROWS_EXCEPTION(
            Error,
            parse_model_config({{"model_type", "paligemma"},
                                {"text_config", {{"model_type", "gemma"}, {"hidden_activation", "relu"}}}}));
        // The config round-trips through config.json.
        const ModelConfig back = parse_model_config(model_config_to_json(d));
        QVERIFY(back.family == MultimodalFamily::PaliGemma);
        QCOMPARE(back.text.num_key_value_heads, d.text.num_key_value_heads);
        QCOMPARE(back.image_token_count(), d.image_token_count());

        // Gemma3Config: Gemma3TextConfig's defaults; the pooled grid must divide the patch grid.
        // (The vision tower of Gemma 3 4B: 896 / 14 = 64 patches a side, pooled to 16.)
        const nlohmann::json siglip_896 = {{"image_size", 896}, {"patch_size", 14}};
        const ModelConfig g = parse_model_config({{"model_type", "gemma3"}, {"vision_config", siglip_896}});
        QCOMPARE(g.text.hidden_size, std::int64_t{2304});
        QCOMPARE(g.text.num_key_value_heads, std::int64_t{4});
        QCOMPARE(g.text.query_pre_attn_scalar, 256.0);
        QCOMPARE(g.text.sliding_window_pattern, std::int64_t{6});
        QVERIFY(g.text.is_sliding(0) && !g.text.is_sliding(5));
        QCOMPARE(g.image_token_count(), std::int64_t{256});
        QVERIFY_THROWS_EXCEPTION(Error,
                                 parse_model_config({{"model_type", "gemma3"}}));  // 16 does not divide 14
        QVERIFY_THROWS_EXCEPTION(Error, parse_model_config({{"model_type", "gemma3"},
                                                            {"vision_config", siglip_896},
                                                            {"mm_tokens_per_image", 15}}));
        QVERIFY_THROWS_EXCEPTION(Error,
                                 parse_model_config({{"model_type", "gemma3"},
                                                     {"vision_config", siglip_896},
                                                     {"text_config", {{"final_logit_softcapping", 30.0}}}}));
        const ModelConfig g_back = parse_model_config(model_config_to_json(g));
        QVERIFY(g_back.family == MultimodalFamily::Gemma3);
        QCOMPARE(g_back.text.sliding_window, g.text.sliding_window);
        QCOMPARE(g_back.text.rope_local_theta, g.text.rope_local_theta);
        QCOMPARE(g_back.image_token_count(), g.image_token_count());
    }
};

QTEST_MAIN(TestHfVlm)
#include "test_hf_vlm.moc"
