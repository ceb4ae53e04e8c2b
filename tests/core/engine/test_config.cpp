// Config parsing: Hugging Face class defaults for missing fields, both vision towers and decoders,
// and clear errors for unsupported or invalid values.
#include <QtTest>

#include "core/model/config.h"
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
