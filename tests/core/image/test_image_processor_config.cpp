// preprocessor_config.json parsing: Hugging Face class defaults, real LLaVA configs, clear errors.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/image/image_processor_config.h"
#include "core/util/error.h"

using namespace sightline;
using json = nlohmann::json;

namespace {

template <typename Fn>
QString error_of(Fn fn) {
    try {
        fn();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

bool same_rgb(const std::array<float, 3>& a, std::array<float, 3> b) {
    return a == b;
}

}  // namespace

class TestImageProcessorConfig : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void llava15Config() {
        // llava-hf/llava-1.5-7b-hf/preprocessor_config.json
        const json j = json::parse(R"({
          "crop_size": {"height": 336, "width": 336}, "do_center_crop": true, "do_convert_rgb": true,
          "do_normalize": true, "do_rescale": true, "do_resize": true,
          "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_processor_type": "CLIPImageProcessor",
          "image_std": [0.26862954, 0.26130258, 0.27577711], "processor_class": "LlavaProcessor",
          "resample": 3, "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": 336}})");
        const ImageProcessorConfig c = parse_image_processor_config(j);
        QVERIFY(c.kind == ImageProcessorKind::Clip);
        QCOMPARE(c.shortest_edge, 336);
        QCOMPARE(c.resize_height, 0);
        QVERIFY(c.do_center_crop);
        QCOMPARE(c.crop_height, 336);
        QCOMPARE(c.crop_width, 336);
        QCOMPARE(c.resample, 3);
        QCOMPARE(c.rescale_factor, 0.00392156862745098);
        QVERIFY(same_rgb(c.mean, kOpenAiClipMean));
        QVERIFY(same_rgb(c.std, kOpenAiClipStd));
        QVERIFY(!c.pad_to_square);
        QCOMPARE(QString::fromStdString(describe(c)), QString("CLIP shortest_edge=336 crop=336x336 bicubic"));
    }

    void llavaInterleaveSiglipConfig() {
        // llava-hf/llava-interleave-qwen-0.5b-hf: processor_class says Llava, the image processor is SigLIP.
        const json j = json::parse(R"({
          "do_normalize": true, "do_rescale": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5],
          "image_processor_type": "SiglipImageProcessor", "image_std": [0.5, 0.5, 0.5],
          "processor_class": "LlavaProcessor", "resample": 3, "rescale_factor": 0.00392156862745098,
          "size": {"height": 384, "width": 384}})");
        const ImageProcessorConfig c = parse_image_processor_config(j);
        QVERIFY(c.kind == ImageProcessorKind::Siglip);
        QCOMPARE(c.resize_height, 384);
        QCOMPARE(c.resize_width, 384);
        QVERIFY(!c.do_center_crop);
        QVERIFY(same_rgb(c.mean, {0.5f, 0.5f, 0.5f}));
    }

    void missingFieldsTakeClassDefaults() {
        const ImageProcessorConfig clip = parse_image_processor_config(json::object());
        QVERIFY(clip.kind == ImageProcessorKind::Clip);
        QCOMPARE(clip.shortest_edge, 224);
        QCOMPARE(clip.crop_height, 224);
        QCOMPARE(clip.crop_width, 224);
        QVERIFY(clip.do_resize && clip.do_center_crop && clip.do_rescale && clip.do_normalize);
        QCOMPARE(clip.resample, 3);
        QVERIFY(same_rgb(clip.mean, kOpenAiClipMean));

        const ImageProcessorConfig sig =
            parse_image_processor_config(json{{"image_processor_type", "SiglipImageProcessor"}});
        QVERIFY(sig.kind == ImageProcessorKind::Siglip);
        QCOMPARE(sig.resize_height, 384);
        QCOMPARE(sig.resize_width, 384);
        QVERIFY(!sig.do_center_crop);
        QVERIFY(same_rgb(sig.mean, {0.5f, 0.5f, 0.5f}));
        QVERIFY(same_rgb(sig.std, {0.5f, 0.5f, 0.5f}));

        const ImageProcessorConfig by_class =
            parse_image_processor_config(json{{"processor_class", "SiglipProcessor"}});
        QVERIFY(by_class.kind == ImageProcessorKind::Siglip);
    }

    void legacyIntegerSizesAndPadding() {
        const ImageProcessorConfig c = parse_image_processor_config(
            json{{"feature_extractor_type", "CLIPFeatureExtractor"}, {"size", 336}, {"crop_size", 336}});
        QCOMPARE(c.shortest_edge, 336);
        QCOMPARE(c.crop_width, 336);
        const ImageProcessorConfig s = parse_image_processor_config(
            json{{"image_processor_type", "SiglipImageProcessor"}, {"size", 224}});
        QCOMPARE(s.resize_width, 224);
        QCOMPARE(s.resize_height, 224);
        const ImageProcessorConfig exact =
            parse_image_processor_config(json{{"size", {{"height", 200}, {"width", 300}}}});
        QCOMPARE(exact.resize_height, 200);
        QCOMPARE(exact.resize_width, 300);
        QCOMPARE(exact.shortest_edge, 0);
        const ImageProcessorConfig pad = parse_image_processor_config(
            json{{"image_processor_type", "LlavaImageProcessor"}, {"do_pad", true}});
        QVERIFY(pad.kind == ImageProcessorKind::Clip && pad.pad_to_square);
        QVERIFY(parse_image_processor_config(json{{"image_aspect_ratio", "pad"}}).pad_to_square);
        const ImageProcessorConfig scalar_mean = parse_image_processor_config(json{{"image_mean", 0.25}});
        QVERIFY(same_rgb(scalar_mean.mean, {0.25f, 0.25f, 0.25f}));
    }

    void smolvlmSplittingConfig() {
        // The SmolVLM fixture's preprocessor_config.json (SmolVLMImageProcessor, transformers 4.51).
        const ImageProcessorConfig c = parse_image_processor_config(json::parse(R"({
            "do_convert_rgb": true, "do_image_splitting": true, "do_normalize": true, "do_pad": true,
            "do_rescale": true, "do_resize": true, "image_mean": [0.5, 0.5, 0.5],
            "image_processor_type": "SmolVLMImageProcessor", "image_std": [0.5, 0.5, 0.5],
            "max_image_size": {"longest_edge": 28}, "resample": 1,
            "rescale_factor": 0.00392156862745098, "size": {"longest_edge": 84}})"));
        QVERIFY(c.smolvlm && c.do_image_splitting);
        QVERIFY(c.kind == ImageProcessorKind::Siglip);
        QCOMPARE(c.longest_edge, 84);
        QCOMPARE(c.tile_size(), 28);
        QCOMPARE(c.resample, int(PilLanczos));
        QVERIFY(!c.do_center_crop);
        // Class defaults (Idefics3ImageProcessor too): longest edge 4 x 364, crops of 364, LANCZOS, 0.5.
        const ImageProcessorConfig d =
            parse_image_processor_config(json{{"image_processor_type", "Idefics3ImageProcessor"}});
        QVERIFY(d.smolvlm);
        QCOMPARE(d.longest_edge, 1456);
        QCOMPARE(d.tile_size(), 364);
        QCOMPARE(d.resample, int(PilLanczos));
        QVERIFY(same_rgb(d.mean, {0.5f, 0.5f, 0.5f}));
        // Its sizes are longest edges: height/width is refused with the field named.
        const QString msg = error_of([&] {
            parse_image_processor_config(json{{"image_processor_type", "SmolVLMImageProcessor"},
                                              {"size", {{"height", 3}, {"width", 3}}}});
        });
        QVERIFY2(msg.contains("\"size\"") && msg.contains("longest_edge"), qPrintable(msg));
    }

    void badFieldsNameTheProblem_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not an object") << "[1, 2]"
                                       << "JSON object";
        QTest::newRow("unknown processor") << R"({"image_processor_type": "FancyImageProcessor"})"
                                           << "FancyImageProcessor";
        QTest::newRow("size is a string") << R"({"size": "big"})"
                                          << "size";
        QTest::newRow("size without keys") << R"({"size": {"longest_edge": 3}})"
                                           << "shortest_edge";
        QTest::newRow("negative crop") << R"({"crop_size": -5})"
                                       << "crop_size";
        QTest::newRow("fractional size") << R"({"size": {"shortest_edge": 33.5}})"
                                         << "size.shortest_edge";
        QTest::newRow("two means") << R"({"image_mean": [0.1, 0.2]})"
                                   << "image_mean";
        QTest::newRow("zero std") << R"({"image_std": [0.1, 0, 0.2]})"
                                  << "image_std";
        QTest::newRow("bad resample") << R"({"resample": 9})"
                                      << "resample";
        QTest::newRow("bool as string") << R"({"do_resize": "yes"})"
                                        << "do_resize";
        QTest::newRow("type not a string") << R"({"image_processor_type": 3})"
                                           << "image_processor_type";
    }
    void badFieldsNameTheProblem() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const json j = json::parse(text.toStdString());
        const QString msg = error_of([&] { parse_image_processor_config(j); });
        QVERIFY2(msg.contains(expected), qPrintable(msg));
    }

    void loadFromModelFolder() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string folder = dir.path().toStdString();
        const QString missing = error_of([&] { load_image_processor_config(folder); });
        QVERIFY2(missing.contains("preprocessor_config.json") && missing.contains("not found"),
                 qPrintable(missing));

        const std::string file = folder + "/preprocessor_config.json";
        std::ofstream(file) << R"({"size": {"shortest_edge": 336}, "crop_size": )";  // truncated
        const QString malformed = error_of([&] { load_image_processor_config(folder); });
        QVERIFY2(malformed.contains(QString::fromStdString(file)) && malformed.contains("not valid JSON"),
                 qPrintable(malformed));

        std::ofstream(file) << R"({"size": {"shortest_edge": "336"}})";
        const QString wrong = error_of([&] { load_image_processor_config(folder); });
        QVERIFY2(wrong.contains(QString::fromStdString(file)) && wrong.contains("size.shortest_edge"),
                 qPrintable(wrong));

        std::ofstream(file)
            << R"({"image_processor_type": "CLIPImageProcessor", "size": {"shortest_edge": 336},
                                   "crop_size": {"height": 336, "width": 336}})";
        const ImageProcessorConfig c = load_image_processor_config(folder);
        QCOMPARE(c.shortest_edge, 336);
        QCOMPARE(c.crop_height, 336);
    }
};

QTEST_APPLESS_MAIN(TestImageProcessorConfig)
#include "test_image_processor_config.moc"
