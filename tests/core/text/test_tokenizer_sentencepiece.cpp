// SentencePiece tokenizer: the real Llama-2 model against golden ids from the official library, the
// transformers LlamaTokenizer legacy=false rules, and a tiny model trained here (no fixtures needed).
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

#include "core/text/tokenizer.h"
#include "core/text/utf8.h"
#include "core/util/strings.h"
#include "tests/core/text/spm_train.h"
#include "tests/core/text/text_test_files.h"
#include "tests/support/test_paths.h"

using namespace sightline;

namespace {

std::vector<std::string> pieces_of(const Tokenizer& t, const std::vector<int64_t>& ids) {
    std::vector<std::string> out;
    for (const int64_t id : ids) out.push_back(t.piece(id));
    return out;
}

QString show(const std::vector<std::string>& pieces) {
    return QString::fromStdString(join(pieces, " | "));
}

// tokenizer_config.json of llava-1.5-hf, reduced to what the tokenizer reads.
std::string llava_config(bool legacy, int64_t image_id) {
    nlohmann::json c;
    c["legacy"] = legacy;
    c["add_bos_token"] = true;
    c["add_eos_token"] = false;
    c["bos_token"] = "<s>";
    c["eos_token"] = "</s>";
    c["unk_token"] = "<unk>";
    c["added_tokens_decoder"][std::to_string(image_id)] = {{"content", "<image>"}, {"special", true},
                                                           {"lstrip", false},      {"rstrip", false},
                                                           {"normalized", false},  {"single_word", false}};
    return c.dump(2);
}

// A serialized ModelProto written by hand: pieces {text, score, type}, then trainer / normalizer fields.
struct HandPiece {
    std::string text;
    float score;
    int type;  // 1 normal, 2 unknown, 3 control
};

void put_varint(std::string& out, uint64_t v) {
    for (; v >= 0x80; v >>= 7) out += static_cast<char>((v & 0x7F) | 0x80);
    out += static_cast<char>(v);
}

void put_bytes(std::string& out, uint32_t field, const std::string& payload) {
    put_varint(out, (field << 3) | 2);
    put_varint(out, payload.size());
    out += payload;
}

std::string hand_model(const std::vector<HandPiece>& pieces, int model_type) {
    std::string out;
    for (const auto& p : pieces) {
        std::string entry;
        put_bytes(entry, 1, p.text);
        uint32_t bits = 0;
        std::memcpy(&bits, &p.score, 4);
        entry += static_cast<char>((2 << 3) | 5);
        for (int i = 0; i < 4; ++i) entry += static_cast<char>((bits >> (8 * i)) & 0xFF);
        put_varint(entry, 3 << 3);
        put_varint(entry, static_cast<uint64_t>(p.type));
        put_bytes(out, 1, entry);
    }
    std::string trainer;
    put_varint(trainer, 3 << 3);
    put_varint(trainer, static_cast<uint64_t>(model_type));
    put_bytes(out, 2, trainer);
    std::string normalizer;
    put_bytes(normalizer, 1, "identity");
    put_bytes(out, 3, normalizer);
    return out;
}

}  // namespace

class TestTokenizerSentencePiece : public QObject {
    Q_OBJECT

  private:
    QTemporaryDir scratch_;
    std::string trained_model_;  // tokenizer.model trained in initTestCase
    int64_t trained_size_ = 0;

    std::unique_ptr<Tokenizer> trained_with_config(const std::string& name, const std::string* config) {
        const std::string dir = path_join(scratch_.path().toStdString(), name);
        QDir().mkpath(QString::fromStdString(dir));
        test::copy_file(trained_model_, path_join(dir, "tokenizer.model"));
        if (config) test::write_file(path_join(dir, "tokenizer_config.json"), *config);
        return load_tokenizer(dir);
    }

    std::unique_ptr<Tokenizer> llama_with_config(const std::string& name, bool legacy) {
        const std::string dir = path_join(scratch_.path().toStdString(), name);
        QDir().mkpath(QString::fromStdString(dir));
        test::copy_file(test::fixture("tokenizers/llama2/tokenizer.model"),
                        path_join(dir, "tokenizer.model"));
        test::write_file(path_join(dir, "tokenizer_config.json"), llava_config(legacy, 32000));
        return load_tokenizer(dir);
    }

  private Q_SLOTS:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        const std::string dir = scratch_.path().toStdString();
        std::string corpus;
        const char* colors[] = {"red", "green", "blue", "yellow", "purple"};
        const char* shapes[] = {"circle", "square", "triangle", "star"};
        for (int i = 0; i < 400; ++i) {
            const std::string c = colors[i % 5], s = shapes[(i / 5) % 4];
            corpus += "USER: What color is the " + s + "? ASSISTANT: The " + s + " is " + c + ".\n";
            corpus += "What is it? It is a " + c + " " + s + " near the " + shapes[i % 4] + ".\n";
        }
        test::write_file(path_join(dir, "corpus.txt"), corpus);
        std::string error;
        trained_model_ = test::train_sentencepiece(
            path_join(dir, "corpus.txt"), path_join(dir, "tiny"),
            {"--vocab_size=320", "--model_type=bpe", "--byte_fallback=true", "--character_coverage=1.0",
             "--normalization_rule_name=identity", "--remove_extra_whitespaces=false",
             "--hard_vocab_limit=false", "--unk_id=0", "--bos_id=1", "--eos_id=2", "--pad_id=-1"},
            error);
        QVERIFY2(!trained_model_.empty(), error.c_str());
        const auto plain = load_tokenizer_file(trained_model_);
        QVERIFY(plain);
        trained_size_ = plain->vocab_size();
    }

    void llama2Golden() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const auto t = load_tokenizer_file(test::fixture("tokenizers/llama2/tokenizer.model"));
        QCOMPARE(t->kind(), std::string("sentencepiece"));
        QCOMPARE(t->vocab_size(), int64_t{32000});
        for (const auto& c : test::read_golden(test::fixture("tokenizers/llama2/golden.json"))) {
            const auto ids = t->encode(c.text, false);
            QVERIFY2(ids == c.ids, qPrintable(QString::fromStdString(printable(c.text)) + " -> " +
                                              show(pieces_of(*t, ids))));
            QCOMPARE(t->decode(ids), c.text);
            for (const int64_t id : ids) {
                const std::string shown = t->token_text(id);
                QVERIFY2(is_valid_utf8(shown), shown.c_str());
            }
        }
        QCOMPARE(t->token_text(13), std::string("\n"));       // <0x0A>
        QCOMPARE(t->token_text(243), std::string("<0xF0>"));  // a lead byte alone
        QCOMPARE(t->token_text(15043), std::string(" Hello"));
        QCOMPARE(t->piece(15043), std::string("\xE2\x96\x81Hello"));
    }

    void llama2SpecialTokens() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const auto t = load_tokenizer(test::fixture("tokenizers/llama2"));
        QVERIFY(t);
        QCOMPARE(t->special_ids().bos, int64_t{1});
        QCOMPARE(t->special_ids().eos, int64_t{2});
        QCOMPARE(t->special_ids().unk, int64_t{0});
        QCOMPARE(t->special_ids().pad, int64_t{-1});
        QVERIFY(t->is_special(1) && t->is_special(2) && !t->is_special(15043));
        const auto ids = t->encode("Hello", true);
        QCOMPARE(ids, (std::vector<int64_t>{1, 15043}));
        QCOMPARE(t->decode(ids, true), std::string("Hello"));
        QCOMPARE(t->token_id("\xE2\x96\x81Hello"), std::optional<int64_t>(15043));
        QVERIFY(!t->token_id("no-such-piece-xyz").has_value());
        QVERIFY_THROWS_EXCEPTION(Error, t->piece(32000));
    }

    // llava-1.5-hf: legacy=false, <image> = 32000. transformers' LlamaTokenizer gives exactly these pieces
    // ("USER" is "▁US" "ER" in the Llama-2 vocabulary: ids 3148 1001).
    void llavaLegacyFalse() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const auto t = llama_with_config("llava_nonlegacy", false);
        QCOMPARE(t->vocab_size(), int64_t{32001});
        QCOMPARE(t->token_id("<image>"), std::optional<int64_t>(32000));
        QVERIFY(t->is_special(32000));
        const std::string text = "USER: <image>\nWhat";
        const auto ids = t->encode(text, false);
        const std::vector<std::string> expected = {"\xE2\x96\x81US", "ER",     ":",   "\xE2\x96\x81",
                                                   "<image>",        "<0x0A>", "What"};
        QVERIFY2(pieces_of(*t, ids) == expected, qPrintable(show(pieces_of(*t, ids))));
        QCOMPARE(t->decode(ids), text);
        const auto with_bos = t->encode(text, true);
        QCOMPARE(with_bos.front(), int64_t{1});
        QCOMPARE(with_bos.size(), ids.size() + 1);
        // A text that starts with a special token gets no dummy "▁" in front of it.
        const auto leading = t->encode("<image>\nHi", false);
        QCOMPARE(leading.front(), int64_t{32000});
        QCOMPARE(t->decode(leading), std::string("<image>\nHi"));
        QCOMPARE(t->decode(leading, true), std::string("\nHi"));
        // Without special tokens legacy=false changes nothing.
        for (const auto& c : test::read_golden(test::fixture("tokenizers/llama2/golden.json")))
            if (c.text.find('<') == std::string::npos) QVERIFY(t->encode(c.text, false) == c.ids);
    }

    void llavaLegacyTrue() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const auto t = llama_with_config("llava_legacy", true);
        const std::string text = "USER: <image>\nWhat";
        const auto ids = t->encode(text, false);
        // Every segment is encoded as SentencePiece does: a dummy "▁" after <image> as well.
        const std::vector<std::string> expected = {"\xE2\x96\x81US", "ER",           ":",      "\xE2\x96\x81",
                                                   "<image>",        "\xE2\x96\x81", "<0x0A>", "What"};
        QVERIFY2(pieces_of(*t, ids) == expected, qPrintable(show(pieces_of(*t, ids))));
        QCOMPARE(t->decode(ids), text);
    }

    void trainedModelPlain() {
        const auto t = load_tokenizer_file(trained_model_);
        QVERIFY(trained_size_ > 256);
        const std::string text = "What color is the circle?";
        const auto ids = t->encode(text, false);
        QVERIFY(!ids.empty());
        QVERIFY(starts_with(t->piece(ids.front()), "\xE2\x96\x81"));  // dummy prefix
        QCOMPARE(t->decode(ids), text);
        // No config: "<image>" is plain text for SentencePiece.
        const auto image = t->encode("<image>", false);
        QVERIFY(image.size() > 1);
        QCOMPARE(t->decode(image), std::string("<image>"));
    }

    void trainedModelLegacyFalse() {
        const std::string config = llava_config(false, trained_size_);
        const auto t = trained_with_config("trained_nonlegacy", &config);
        const auto plain = load_tokenizer_file(trained_model_);
        const int64_t image = trained_size_;
        QCOMPARE(t->vocab_size(), trained_size_ + 1);
        QCOMPARE(t->token_id("<image>"), std::optional<int64_t>(image));
        QCOMPARE(t->piece(image), std::string("<image>"));
        QCOMPARE(t->token_text(image), std::string("<image>"));

        const std::string text = "USER: <image>\nWhat is it?";
        const auto ids = t->encode(text, false);
        const auto at = std::find(ids.begin(), ids.end(), image);
        QVERIFY(at != ids.end() && at != ids.begin() && at + 2 < ids.end());
        QCOMPARE(t->piece(*(at - 1)), std::string("\xE2\x96\x81"));
        QCOMPARE(t->piece(*(at + 1)), std::string("<0x0A>"));
        QCOMPARE(t->token_text(*(at + 1)), std::string("\n"));
        QVERIFY2(!starts_with(t->piece(*(at + 2)), "\xE2\x96\x81"), t->piece(*(at + 2)).c_str());
        QCOMPARE(t->decode(ids), text);
        QCOMPARE(t->decode(ids, true), std::string("USER: \nWhat is it?"));

        // Text without added tokens: identical to plain SentencePiece.
        QVERIFY(t->encode("What color is the star?", false) ==
                plain->encode("What color is the star?", false));
        // A leading special token: no lone "▁" in front.
        const auto leading = t->encode("<image> What", false);
        QCOMPARE(leading.front(), image);
        QCOMPARE(t->decode(leading), std::string("<image> What"));
        // BOS per add_bos_token.
        QCOMPARE(t->encode("What", true).front(), t->special_ids().bos);
        QCOMPARE(t->special_ids().bos, int64_t{1});
        QCOMPARE(t->encode("", false), std::vector<int64_t>{});
        QCOMPARE(t->encode("", true), std::vector<int64_t>{1});
    }

    void trainedModelLegacyTrue() {
        const std::string config = llava_config(true, trained_size_);
        const auto t = trained_with_config("trained_legacy", &config);
        const int64_t image = trained_size_;
        const std::string text = "USER: <image>\nWhat is it?";
        const auto ids = t->encode(text, false);
        const auto at = std::find(ids.begin(), ids.end(), image);
        QVERIFY(at != ids.end() && at + 2 < ids.end());
        QCOMPARE(t->piece(*(at + 1)), std::string("\xE2\x96\x81"));
        QCOMPARE(t->piece(*(at + 2)), std::string("<0x0A>"));
        QCOMPARE(t->decode(ids), text);
    }

    // Small models written by hand check the merge order, unknown runs, Unigram scores and load errors
    // without fixtures or the trainer.
    void handBuiltModels() {
        const std::string dir = path_join(scratch_.path().toStdString(), "hand");
        QDir().mkpath(QString::fromStdString(dir));
        const std::string path = path_join(dir, "tokenizer.model");
        const std::string s = "\xE2\x96\x81";  // "▁"
        const auto encode = [&](const std::vector<HandPiece>& pieces, int type, const std::string& text) {
            test::write_file(path, hand_model(pieces, type));
            const auto t = load_tokenizer_file(path);
            return pieces_of(*t, t->encode(text, false));
        };
        using Pieces = std::vector<std::string>;
        std::vector<HandPiece> bpe = {{"<unk>", 0, 2}, {"<s>", 0, 3}, {"</s>", 0, 3},   {s, -1, 1},
                                      {"a", -2, 1},    {"b", -3, 1},  {s + "a", -4, 1}, {"ab", -5, 1}};
        // "▁a" outscores "ab": the leftmost "▁a" merges first, then the second one.
        QCOMPARE(encode(bpe, 2, "ab a"), (Pieces{s + "a", "b", s + "a"}));
        bpe[7].score = -0.5f;  // now "ab" wins
        QCOMPARE(encode(bpe, 2, "ab a"), (Pieces{s, "ab", s + "a"}));
        // A run of unknown characters is one unk (no byte fallback in this model).
        QCOMPARE(encode(bpe, 2, "a cc"), (Pieces{s + "a", s, "<unk>"}));
        // Unigram: the best total score wins; on a tie the piece found first ("▁"+"ab" = "▁"+"a"+"b" = -6).
        bpe[7].score = -5.0f;
        QCOMPARE(encode(bpe, 1, "ab"), (Pieces{s, "ab"}));
        bpe[4].score = -10.0f;  // "▁a"+"b" = -7 beats "▁"+"ab" = -8 and "▁"+"a"+"b" = -14
        bpe[7].score = -7.0f;
        QCOMPARE(encode(bpe, 1, "ab"), (Pieces{s + "a", "b"}));

        const auto error = [&](const std::string& bytes) {
            test::write_file(path, bytes);
            try {
                load_tokenizer_file(path);
            } catch (const Error& e) {
                return std::string(e.what());
            }
            return std::string();
        };
        const std::string no_unk = error(hand_model({{"a", 0, 1}}, 2));
        QVERIFY2(no_unk.find(path) != std::string::npos && no_unk.find("unknown") != std::string::npos,
                 no_unk.c_str());
        const std::string twice = error(hand_model({{"<unk>", 0, 2}, {"a", 0, 1}, {"a", 0, 1}}, 2));
        QVERIFY2(twice.find("defined twice") != std::string::npos, twice.c_str());
        std::string bad_charsmap = hand_model({{"<unk>", 0, 2}}, 2);
        std::string normalizer;
        put_bytes(normalizer, 2, std::string("\x40\0\0\0xy", 6));
        put_bytes(bad_charsmap, 3, normalizer);
        const std::string charsmap = error(bad_charsmap);
        QVERIFY2(charsmap.find(path) != std::string::npos &&
                     charsmap.find("precompiled_charsmap") != std::string::npos,
                 charsmap.c_str());
    }

    void addBosFalse() {
        nlohmann::json c;
        c["add_bos_token"] = false;
        c["add_eos_token"] = true;
        const std::string config = c.dump();
        const auto t = trained_with_config("trained_nobos", &config);
        const auto ids = t->encode("What", true);
        QVERIFY(ids.front() != 1);
        QCOMPARE(ids.back(), int64_t{2});
    }
};

QTEST_APPLESS_MAIN(TestTokenizerSentencePiece)
#include "test_tokenizer_sentencepiece.moc"
