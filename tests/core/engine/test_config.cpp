// Config parsing: Hugging Face class defaults for missing fields, both vision towers and decoders,
// and clear errors for unsupported or invalid values.
#include <QtTest>

#include <ATen/ATen.h>
#include <torch/torch.h>

#include "core/model/config.h"
#include "core/model/kv_cache.h"
#include "core/model/model.h"
#include "core/util/error.h"

using namespace sightline;
using nlohmann::json;

namespace {
QString error_of(const json& j) {
    try {
        parse_model_config(j, "cfg.json");
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}
}  // namespace

class TestConfig : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void mistral_is_its_own_type_with_a_window() {
        const ModelConfig d = parse_model_config(json{{"model_type", "mistral"}});
        QCOMPARE(d.text.kind, DecoderKind::Mistral);
        QCOMPARE(d.architecture, std::string("MistralForCausalLM"));
        QCOMPARE(d.text.sliding_window, std::int64_t{4096});  // MistralConfig defaults (Mistral-7B-v0.1)
        QCOMPARE(d.text.num_key_value_heads, std::int64_t{8});
        QCOMPARE(d.text.intermediate_size, std::int64_t{14336});
        QVERIFY(d.text.is_sliding(0) && d.text.is_sliding(31));
        // v0.2 and later write null: no window.
        const ModelConfig v2 =
            parse_model_config(json{{"model_type", "mistral"}, {"sliding_window", nullptr}});
        QCOMPARE(v2.text.sliding_window, std::int64_t{0});
        QVERIFY(!v2.text.is_sliding(0));
        QVERIFY(error_of(json{{"model_type", "mistral"}, {"sliding_window", -3}}).contains("sliding_window"));
        // LLaVA-1.6-Mistral: the language model inside a LLaVA config; a Llama config has no window.
        const ModelConfig l = parse_model_config(json{
            {"model_type", "llava"}, {"text_config", {{"model_type", "mistral"}, {"sliding_window", 64}}}});
        QCOMPARE(l.text.kind, DecoderKind::Mistral);
        QCOMPARE(l.text.sliding_window, std::int64_t{64});
        QVERIFY(!parse_model_config(json{{"model_type", "llama"}}).text.is_sliding(0));
        // Written back with its window.
        QCOMPARE(parse_model_config(model_config_to_json(l)).text.sliding_window, std::int64_t{64});
    }

    // With a window of W keys, one layer lets the last position see only the last W tokens and two layers
    // the last 2(W - 1) + 1: its logits equal the model's on that suffix alone (RoPE is relative). Without
    // the window (the same weights as Llama) the earlier tokens change them. Decoding with the KV cache gives
    // the full forward's logits.
    void mistral_window_limits_what_each_position_sees() {
        torch::NoGradGuard ng;
        for (int layers : {1, 2}) {
            const std::int64_t W = 3;
            json text = {{"model_type", "mistral"},     {"vocab_size", 50},
                         {"hidden_size", 32},           {"intermediate_size", 64},
                         {"num_hidden_layers", layers}, {"num_attention_heads", 4},
                         {"num_key_value_heads", 2},    {"max_position_embeddings", 64},
                         {"sliding_window", W}};
            Model mistral(parse_model_config(text, "mistral"), ComputeDType::F32);
            mistral.init_random(7, 0.3);
            text["model_type"] = "llama";
            text.erase("sliding_window");
            Model llama(parse_model_config(text, "llama"), ComputeDType::F32);
            llama.init_random(7, 0.3);
            const at::Tensor ids = at::tensor({5, 9, 2, 33, 41, 7, 12, 30, 3}, at::kLong).view({1, -1});
            const std::int64_t T = ids.size(1);
            const std::int64_t seen = layers * (W - 1) + 1;
            const at::Tensor full = mistral.forward(ids, {}).logits[0][T - 1];
            const at::Tensor suffix = mistral.forward(ids.narrow(1, T - seen, seen), {}).logits[0][seen - 1];
            QVERIFY2(at::allclose(full, suffix, 1e-4, 1e-5), qPrintable(QString("layers %1").arg(layers)));
            // One more token of context changes nothing; Llama (no window) differs.
            const at::Tensor longer =
                mistral.forward(ids.narrow(1, T - seen - 1, seen + 1), {}).logits[0][seen];
            QVERIFY(at::allclose(full, longer, 1e-4, 1e-5));
            const at::Tensor llama_full = llama.forward(ids, {}).logits[0][T - 1];
            QVERIFY(!at::allclose(full, llama_full, 1e-3, 1e-3));
            // Step-by-step decoding with the cache (keys past the window hidden at every step).
            auto kv = mistral.make_kv_cache(1, T);
            at::Tensor last;
            for (std::int64_t i = 0; i < T; ++i)
                last = mistral.forward(ids.narrow(1, i, 1), {}, nullptr, nullptr, kv.get()).logits[0][0];
            QVERIFY(at::allclose(full, last, 1e-4, 1e-5));
        }
    }

    void llava_defaults_are_llava_1_5() {
        const ModelConfig c = parse_model_config(json{{"model_type", "llava"}});
        QVERIFY(c.multimodal);
        QCOMPARE(c.vision.kind, VisionKind::Clip);
        QCOMPARE(c.vision.image_size, std::int64_t{336});
        QCOMPARE(c.vision.patch_size, std::int64_t{14});
        QCOMPARE(c.vision.hidden_size, std::int64_t{1024});
        QCOMPARE(c.vision.num_hidden_layers, std::int64_t{24});
        QCOMPARE(c.vision.hidden_act, std::string("quick_gelu"));
        QCOMPARE(c.image_token_count(), std::int64_t{576});  // 24 x 24, class token dropped
        QCOMPARE(c.vision_feature_layers, std::vector<int>{-2});
        QCOMPARE(c.image_token_index, std::int64_t{32000});
        QCOMPARE(c.text.kind, DecoderKind::Llama);
        QCOMPARE(c.text.hidden_size, std::int64_t{4096});
        QCOMPARE(c.text.num_key_value_heads, std::int64_t{32});
        QCOMPARE(c.text.rms_norm_eps, 1e-6);
        QVERIFY(!c.text.tie_word_embeddings);
    }
    void interleave_qwen_siglip() {
        // The shape of llava-interleave-qwen-0.5b-hf's config (fields it sets; the rest are defaults).
        const json j = {{"model_type", "llava"},
                        {"image_token_index", 151646},
                        {"vision_feature_layer", -1},
                        {"vision_feature_select_strategy", "full"},
                        {"text_config",
                         {{"model_type", "qwen2"},
                          {"hidden_size", 896},
                          {"intermediate_size", 4864},
                          {"num_attention_heads", 14},
                          {"num_hidden_layers", 24},
                          {"num_key_value_heads", 2},
                          {"tie_word_embeddings", true},
                          {"vocab_size", 152000}}},
                        {"vision_config",
                         {{"model_type", "siglip_vision_model"},
                          {"hidden_size", 1152},
                          {"image_size", 384},
                          {"intermediate_size", 4304},
                          {"num_attention_heads", 16},
                          {"num_hidden_layers", 26},
                          {"patch_size", 14}}}};
        const ModelConfig c = parse_model_config(j);
        QCOMPARE(c.vision.kind, VisionKind::Siglip);
        QCOMPARE(c.vision.hidden_act, std::string("gelu_pytorch_tanh"));
        QCOMPARE(c.vision.layer_norm_eps, 1e-6);
        QCOMPARE(c.image_token_count(), std::int64_t{729});  // 27 x 27, no class token
        QVERIFY(!c.image_tokens_include_cls());
        QCOMPARE(c.text.kind, DecoderKind::Qwen2);
        QCOMPARE(c.text.head_dim, std::int64_t{64});
        QCOMPARE(c.text.max_position_embeddings, std::int64_t{32768});  // Qwen2Config default
        QVERIFY(c.text.tie_word_embeddings);
    }
    void text_only_defaults() {
        const ModelConfig l = parse_model_config(json{{"architectures", {"LlamaForCausalLM"}}});
        QVERIFY(!l.multimodal);
        QCOMPARE(l.text.intermediate_size, std::int64_t{11008});
        QCOMPARE(l.text.bos_token_id, std::int64_t{1});
        const ModelConfig q =
            parse_model_config(json{{"model_type", "qwen2"}, {"eos_token_id", {151643, 151645}}});
        QCOMPARE(q.text.vocab_size, std::int64_t{151936});
        QCOMPARE(q.text.eos_token_ids, (std::vector<std::int64_t>{151643, 151645}));
    }
    void vision_feature_layer_list_and_full() {
        const ModelConfig c = parse_model_config(json{{"model_type", "llava"},
                                                      {"vision_feature_layer", {-2, -5}},
                                                      {"vision_feature_select_strategy", "full"}});
        QCOMPARE(c.vision_feature_layers, (std::vector<int>{-2, -5}));
        QCOMPARE(c.image_token_count(), std::int64_t{577});
        QVERIFY(c.image_tokens_include_cls());
    }
    void round_trip_through_json() {
        const ModelConfig c =
            parse_model_config(json{{"model_type", "llava"}, {"vision_feature_layer", {-2, -1}}});
        const ModelConfig d = parse_model_config(model_config_to_json(c));
        QCOMPARE(d.vision.num_hidden_layers, c.vision.num_hidden_layers);
        QCOMPARE(d.vision_feature_layers, c.vision_feature_layers);
        QCOMPARE(d.text.num_key_value_heads, c.text.num_key_value_heads);
        QCOMPARE(d.image_token_count(), c.image_token_count());
    }
    void errors_data() {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown model") << R"({"model_type":"mamba"})"
                                       << "not supported";
        QTest::newRow("no type at all") << R"({})"
                                        << "neither";
        QTest::newRow("wrong field type") << R"({"model_type":"llama","hidden_size":"big"})"
                                          << "\"hidden_size\"";
        QTest::newRow("heads not dividing")
            << R"({"model_type":"llama","num_attention_heads":6,"num_key_value_heads":4})"
            << "multiple of num_key_value_heads";
        QTest::newRow("zero layers") << R"({"model_type":"llama","num_hidden_layers":0})"
                                     << "must be positive";
        QTest::newRow("bad strategy") << R"({"model_type":"llava","vision_feature_select_strategy":"cls"})"
                                      << "not supported";
        QTest::newRow("layer out of range") << R"({"model_type":"llava","vision_feature_layer":-40})"
                                            << "out of range";
        QTest::newRow("unknown vision") << R"({"model_type":"llava","vision_config":{"model_type":"dino"}})"
                                        << "dino";
        QTest::newRow("rope scaling") << R"({"model_type":"llama","rope_scaling":{"type":"yarn","factor":4}})"
                                      << "yarn";
        QTest::newRow("patch too large")
            << R"({"model_type":"llava","vision_config":{"image_size":10,"patch_size":14}})"
            << "smaller than patch_size";
        QTest::newRow("activation") << R"({"model_type":"llama","hidden_act":"relu"})"
                                    << "relu";
    }
    void errors() {
        QFETCH(QString, config);
        QFETCH(QString, message);
        const QString err = error_of(json::parse(config.toStdString()));
        QVERIFY2(err.contains(message), qPrintable("got: " + err));
        QVERIFY(err.contains("cfg.json"));
    }
};

QTEST_APPLESS_MAIN(TestConfig)
#include "test_config.moc"
