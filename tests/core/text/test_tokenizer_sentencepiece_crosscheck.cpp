// Cross-checks our SentencePiece implementation (core/text/sentencepiece_*) against the official
// library: the Llama-2 model and small BPE / Unigram / Word / Char models trained here with spm_train
// must give identical ids for thousands of generated strings, and decode to the same text. This test
// executable links libsentencepiece; it never loads LibTorch (whose protobuf clashes with it).
#include <QTemporaryDir>
#include <QtTest>

#include <sentencepiece_processor.h>

#include <chrono>

#include "core/text/sentencepiece_model.h"
#include "core/text/tokenizer.h"
#include "core/util/strings.h"
#include "tests/core/text/sentencepiece_samples.h"
#include "tests/core/text/spm_train.h"
#include "tests/core/text/text_test_files.h"
#include "tests/support/test_paths.h"

using namespace sightline;

namespace {

constexpr int kSamplesPerModel = 3000;

void put_varint(std::string& out, uint64_t v) {
    for (; v >= 0x80; v >>= 7) out += static_cast<char>((v & 0x7F) | 0x80);
    out += static_cast<char>(v);
}

std::string varint_field(uint32_t number, uint64_t value) {
    std::string out;
    put_varint(out, static_cast<uint64_t>(number) << 3);
    put_varint(out, value);
    return out;
}

// The same model with extra fields merged into NormalizerSpec (field 3) and TrainerSpec (field 2):
// protobuf merges repeated occurrences of a message field, and so does our reader.
std::string with_overrides(std::string model, const std::string& normalizer,
                           const std::string& trainer = {}) {
    for (const auto& [field, payload] : {std::pair<uint32_t, std::string>{3, normalizer}, {2, trainer}}) {
        if (payload.empty()) continue;
        put_varint(model, (field << 3) | 2);
        put_varint(model, payload.size());
        model += payload;
    }
    return model;
}

std::string show_pieces(const sentencepiece::SentencePieceProcessor& sp, const std::vector<int>& ids) {
    std::vector<std::string> pieces;
    for (const int id : ids) pieces.push_back(sp.IdToPiece(id) + "(" + std::to_string(id) + ")");
    return join(pieces, " ");
}

struct CheckResult {
    int strings = 0, mismatches = 0, decoded = 0, decode_mismatches = 0;
    std::string first_failure;
};

}  // namespace

class TestTokenizerSentencePieceCrosscheck : public QObject {
    Q_OBJECT

  private:
    QTemporaryDir scratch_;
    std::string corpus_;
    std::vector<std::string> samples_;
    int total_strings_ = 0, total_models_ = 0;

    std::string write_model(const std::string& name, const std::string& bytes) {
        const std::string dir = path_join(scratch_.path().toStdString(), name);
        QDir().mkpath(QString::fromStdString(dir));
        const std::string path = path_join(dir, "tokenizer.model");
        test::write_file(path, bytes);
        return path;
    }

    std::string train(const std::string& name, const QStringList& args) {
        std::string error;
        const std::string model =
            test::train_sentencepiece(corpus_, path_join(scratch_.path().toStdString(), name), args, error);
        if (model.empty()) qWarning("%s", error.c_str());
        return model;
    }

    CheckResult check(const std::string& name, const std::string& model_bytes) {
        CheckResult r;
        const std::string path = write_model(name, model_bytes);
        sentencepiece::SentencePieceProcessor sp;
        const auto status = sp.Load(path);
        if (!status.ok()) {
            r.mismatches = 1;
            r.first_failure = "the official library cannot load it: " + status.ToString();
            return r;
        }
        const auto ours = load_tokenizer_file(path);
        const auto model = SentencePieceModel::load_file(path);
        for (const std::string& text : samples_) {
            std::vector<int> expected;
            if (!sp.Encode(text, &expected).ok()) continue;
            const std::vector<int64_t> got64 = ours->encode(text, false);
            const std::vector<int> got(got64.begin(), got64.end());
            ++r.strings;
            if (got != expected) {
                if (r.mismatches++ == 0)
                    r.first_failure = printable(text) + "\n  official: " + show_pieces(sp, expected) +
                                      "\n  ours:     " + show_pieces(sp, got);
                continue;
            }
            // Known differences of our decoder, by design: unknown and control pieces show as their
            // piece text, and only the dummy "▁" is dropped (under remove_extra_whitespaces the library
            // also drops a literal U+2581 that follows it).
            const bool plain = std::none_of(expected.begin(), expected.end(),
                                            [&](int id) { return sp.IsUnknown(id) || sp.IsControl(id); });
            const bool literal_space_symbol = model->normalizer_spec().remove_extra_whitespaces &&
                                              starts_with(model->normalize(text), "\xE2\x96\x81\xE2\x96\x81");
            if (!plain || literal_space_symbol) continue;
            ++r.decoded;
            std::string official;
            sp.Decode(expected, &official);
            if (ours->decode(got64) != official && r.decode_mismatches++ == 0 && r.first_failure.empty())
                r.first_failure = "decode of " + printable(text) + ": official \"" + printable(official) +
                                  "\", ours \"" + printable(ours->decode(got64)) + "\"";
        }
        return r;
    }

    void expect_identical(const std::string& name, const std::string& model_bytes) {
        const CheckResult r = check(name, model_bytes);
        qInfo("%-28s %5d strings, %d id mismatches; %5d decoded, %d decode mismatches", name.c_str(),
              r.strings, r.mismatches, r.decoded, r.decode_mismatches);
        total_strings_ += r.strings;
        ++total_models_;
        QVERIFY2(r.mismatches == 0 && r.decode_mismatches == 0, (name + ": " + r.first_failure).c_str());
        QVERIFY(r.strings > kSamplesPerModel / 2);
    }

    void expect_trained(const std::string& name, const QStringList& args) {
        const std::string model = train(name, args);
        QVERIFY2(!model.empty(), ("spm_train failed for " + name).c_str());
        expect_identical(name, read_text_file(model));
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        test::SampleTextGenerator gen(20240611);
        for (int i = 0; i < kSamplesPerModel - 20; ++i) samples_.push_back(gen.next(i % 10 == 0 ? 120 : 30));
        for (int i = 0; i < 20; ++i) samples_.push_back(gen.next(400));  // long texts
        samples_.push_back("");
        samples_.push_back(" ");
        samples_.push_back("\n");
        samples_.push_back(std::string("a\0b", 3));
        // Training corpus: English-like sentences plus generated text (a different seed), so the models
        // know some but not all characters of the samples.
        std::string corpus;
        const char* colors[] = {"red", "green", "blue", "yellow", "purple"};
        const char* shapes[] = {"circle", "square", "triangle", "star"};
        for (int i = 0; i < 600; ++i) {
            const std::string c = colors[i % 5], s = shapes[(i / 5) % 4];
            corpus += "USER: What color is the " + s + "? ASSISTANT: The " + s + " is " + c + ".\n";
        }
        test::SampleTextGenerator corpus_gen(7);
        for (int i = 0; i < 1500; ++i) {
            std::string line = corpus_gen.next(25);
            std::replace(line.begin(), line.end(), '\n', ' ');
            line.erase(std::remove(line.begin(), line.end(), '\r'), line.end());
            line.erase(std::remove(line.begin(), line.end(), '\0'), line.end());
            corpus += line + "\n";
        }
        corpus_ = path_join(scratch_.path().toStdString(), "corpus.txt");
        test::write_file(corpus_, corpus);
    }

    void llama2() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const std::string model = read_text_file(test::fixture("tokenizers/llama2/tokenizer.model"));
        for (const auto& c : test::read_golden(test::fixture("tokenizers/llama2/golden.json")))
            samples_.push_back(c.text);
        expect_identical("llama2", model);
        // transformers' LlamaTokenizer(legacy=false) loads it with add_dummy_prefix off.
        expect_identical("llama2 no dummy prefix", with_overrides(model, varint_field(3, 0)));
        expect_identical("llama2 remove whitespace", with_overrides(model, varint_field(4, 1)));
    }

    void bpe() {
        const QStringList common = {"--model_type=bpe", "--vocab_size=1500", "--hard_vocab_limit=false",
                                    "--character_coverage=0.995"};
        expect_trained("bpe identity bytes",
                       common + QStringList{"--byte_fallback=true", "--normalization_rule_name=identity"});
        expect_trained("bpe identity unk", common + QStringList{"--normalization_rule_name=identity",
                                                                "--user_defined_symbols=<image>,USER:,aa"});
        expect_trained("bpe nmt_nfkc",
                       common + QStringList{"--control_symbols=<ctrl>", "--split_digits=true"});
        expect_trained(
            "bpe suffix",
            common + QStringList{"--treat_whitespace_as_suffix=true", "--byte_fallback=true",
                                 "--normalization_rule_name=identity", "--remove_extra_whitespaces=false"});
    }

    void unigram() {
        const QStringList common = {"--model_type=unigram", "--vocab_size=1500", "--hard_vocab_limit=false",
                                    "--character_coverage=0.995"};
        expect_trained("unigram identity bytes",
                       common + QStringList{"--byte_fallback=true", "--normalization_rule_name=identity"});
        expect_trained(
            "unigram identity unk",
            common + QStringList{"--normalization_rule_name=identity", "--remove_extra_whitespaces=false",
                                 "--user_defined_symbols=<image>,USER:,aa"});
        expect_trained("unigram nmt_nfkc", common + QStringList{"--split_digits=true"});
        expect_trained("unigram nfkc_cf bytes",
                       common + QStringList{"--normalization_rule_name=nfkc_cf", "--byte_fallback=true"});
    }

    void wordAndChar() {
        expect_trained("word", {"--model_type=word", "--vocab_size=2000", "--hard_vocab_limit=false"});
        expect_trained("char", {"--model_type=char", "--vocab_size=2000", "--hard_vocab_limit=false",
                                "--normalization_rule_name=identity"});
    }

    // Normalizer flags the trainer rarely writes, merged into a trained nmt_nfkc model.
    void normalizerVariants() {
        const std::string model =
            train("variants", {"--model_type=unigram", "--vocab_size=1500", "--character_coverage=0.995",
                               "--hard_vocab_limit=false", "--byte_fallback=true"});
        QVERIFY(!model.empty());
        const std::string bytes = read_text_file(model);
        expect_identical("nfkc no dummy prefix", with_overrides(bytes, varint_field(3, 0)));
        expect_identical("nfkc keep whitespace", with_overrides(bytes, varint_field(4, 0)));
        expect_identical("nfkc no escaping", with_overrides(bytes, varint_field(5, 0)));
        expect_identical("nfkc whitespace suffix", with_overrides(bytes, {}, varint_field(24, 1)));
    }

    void encodeSpeed() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const std::string path = test::fixture("tokenizers/llama2/tokenizer.model");
        std::string prompt;
        test::SampleTextGenerator gen(99);
        while (prompt.size() < 1000)
            prompt += "USER: What is shown in the picture? Describe the " + gen.next(6) + ". ";
        prompt.resize(1000);
        while (!is_valid_utf8(prompt)) prompt.pop_back();
        const auto ours = SentencePieceModel::load_file(path);
        sentencepiece::SentencePieceProcessor sp;
        QVERIFY(sp.Load(path).ok());
        std::size_t tokens = 0;  // keeps the work observable
        const auto time_us = [&](const auto& encode) {
            constexpr int kRuns = 300;
            const auto start = std::chrono::steady_clock::now();
            for (int i = 0; i < kRuns; ++i) tokens += encode();
            const auto end = std::chrono::steady_clock::now();
            return std::chrono::duration<double, std::micro>(end - start).count() / kRuns;
        };
        const double ours_us = time_us([&] { return ours->encode(prompt).size(); });
        const double official_us = time_us([&] {
            std::vector<int> ids;
            sp.Encode(prompt, &ids);
            return ids.size();
        });
        QVERIFY(tokens > 0);
        qInfo("encode %zu bytes (%zu tokens) with Llama-2: ours %.1f us, libsentencepiece %.1f us",
              prompt.size(), ours->encode(prompt).size(), ours_us, official_us);
        QVERIFY2(ours_us < 5000, "encoding a 1000-character prompt took more than 5 ms");
    }

    void cleanupTestCase() {
        qInfo("cross-checked %d strings on %d models against libsentencepiece", total_strings_,
              total_models_);
    }
};

QTEST_APPLESS_MAIN(TestTokenizerSentencePieceCrosscheck)
#include "test_tokenizer_sentencepiece_crosscheck.moc"
