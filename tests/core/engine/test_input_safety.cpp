// Crafted inputs of issue 21 (file level): FIFOs and devices in place of files, deeply nested JSON,
// a safetensors header with 200k entries, absurd config sizes and token ids, and an image declaring
// 30000 x 30000 pixels. Each must give a clear sightline::Error quickly: never a hang, a stack
// overflow or a huge allocation.
#include <sys/stat.h>
#include <sys/types.h>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <functional>
#include <opencv2/imgcodecs.hpp>

#include <ATen/ATen.h>
#include <limits>
#include <nlohmann/json.hpp>
#include "core/explore/explorer.h"
#include "core/image/image_io.h"
#include "core/image/image_processor_config.h"
#include "core/io/safetensors_format.h"
#include "core/io/safetensors_writer.h"
#include "core/io/weight_store.h"
#include "core/model/config.h"
#include "core/model/loaded_model.h"
#include "core/text/json_file.h"
#include "core/text/tokenizer_config.h"
#include "core/text/tokenizer_json_file.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/strings.h"
#include "tests/support/error_of.h"
#include "tests/support/tiny_models.h"

using namespace sightline;
using test::error_of;

namespace {

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

std::uint32_t crc32(const std::uint8_t* p, std::size_t n) {
    std::uint32_t c = 0xffffffffu;
    for (std::size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

void put_be32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

std::string deep_json(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

class TestInputSafety : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    std::string path(const char* name) const { return (tmp_.path() + "/" + name).toStdString(); }

  private Q_SLOTS:
    // A FIFO (with no writer, so opening it for reading would block forever) or a device in place of
    // every kind of file: each reader refuses it at once, naming the file.
    void fifo_or_device_is_refused_at_once() {
        const std::string dir = path("fifo_model");
        make_dirs(dir);
        const char* names[] = {"config.json",           "tokenizer.json",
                               "tokenizer_config.json", "preprocessor_config.json",
                               "model.safetensors",     "image.png"};
        for (const char* n : names) QCOMPARE(::mkfifo(path_join(dir, n).c_str(), 0600), 0);
        QElapsedTimer timer;
        timer.start();
        const std::vector<std::pair<std::string, std::function<void()>>> readers = {
            {"config.json", [&] { load_model_config(dir); }},
            {"tokenizer.json", [&] { read_tokenizer_json_file(path_join(dir, "tokenizer.json")); }},
            {"tokenizer_config.json", [&] { read_tokenizer_config(dir); }},
            {"preprocessor_config.json", [&] { load_image_processor_config(dir); }},
            {"model.safetensors", [&] { SafetensorsFile::open(path_join(dir, "model.safetensors")); }},
            {"image.png", [&] { load_image_rgb(path_join(dir, "image.png")); }},
            {"config.json", [&] { read_json_file(path_join(dir, "config.json")); }},
            {"config.json", [&] { read_text_file(path_join(dir, "config.json")); }},
        };
        for (const auto& [name, read] : readers) {
            const std::string message = error_of(read);
            QVERIFY2(message.find(name) != std::string::npos && message.find("FIFO") != std::string::npos,
                     message.c_str());
        }
        const std::string message = error_of([] { load_image_rgb("/dev/zero"); });
        QVERIFY2(message.find("character device") != std::string::npos, message.c_str());
        const std::string folder = error_of([&] { read_text_file(dir); });
        QVERIFY2(folder.find("a folder") != std::string::npos, folder.c_str());
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    }

    void size_caps() {
        write_file(path("big.json"), std::string(2000, ' '));
        const std::string message = error_of([&] { read_regular_file(path("big.json"), 1000, "config"); });
        QVERIFY2(message.find("over the limit") != std::string::npos, message.c_str());
        QCOMPARE(read_regular_file(path("big.json"), 2000, "config").size(), std::size_t{2000});
    }

    // 100k nested brackets in every JSON file a model folder has: an error, not a stack overflow.
    void deeply_nested_json_is_refused() {
        const std::string dir = path("deep_model");
        make_dirs(dir);
        const std::string deep = deep_json(100000);
        for (const char* n :
             {"config.json", "tokenizer.json", "tokenizer_config.json", "preprocessor_config.json"})
            write_file(path_join(dir, n), deep);
        const std::vector<std::function<void()>> readers = {
            [&] { load_model_config(dir); },
            [&] { read_tokenizer_json_file(path_join(dir, "tokenizer.json")); },
            [&] { read_tokenizer_config(dir); },
            [&] { load_image_processor_config(dir); },
            [&] { read_json_file(path_join(dir, "config.json")); },
        };
        for (const auto& read : readers) {
            const std::string message = error_of(read);
            QVERIFY2(message.find("nested more than") != std::string::npos, message.c_str());
        }
        // Deep in a tokenizer.json's "model" object, too (the SAX reader).
        const std::string text = "{\"model\": {\"vocab\": {}, \"x\": " + deep + "}}";
        const std::string message = error_of([&] { parse_tokenizer_json(text, "tokenizer.json"); });
        QVERIFY2(message.find("nested more than") != std::string::npos, message.c_str());
        // Brackets inside strings do not count; moderate nesting is fine.
        check_json_depth("{\"a\": \"[[[[[[[[[[[[[[[[[[[[\\\"[[[[[\"}", 4, "x");
        check_json_depth(deep_json(200), kMaxJsonDepth, "x");
    }

    // Untrusted values are cut to a short excerpt in error messages.
    void error_messages_do_not_dump_whole_values() {
        const std::string dir = path("long_value");
        make_dirs(dir);
        write_file(path_join(dir, "config.json"),
                   "{\"model_type\": \"llama\", \"hidden_size\": \"" + std::string(100000, 'x') + "\"}");
        const std::string message = error_of([&] { load_model_config(dir); });
        QVERIFY2(message.find("hidden_size") != std::string::npos, message.c_str());
        QVERIFY2(message.size() < 600, std::to_string(message.size()).c_str());
        const std::string j = "{\"add_bos_token\": [\"" + std::string(100000, 'y') + "\"]}";
        write_file(path_join(dir, "tokenizer_config.json"), j);
        const std::string m2 = error_of([&] { read_tokenizer_config(dir); });
        QVERIFY2(!m2.empty() && m2.size() < 600, m2.substr(0, 600).c_str());
    }

    // 200k zero-size tensors (a ~12 MB header, under the cap) parse in linear time; duplicates are
    // still found, at any depth.
    void safetensors_many_entries_parse_in_linear_time() {
        std::string header = "{";
        const int n = 200000;
        for (int i = 0; i < n; ++i) {
            if (i) header += ',';
            header += cat("\"tensor.", i, "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        header += '}';
        std::string bytes;
        const std::uint64_t len = header.size();
        for (int i = 0; i < 8; ++i) bytes += static_cast<char>((len >> (8 * i)) & 0xff);
        bytes += header;
        write_file(path("many.safetensors"), bytes);
        QElapsedTimer timer;
        timer.start();
        std::shared_ptr<SafetensorsFile> f;
        try {
            f = SafetensorsFile::open(path("many.safetensors"));
        } catch (const Error& e) {
            QFAIL(e.what());
        }
        const qint64 ms = timer.elapsed();
        qInfo("200k-entry header (%zu bytes) parsed in %lld ms", header.size(), static_cast<long long>(ms));
        QCOMPARE(f->tensors().size(), std::size_t{n});
        QVERIFY2(ms < 5000, qPrintable(QString::number(ms)));  // was hours (quadratic)

        const std::string dup = R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"shape":[0]}})";
        std::string b2;
        for (int i = 0; i < 8; ++i) b2 += static_cast<char>((dup.size() >> (8 * i)) & 0xff);
        write_file(path("dup.safetensors"), b2 + dup);
        const std::string message = error_of([&] { SafetensorsFile::open(path("dup.safetensors")); });
        QVERIFY2(message.find("'shape' more than once") != std::string::npos, message.c_str());
    }

    void absurd_config_sizes_are_refused() {
        const std::string dir = path("huge_model");
        make_dirs(dir);
        write_file(path_join(dir, "config.json"),
                   R"({"model_type": "llama", "num_hidden_layers": 1000000000})");
        std::string message = error_of([&] { load_model_config(dir); });
        QVERIFY2(message.find("num_hidden_layers") != std::string::npos &&
                     message.find("limit") != std::string::npos,
                 message.c_str());
        write_file(path_join(dir, "config.json"), R"({"model_type": "llama", "vocab_size": 2147483647})");
        message = error_of([&] { load_model_config(dir); });
        QVERIFY2(message.find("vocab_size") != std::string::npos, message.c_str());
    }

    void config_bigger_than_the_checkpoint_is_refused_before_building() {
        // A real tiny checkpoint whose config.json claims a 1000x wider MLP: refused from the headers
        // (no model is built, nothing big is allocated), naming the config and both sizes.
        const std::string dir = test::write_tiny_model(path("tiny_cfg"), test::TinySpec{});
        nlohmann::json cfg = nlohmann::json::parse(
            read_regular_file(path_join(dir, "config.json"), kMaxTextFileBytes, "config"));
        QVERIFY(load_model(dir) != nullptr);  // as written, it loads
        auto& text = cfg["text_config"];
        text["intermediate_size"] = text.value("intermediate_size", 64) * 1000;
        write_file(path_join(dir, "config.json"), cfg.dump());
        QElapsedTimer t;
        t.start();
        const std::string message = error_of([&] { load_model(dir); });
        QVERIFY2(message.find("config.json") != std::string::npos &&
                     message.find("does not belong to these weights") != std::string::npos,
                 message.c_str());
        QVERIFY(t.elapsed() < 5000);
    }

    void broken_weights_and_epsilons_are_refused() {
        // A weight stored as I32, NaN weights, and a negative norm epsilon: each refused with a message
        // naming it, never loaded into garbage answers.
        const std::string dir = test::write_tiny_model(path("tiny_broken"), test::TinySpec{});
        const std::string weights = path_join(dir, "model.safetensors");
        const std::string config_text =
            read_regular_file(path_join(dir, "config.json"), kMaxTextFileBytes, "config");
        NamedTensors all;
        const WeightStore store = WeightStore::load_dir(dir, ComputeDType::F32);
        for (const auto& [k, t] : store.tensors()) all.emplace_back(k, t.clone());
        const auto rewrite = [&](const std::function<at::Tensor(const std::string&, const at::Tensor&)>& f) {
            NamedTensors changed;
            for (const auto& [k, t] : all) changed.emplace_back(k, f(k, t));
            write_safetensors(weights, changed);
        };
        std::string norm_key;
        for (const auto& [k, t] : all)
            if (k.find("norm.weight") != std::string::npos && k.find("language_model") != std::string::npos &&
                k.find("layers") == std::string::npos)
                norm_key = k;
        QVERIFY2(!norm_key.empty(), "the tiny model has a final norm");

        rewrite(
            [&](const std::string& k, const at::Tensor& t) { return k == norm_key ? t.to(at::kInt) : t; });
        std::string message = error_of([&] { load_model(dir); });
        QVERIFY2(message.find(norm_key) != std::string::npos && message.find("integer") != std::string::npos,
                 message.c_str());

        rewrite([&](const std::string& k, const at::Tensor& t) {
            return k == norm_key ? at::full_like(t, std::numeric_limits<float>::quiet_NaN()) : t;
        });
        Explorer x(load_model(dir));
        GenerationSettings g;
        g.max_new_tokens = 2;
        message = error_of([&] { x.generate(test::question_about_noise("what is red?"), g); });
        QVERIFY2(message.find("non-finite logits") != std::string::npos, message.c_str());

        rewrite([](const std::string&, const at::Tensor& t) { return t; });
        nlohmann::json cfg = nlohmann::json::parse(config_text);
        cfg["text_config"]["rms_norm_eps"] = -1e-5;
        write_file(path_join(dir, "config.json"), cfg.dump());
        message = error_of([&] { load_model_config(dir); });
        QVERIFY2(message.find("rms_norm_eps must be a positive") != std::string::npos, message.c_str());
    }

    void absurd_token_ids_are_refused() {
        const std::string text = R"({"model": {"type": "BPE", "vocab": {"a": 2147483647}, "merges": []}})";
        const std::string message = error_of([&] { parse_tokenizer_json(text, "tokenizer.json"); });
        QVERIFY2(message.find("2147483647") != std::string::npos &&
                     message.find("tokenizer.json") != std::string::npos,
                 message.c_str());
    }

    // A tiny PNG (and JPEG, and BMP) whose header declares 30000 x 30000 pixels: refused from the
    // header, before OpenCV allocates gigabytes.
    void image_declaring_huge_size_is_refused() {
        const cv::Mat rgb(4, 4, CV_8UC3, cv::Scalar(10, 200, 30));
        std::vector<std::uint8_t> png = encode_png_rgb(rgb);
        QVERIFY(png.size() > 33);
        put_be32(png, 16, 30000);
        put_be32(png, 20, 30000);
        put_be32(png, 29, crc32(png.data() + 12, 17));  // the IHDR chunk's CRC over type + data
        write_file(path("huge.png"), std::string(png.begin(), png.end()));
        QElapsedTimer timer;
        timer.start();
        std::string message = error_of([&] { load_image_rgb(path("huge.png")); });
        QVERIFY2(message.find("huge.png") != std::string::npos &&
                     message.find("30000 x 30000") != std::string::npos &&
                     message.find("megapixels") != std::string::npos,
                 message.c_str());
        QVERIFY(timer.elapsed() < 2000);

        std::vector<std::uint8_t> jpg;
        QVERIFY(cv::imencode(".jpg", rgb, jpg));
        bool patched = false;
        for (std::size_t i = 2; i + 9 < jpg.size() && !patched; ++i)
            if (jpg[i] == 0xff && jpg[i + 1] == 0xc0) {  // baseline SOF0: length, precision, height, width
                jpg[i + 5] = jpg[i + 7] = 0xea;          // 0xea60 = 60000
                jpg[i + 6] = jpg[i + 8] = 0x60;
                patched = true;
            }
        QVERIFY(patched);
        message = error_of([&] { decode_image_rgb(jpg, "pasted image"); });
        QVERIFY2(message.find("60000 x 60000") != std::string::npos, message.c_str());

        std::vector<std::uint8_t> bmp;
        QVERIFY(cv::imencode(".bmp", rgb, bmp));
        for (int i = 0; i < 4; ++i)
            bmp[18 + i] = bmp[22 + i] = static_cast<std::uint8_t>((40000 >> (8 * i)) & 0xff);
        message = error_of([&] { decode_image_rgb(bmp, "pasted image"); });
        QVERIFY2(message.find("40000 x 40000") != std::string::npos, message.c_str());

        // The untouched tiny image still loads.
        const std::vector<std::uint8_t> ok = encode_png_rgb(rgb);
        QCOMPARE(decode_image_rgb(ok, "ok").cols, 4);
    }
};

QTEST_GUILESS_MAIN(TestInputSafety)
#include "test_input_safety.moc"
