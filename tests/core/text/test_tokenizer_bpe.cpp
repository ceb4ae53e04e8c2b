// Byte-level BPE from tokenizer.json: a tiny hand-made tokenizer checked by hand (both merges formats,
// added tokens, NFC) and the real Qwen tokenizer against golden ids.
#include <QTemporaryDir>
#include <QtTest>

#include "core/text/tokenizer.h"
#include "core/text/utf8.h"
#include "core/util/stopwatch.h"
#include "core/util/strings.h"
#include "tests/core/text/text_test_files.h"
#include "tests/support/test_paths.h"

using namespace sightline;

namespace {

const char* kQwenPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Vocabulary: single byte-level characters, then merge results. "Ġ" is a space, "Ã" "©" the bytes of "é".
const std::vector<std::string> kPieces = {
    "h",  "e",  "l",    "o",     "w",  "r",  "d",    "!",  "Ġ",      "Ã", "©",  // 0-10
    "he", "ll", "hell", "hello", "Ġw", "or", "Ġwor", "ld", "Ġworld", "Ã©"};
const std::vector<std::pair<std::string, std::string>> kMerges = {
    {"h", "e"}, {"l", "l"},   {"he", "ll"}, {"hell", "o"},  {"Ġ", "w"},
    {"o", "r"}, {"Ġw", "or"}, {"l", "d"},   {"Ġwor", "ld"}, {"Ã", "©"}};

int64_t id_of(const std::string& piece) {
    return std::find(kPieces.begin(), kPieces.end(), piece) - kPieces.begin();
}

nlohmann::json tiny_tokenizer_json(bool merges_as_pairs, bool split_regex) {
    nlohmann::json j;
    j["version"] = "1.0";
    j["normalizer"] = {{"type", "NFC"}};
    if (split_regex)
        j["pre_tokenizer"] = {{"type", "Sequence"},
                              {"pretokenizers",
                               {{{"type", "Split"},
                                 {"pattern", {{"Regex", kQwenPattern}}},
                                 {"behavior", "Isolated"},
                                 {"invert", false}},
                                {{"type", "ByteLevel"},
                                 {"add_prefix_space", false},
                                 {"trim_offsets", false},
                                 {"use_regex", false}}}}};
    else
        j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}};
    j["decoder"] = {{"type", "ByteLevel"}};
    j["added_tokens"] = {{{"id", 100},
                          {"content", "<|end|>"},
                          {"special", true},
                          {"lstrip", false},
                          {"rstrip", false},
                          {"normalized", false},
                          {"single_word", false}},
                         {{"id", 101},
                          {"content", "<x>"},
                          {"special", false},
                          {"lstrip", false},
                          {"rstrip", false},
                          {"normalized", false},
                          {"single_word", false}}};
    nlohmann::json vocab = nlohmann::json::object();
    for (std::size_t i = 0; i < kPieces.size(); ++i) vocab[kPieces[i]] = i;
    nlohmann::json merges = nlohmann::json::array();
    for (const auto& [a, b] : kMerges) {
        if (merges_as_pairs)
            merges.push_back({a, b});
        else
            merges.push_back(a + " " + b);
    }
    j["model"] = {
        {"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"vocab", vocab}, {"merges", merges}};
    return j;
}

}  // namespace

class TestTokenizerBpe : public QObject {
    Q_OBJECT

  private:
    QTemporaryDir scratch_;

    std::unique_ptr<Tokenizer> tiny(const std::string& name, bool pairs, bool split_regex,
                                    const std::string& config = "") {
        const std::string dir = path_join(scratch_.path().toStdString(), name);
        QDir().mkpath(QString::fromStdString(dir));
        test::write_file(path_join(dir, "tokenizer.json"), tiny_tokenizer_json(pairs, split_regex).dump());
        if (!config.empty()) test::write_file(path_join(dir, "tokenizer_config.json"), config);
        return load_tokenizer(dir);
    }

  private Q_SLOTS:
    void tinyByHand_data() {
        QTest::addColumn<bool>("pairs");
        QTest::addColumn<bool>("split_regex");
        QTest::newRow("strings, Split+ByteLevel") << false << true;
        QTest::newRow("pairs, Split+ByteLevel") << true << true;
        QTest::newRow("strings, ByteLevel regex") << false << false;
        QTest::newRow("pairs, ByteLevel regex") << true << false;
    }

    void tinyByHand() {
        QFETCH(bool, pairs);
        QFETCH(bool, split_regex);
        const auto t =
            tiny(std::string(pairs ? "pairs" : "strings") + (split_regex ? "_split" : "_bytelevel"), pairs,
                 split_regex);
        QVERIFY(t);
        QCOMPARE(t->kind(), std::string("bpe"));
        QCOMPARE(t->vocab_size(), int64_t{102});
        using Ids = std::vector<int64_t>;
        QCOMPARE(t->encode("hello world!", false), (Ids{id_of("hello"), id_of("Ġworld"), id_of("!")}));
        QCOMPARE(t->encode("hellohello", false), (Ids{id_of("hello"), id_of("hello")}));
        QCOMPARE(t->encode("helo", false), (Ids{id_of("he"), id_of("l"), id_of("o")}));
        QCOMPARE(t->encode("world", false), (Ids{id_of("w"), id_of("or"), id_of("ld")}));
        // Added tokens are matched before anything else; "special" decides what decode may skip.
        const Ids ids = t->encode("hello<|end|> world<x>!", false);
        QCOMPARE(ids, (Ids{id_of("hello"), 100, id_of("Ġworld"), 101, id_of("!")}));
        QCOMPARE(t->decode(ids), std::string("hello<|end|> world<x>!"));
        QCOMPARE(t->decode(ids, true), std::string("hello world<x>!"));
        QVERIFY(t->is_special(100) && !t->is_special(101) && !t->is_special(0));
        // NFC: a decomposed "é" (e + U+0301) encodes like the composed one.
        QCOMPARE(t->encode("e\xCC\x81", false), (Ids{id_of("Ã©")}));
        QCOMPARE(t->encode("\xC3\xA9", false), (Ids{id_of("Ã©")}));
        QCOMPARE(t->decode({id_of("Ã©")}), std::string("\xC3\xA9"));
        QCOMPARE(t->token_text(id_of("Ã")), std::string("<0xC3>"));
        QCOMPARE(t->token_text(id_of("Ġworld")), std::string(" world"));
        QCOMPARE(t->piece(id_of("Ġworld")), std::string("Ġworld"));
        QCOMPARE(t->decode({id_of("Ã")}), std::string("\xEF\xBF\xBD"));  // a lone lead byte
        QCOMPARE(t->token_id("<x>"), std::optional<int64_t>(101));
        QCOMPARE(t->token_id("Ġwor"), std::optional<int64_t>(id_of("Ġwor")));
        QVERIFY(!t->token_id("zzz").has_value());
        QVERIFY_THROWS_EXCEPTION(Error, t->decode({102}));
        QVERIFY_THROWS_EXCEPTION(Error, t->piece(50));  // a hole between the vocab and the added tokens
        // No config: no BOS/EOS are added.
        QCOMPARE(t->encode("hello", true), (Ids{id_of("hello")}));
    }

    void tinyWithConfig() {
        nlohmann::json c;
        c["add_bos_token"] = true;
        c["bos_token"] = "<|end|>";
        c["eos_token"] = {{"content", "<|end|>"}, {"special", true}};
        c["pad_token"] = nullptr;
        const auto t = tiny("configured", false, true, c.dump());
        QCOMPARE(t->special_ids().bos, int64_t{100});
        QCOMPARE(t->special_ids().eos, int64_t{100});
        QCOMPARE(t->special_ids().pad, int64_t{-1});
        QCOMPARE(t->encode("hello", true), (std::vector<int64_t>{100, id_of("hello")}));
        QCOMPARE(t->encode("hello", false), (std::vector<int64_t>{id_of("hello")}));
    }

    void addedTokenStripFlags() {
        auto j = tiny_tokenizer_json(false, true);
        j["added_tokens"].push_back({{"id", 102}, {"content", "<l>"}, {"special", true}, {"lstrip", true}});
        j["added_tokens"].push_back({{"id", 103}, {"content", "<r>"}, {"special", true}, {"rstrip", true}});
        j["added_tokens"].push_back(
            {{"id", 104}, {"content", "ll"}, {"special", false}, {"single_word", true}});
        const std::string dir = path_join(scratch_.path().toStdString(), "strip");
        QDir().mkpath(QString::fromStdString(dir));
        test::write_file(path_join(dir, "tokenizer.json"), j.dump());
        const auto t = load_tokenizer(dir);
        using Ids = std::vector<int64_t>;
        QCOMPARE(t->encode("hello  <l>", false), (Ids{id_of("hello"), 102}));
        QCOMPARE(t->encode("<r>  hello", false), (Ids{103, id_of("hello")}));
        QCOMPARE(t->encode("hello <r> hello", false), (Ids{id_of("hello"), id_of("Ġ"), 103, id_of("hello")}));
        // single_word: "ll" inside "hello" is not the added token, a lone "ll" is.
        QCOMPARE(t->encode("hello ll", false), (Ids{id_of("hello"), id_of("Ġ"), 104}));
    }

    void qwenPathologicalInputs() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const auto t = load_tokenizer(test::fixture("tokenizers/qwen"));
        const std::vector<std::string> texts = {std::string(200000, ' '), std::string(200000, 'a'),
                                                std::string(100000, '7'), std::string(50000, '\n') + "x",
                                                " \t \n" + std::string(100000, '\t') + "end"};
        for (const auto& text : texts) {
            Stopwatch watch;
            const auto ids = t->encode(text, false);
            QVERIFY(!ids.empty());
            QCOMPARE(t->decode(ids), text);
            qInfo("%zu bytes -> %zu tokens in %.1f ms", text.size(), ids.size(), watch.elapsed_ms());
        }
    }

    void qwenGolden() {
        SIGHTLINE_REQUIRE_FIXTURES();
        Stopwatch watch;
        const auto t = load_tokenizer(test::fixture("tokenizers/qwen"));
        const double load_ms = watch.elapsed_ms();
        qInfo("Qwen tokenizer.json loaded in %.0f ms", load_ms);
        QVERIFY(t);
        QCOMPARE(t->kind(), std::string("bpe"));
        QCOMPARE(t->vocab_size(), int64_t{151669});
        for (const auto& c : test::read_golden(test::fixture("tokenizers/qwen/golden.json"))) {
            const auto ids = t->encode(c.text, false);
            QVERIFY2(ids == c.ids, qPrintable(QString::fromStdString(printable(c.text))));
            QCOMPARE(t->decode(ids), c.text);
            for (const int64_t id : ids) {
                const std::string shown = t->token_text(id);
                QVERIFY2(is_valid_utf8(shown), shown.c_str());
            }
            QCOMPARE(t->encode(c.text, false), c.ids);  // second time through the word cache
        }
    }

    void qwenSpecialTokens() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const auto t = load_tokenizer_file(test::fixture("tokenizers/qwen/tokenizer.json"));
        QCOMPARE(t->special_ids().bos, int64_t{-1});
        QCOMPARE(t->special_ids().eos, int64_t{151645});
        QCOMPARE(t->special_ids().pad, int64_t{151643});
        QCOMPARE(t->special_ids().unk, int64_t{-1});
        QVERIFY(t->is_special(151644) && !t->is_special(151657));          // <|im_start|>, <tool_call>
        QCOMPARE(t->encode("Hello", true), (std::vector<int64_t>{9707}));  // add_bos_token false
        QCOMPARE(t->piece(198), std::string("Ċ"));
        QCOMPARE(t->token_text(198), std::string("\n"));
        QCOMPARE(t->token_text(151644), std::string("<|im_start|>"));
        const auto ids = t->encode("<|im_start|>user\nHi<|im_end|>", false);
        QCOMPARE(t->decode(ids, true), std::string("user\nHi"));
        // Emoji bytes split across tokens show as hex but decode whole.
        const auto emoji = t->encode("\xF0\x9F\x98\x80\xF0\x9F\x8E\x89", false);
        QCOMPARE(t->decode(emoji), std::string("\xF0\x9F\x98\x80\xF0\x9F\x8E\x89"));
    }

    void qwenLongText() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const auto t = load_tokenizer(test::fixture("tokenizers/qwen"));
        std::string text;
        for (int i = 0; i < 2000; ++i)
            text += "The quick brown fox number " + std::to_string(i) + " jumps.\n";
        Stopwatch watch;
        const auto ids = t->encode(text, false);
        qInfo("encoded %zu bytes into %zu tokens in %.1f ms", text.size(), ids.size(), watch.elapsed_ms());
        QCOMPARE(t->decode(ids), text);
    }
};

QTEST_APPLESS_MAIN(TestTokenizerBpe)
#include "test_tokenizer_bpe.moc"
