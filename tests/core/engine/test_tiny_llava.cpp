// Tiny random LLaVA checkpoints written in Hugging Face layout (both key layouts, CLIP and SigLIP towers,
// Llama and Qwen2 decoders, tied and untied heads, sharded and single-file) load through the real path,
// expand <image> to the right number of tokens, and generate.
#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "core/generate/generator.h"
#include "core/model/loaded_model.h"
#include "core/util/error.h"
#include "tests/support/error_of.h"
#include "tests/support/tiny_models.h"

using namespace sightline;
using test::error_of;
using test::TinySpec;
Q_DECLARE_METATYPE(TinySpec)

namespace {

cv::Mat test_image(int w, int h) {
    cv::Mat img(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            img.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(x * 5), uchar(y * 3), uchar((x + y) % 256));
    return img;
}

}  // namespace

class TestTinyLlava : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    int counter_ = 0;
    std::string fresh_dir() { return (tmp_.path() + QString("/m%1").arg(counter_++)).toStdString(); }

  private Q_SLOTS:
    void loads_and_generates_data();
    void loads_and_generates();
    void both_key_layouts_give_identical_logits();
    void wrong_image_token_count_is_a_clear_error();
    void text_only_models_data();
    void text_only_models();
    void config_and_weights_mismatch_is_a_clear_error();
    void preprocessor_defaults_when_missing();
};

void TestTinyLlava::loads_and_generates_data() {
    QTest::addColumn<TinySpec>("spec");
    QTest::addColumn<int>("image_tokens");
    auto row = [](TinySpec s, int n) { QTest::newRow(test::describe(s).c_str()) << s << n; };
    TinySpec a;  // clip + llama, untied, hub, single, default: 16 patches
    row(a, 16);
    TinySpec b;
    b.tied = true, b.layout = KeyLayout::Transformers452, b.shards = 3;
    row(b, 16);
    TinySpec c;
    c.vision = VisionKind::Siglip, c.decoder = DecoderKind::Qwen2, c.tied = true, c.strategy = "full";
    c.feature_layers = {-1};
    row(c, 16);
    TinySpec d = c;
    d.tied = false, d.layout = KeyLayout::Transformers452, d.shards = 2;
    row(d, 16);
    TinySpec e;  // CLIP with "full": the class token is an image position too
    e.decoder = DecoderKind::Qwen2, e.strategy = "full";
    row(e, 17);
    TinySpec f;  // several feature layers concatenated
    f.feature_layers = {-3, -2};
    row(f, 16);
    TinySpec g;  // SigLIP with "default" drops the first patch, as transformers does
    g.vision = VisionKind::Siglip;
    row(g, 15);
}

void TestTinyLlava::loads_and_generates() {
    QFETCH(TinySpec, spec);
    QFETCH(int, image_tokens);
    const std::string dir = test::write_tiny_model(fresh_dir(), spec);
    const auto m = load_model(dir);
    QVERIFY(m->config.multimodal);
    QCOMPARE(m->config.image_token_count(), std::int64_t{image_tokens});
    QCOMPARE(m->model->decoder().head_tied(), spec.tied);
    QVERIFY(m->tokenizer);
    QCOMPARE(m->chat_template, ChatTemplateKind::Llava15);

    PromptRequest r;
    r.question = "What is here?";
    r.image_rgb = test_image(50, 40);
    PreparedPrompt p = prepare_prompt(*m, r);
    const Trace& pt = p.trace;
    QCOMPARE(pt.image_count, std::int64_t{image_tokens});
    QCOMPARE(pt.grid_h, 4);
    QCOMPARE(pt.grid_w, 4);
    std::int64_t n_image = 0;
    for (const auto& t : pt.tokens) n_image += t.role == TokenRole::Image;
    QCOMPARE(n_image, std::int64_t{image_tokens});
    // Image positions are contiguous and carry their patch coordinates, row-major.
    const auto& last = pt.tokens[static_cast<std::size_t>(pt.image_begin + pt.image_count - 1)];
    QCOMPARE(last.row, 3);
    QCOMPARE(last.col, 3);
    // The question's tokens are the prompt; the template's are system.
    std::string prompt_text;
    for (const auto& t : pt.tokens)
        if (t.role == TokenRole::Prompt) prompt_text += t.text;
    QCOMPARE(QString::fromStdString(prompt_text).trimmed(), QString("What is here?"));
    QCOMPARE(pt.tokens.front().role, TokenRole::System);

    GenerationSettings s;
    s.max_new_tokens = 6;
    s.stop_ids = {-1};
    const Trace t = generate(*m, std::move(p), s);
    QCOMPARE(t.answer_size(), std::int64_t{6});
    QCOMPARE(t.steps.size(), std::size_t{6});
    QCOMPARE(t.steps[0].top.size(), std::size_t{5});
    for (const auto& st : t.steps) {
        QVERIFY(st.prob > 0 && st.prob <= 1);
        QVERIFY(st.top[0].prob >= st.top[1].prob);
    }
    QVERIFY(t.prefill_ms > 0);
}

void TestTinyLlava::both_key_layouts_give_identical_logits() {
    TinySpec hub, tf;
    tf.layout = KeyLayout::Transformers452;
    tf.shards = 2;
    const auto a = load_model(test::write_tiny_model(fresh_dir(), hub));
    const auto b = load_model(test::write_tiny_model(fresh_dir(), tf));
    PromptRequest r;
    r.question = "colour?";
    r.image_rgb = test_image(32, 32);
    const Trace ta = prepare_prompt(*a, r).trace;
    const at::Tensor ids = at::tensor(ta.ids(), at::kLong).unsqueeze(0);
    at::NoGradGuard ng;
    const at::Tensor la = a->model->forward(ids, ta.pixel_values).logits;
    const at::Tensor lb = b->model->forward(ids, ta.pixel_values).logits;
    QVERIFY(at::equal(la, lb));
    // The image matters: a different image changes the logits at the last position.
    r.image_rgb = test_image(32, 32) * 0.2;
    const Trace tc = prepare_prompt(*a, r).trace;
    const at::Tensor lc = a->model->forward(ids, tc.pixel_values).logits;
    QVERIFY((la[0][-1] - lc[0][-1]).abs().max().item<float>() > 1e-4f);
}

void TestTinyLlava::wrong_image_token_count_is_a_clear_error() {
    const auto m = load_model(test::write_tiny_model(fresh_dir(), TinySpec{}));
    PromptRequest r;
    r.image_rgb = test_image(32, 32);
    r.ids = {test::kTinyBos, test::kTinyImage, test::kTinyImage, test::kTinyImage, 65};
    QVERIFY(
        QString::fromStdString(error_of([&] { prepare_prompt(*m, r); })).contains("holds 3 image tokens"));
    r.ids = {test::kTinyBos, 65, 66};
    QVERIFY(QString::fromStdString(error_of([&] { prepare_prompt(*m, r); })).contains("no <image> token"));
    // The model itself refuses features that do not match the marked positions.
    r.ids = {test::kTinyBos, test::kTinyImage, 65};
    const Trace t = prepare_prompt(*m, r).trace;
    std::vector<std::int64_t> ids = t.ids();
    ids.erase(ids.begin() + 2);  // one image token short
    const QString err = QString::fromStdString(
        error_of([&] { m->model->forward(at::tensor(ids, at::kLong).unsqueeze(0), t.pixel_values); }));
    QVERIFY2(err.contains("15 image tokens") && err.contains("16"), qPrintable(err));
    // An image-token id generated later in the answer is an ordinary token: the sequence re-runs.
    std::vector<std::int64_t> with_generated = t.ids();
    with_generated.push_back(test::kTinyImage);
    with_generated.push_back(66);
    at::NoGradGuard ng;
    const at::Tensor l =
        m->model->forward(at::tensor(with_generated, at::kLong).unsqueeze(0), t.pixel_values).logits;
    const at::Tensor base =
        m->model->forward(at::tensor(t.ids(), at::kLong).unsqueeze(0), t.pixel_values).logits;
    QVERIFY(at::allclose(l[0].narrow(0, 0, base.size(1)), base[0], 1e-5, 1e-6));
    // An image for a prompt without an image, and <image> without an image.
    PromptRequest no_image;
    no_image.ids = {test::kTinyBos, test::kTinyImage};
    QVERIFY(QString::fromStdString(error_of([&] {
                prepare_prompt(*m, no_image);
            })).contains("no image was given"));
}

void TestTinyLlava::text_only_models_data() {
    QTest::addColumn<TinySpec>("spec");
    TinySpec l;
    l.multimodal = false;
    QTest::newRow("llama untied") << l;
    TinySpec q = l;
    q.decoder = DecoderKind::Qwen2, q.tied = true;
    QTest::newRow("qwen2 tied") << q;
}

void TestTinyLlava::text_only_models() {
    QFETCH(TinySpec, spec);
    const auto m = load_model(test::write_tiny_model(fresh_dir(), spec));
    QVERIFY(!m->config.multimodal);
    PromptRequest r;
    r.question = "hello";
    r.use_chat_template = false;
    GenerationSettings s;
    s.max_new_tokens = 3;
    s.stop_ids = {-1};
    const Trace t = generate(*m, prepare_prompt(*m, r), s);
    QCOMPARE(t.answer_size(), std::int64_t{3});
    QVERIFY(!t.has_image());
    r.image_rgb = test_image(8, 8);
    QVERIFY(QString::fromStdString(error_of([&] { prepare_prompt(*m, r); })).contains("text-only"));
}

void TestTinyLlava::config_and_weights_mismatch_is_a_clear_error() {
    const std::string dir = test::write_tiny_model(fresh_dir(), TinySpec{});
    // Claim a larger hidden size than the weights have.
    auto j = nlohmann::json::parse(std::ifstream(dir + "/config.json"));
    j["text_config"]["intermediate_size"] = 80;
    std::ofstream(dir + "/config.json", std::ios::trunc) << j.dump();
    const QString err = QString::fromStdString(error_of([&] { load_model(dir); }));
    QVERIFY2(err.contains("mlp.gate_proj.weight") && err.contains("shape"), qPrintable(err));
    // Remove a required tensor: rewrite the checkpoint without it.
    j["text_config"]["intermediate_size"] = 64;
    j["text_config"]["num_hidden_layers"] = 3;
    std::ofstream(dir + "/config.json", std::ios::trunc) << j.dump();
    const QString err2 = QString::fromStdString(error_of([&] { load_model(dir); }));
    QVERIFY2(err2.contains("missing tensors") && err2.contains("layers.2."), qPrintable(err2));
}

void TestTinyLlava::preprocessor_defaults_when_missing() {
    TinySpec s;
    s.with_preprocessor = false;
    const auto m = load_model(test::write_tiny_model(fresh_dir(), s));
    QVERIFY(m->image_processor.has_value());
    QCOMPARE(m->image_processor->crop_height, 32);
    QVERIFY(!m->notes.empty());
}

QTEST_APPLESS_MAIN(TestTinyLlava)
#include "test_tiny_llava.moc"
