// tokenizer.json beyond byte-level BPE: the real Gemma 3 (BPE with byte fallback, "▁" normalizer, thousands
// of added tokens) and Llama 3 (byte-level BPE, ignore_merges) files against golden ids, decoded text and
// BOS insertion, then small hand-made files for every supported component and for the errors that name
// what is not supported.
#include <QTemporaryDir>
#include <QtTest>

#include <map>

#include "core/text/tokenizer.h"
#include "core/text/utf8.h"
#include "core/util/error.h"
#include "core/util/stopwatch.h"
#include "core/util/strings.h"
#include "tests/core/text/text_test_files.h"
#include "tests/support/error_of.h"
#include "tests/support/test_paths.h"

using namespace sightline;
using test::error_of;
using Ids = std::vector<int64_t>;
using nlohmann::json;

namespace {

const std::string kMeta = "\xE2\x96\x81";  // "▁"

struct GoldenEntry {
    std::string text;
    Ids ids, ids_special;
    std::string decoded;
};

std::vector<GoldenEntry> read_full_golden(const std::string& path) {
    const auto j = json::parse(read_text_file(path));
    std::vector<GoldenEntry> out;
    for (const auto& item : j)
        out.push_back({item.at("text").get<std::string>(), item.at("ids").get<Ids>(),
                       item.at("ids_add_special_tokens").get<Ids>(), item.at("decoded").get<std::string>()});
    return out;
}

// A tokenizer.json with the vocabulary `pieces` (id = position) and `merges`; the other parts are
// null until a test sets them.
json make_json(const std::vector<std::string>& pieces,
               const std::vector<std::pair<std::string, std::string>>& merges) {
    json vocab = json::object();
    for (std::size_t i = 0; i < pieces.size(); ++i) vocab[pieces[i]] = i;
    json m = json::array();
    for (const auto& [a, b] : merges) m.push_back({a, b});
    json j;
    j["version"] = "1.0";
    j["truncation"] = nullptr;
    j["padding"] = nullptr;
    j["added_tokens"] = json::array();
    j["normalizer"] = nullptr;
    j["pre_tokenizer"] = nullptr;
    j["post_processor"] = nullptr;
    j["decoder"] = nullptr;
    j["model"] = {
        {"type", "BPE"},          {"dropout", nullptr},     {"unk_token", nullptr}, {"fuse_unk", false},
        {"byte_fallback", false}, {"ignore_merges", false}, {"vocab", vocab},       {"merges", m}};
    return j;
}

json added_token(int64_t id, const std::string& content, bool special, bool normalized = false) {
    return {{"id", id},        {"content", content},       {"single_word", false}, {"lstrip", false},
            {"rstrip", false}, {"normalized", normalized}, {"special", special}};
}

json replace(const std::string& from, const std::string& to) {
    return {{"type", "Replace"}, {"pattern", {{"String", from}}}, {"content", to}};
}

// SentencePiece-style vocabulary (as Llama 2 / Gemma tokenizer.json files): <unk> <s> </s>, the 256
// byte pieces <0x00>..<0xFF> at 3..258, then a few pieces.
std::vector<std::string> sp_pieces() {
    std::vector<std::string> p = {"<unk>", "<s>", "</s>"};
    for (int b = 0; b < 256; ++b) p.push_back(hex_byte_piece(static_cast<unsigned char>(b)));
    for (const std::string& s : {kMeta, std::string("h"), std::string("i"), kMeta + "h", kMeta + "hi",
                                 std::string("\xC3\xA9"), std::string("x")})
        p.push_back(s);
    return p;
}
constexpr int64_t kByte0 = 3, kMetaId = 259, kI = 261, kMetaH = 262, kMetaHi = 263, kEAcute = 264;

json sp_json() {
    json j = make_json(sp_pieces(), {{kMeta, "h"}, {kMeta + "h", "i"}});
    j["added_tokens"] = {added_token(0, "<unk>", true), added_token(1, "<s>", true),
                         added_token(2, "</s>", true)};
    j["normalizer"] = {{"type", "Sequence"},
                       {"normalizers", {{{"type", "Prepend"}, {"prepend", kMeta}}, replace(" ", kMeta)}}};
    j["decoder"] = {{"type", "Sequence"},
                    {"decoders",
                     {replace(kMeta, " "),
                      {{"type", "ByteFallback"}},
                      {{"type", "Fuse"}},
                      {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}};
    j["post_processor"] = {{"type", "TemplateProcessing"},
                           {"single",
                            {{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                             {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                             {{"SpecialToken", {{"id", "</s>"}, {"type_id", 0}}}}}},
                           {"pair", json::array()},
                           {"special_tokens",
                            {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}},
                             {"</s>", {{"id", "</s>"}, {"ids", {2}}, {"tokens", {"</s>"}}}}}}};
    j["model"]["unk_token"] = "<unk>";
    j["model"]["byte_fallback"] = true;
    j["model"]["fuse_unk"] = true;
    return j;
}

}  // namespace

class TestTokenizerJson : public QObject {
    Q_OBJECT

  private:
    QTemporaryDir scratch_;
    std::map<std::string, std::unique_ptr<Tokenizer>> real_;
    int counter_ = 0;

    // Writes `j` (or raw text) as tokenizer.json (and an optional tokenizer_config.json) in a fresh folder.
    std::string write(const std::string& text, const std::string& config = "") {
        const std::string dir = path_join(scratch_.path().toStdString(), "t" + std::to_string(counter_++));
        QDir().mkpath(QString::fromStdString(dir));
        test::write_file(path_join(dir, "tokenizer.json"), text);
        if (!config.empty()) test::write_file(path_join(dir, "tokenizer_config.json"), config);
        return dir;
    }
    std::unique_ptr<Tokenizer> load(const json& j, const std::string& config = "") {
        return load_tokenizer(write(j.dump(), config));
    }
    void expect_error(const json& j, const std::string& must_contain) {
        expect_error_text(j.dump(), must_contain);
    }
    void expect_error_text(const std::string& text, const std::string& must_contain) {
        const std::string dir = write(text);
        const std::string message = error_of([&] { load_tokenizer(dir); });
        QVERIFY2(!message.empty(), ("expected a sightline::Error containing: " + must_contain).c_str());
        QVERIFY2(message.find(must_contain) != std::string::npos, message.c_str());
        QVERIFY2(message.find("tokenizer.json") != std::string::npos, message.c_str());
    }

    const Tokenizer& real(const std::string& family) {
        auto& slot = real_[family];
        if (!slot) {
            Stopwatch watch;
            slot = load_tokenizer(test::fixture("tokenizers/" + family));
            qInfo("%s tokenizer.json loaded in %.0f ms", family.c_str(), watch.elapsed_ms());
        }
        return *slot;
    }

  private Q_SLOTS:
    // ---- the real files -------------------------------------------------------------------------
    void golden_data() {
        QTest::addColumn<QString>("family");
        QTest::newRow("gemma3") << "gemma3";
        QTest::newRow("llama3") << "llama3";
    }

    void golden() {
        SIGHTLINE_REQUIRE_FIXTURES();
        QFETCH(QString, family);
        const std::string name = family.toStdString();
        const Tokenizer& t = real(name);
        QCOMPARE(t.kind(), std::string("bpe"));
        const auto cases = read_full_golden(test::fixture("tokenizers/" + name + "/golden.json"));
        QCOMPARE(cases.size(), std::size_t{45});
        int round_trips = 0;
        for (const auto& c : cases) {
            const std::string label = printable(c.text);
            QVERIFY2(t.encode(c.text, false) == c.ids, qPrintable(QString::fromStdString("ids of " + label)));
            QVERIFY2(t.encode(c.text, true) == c.ids_special,
                     qPrintable(QString::fromStdString("ids_add_special_tokens of " + label)));
            QCOMPARE(t.decode(c.ids), c.decoded);
            round_trips += c.decoded == c.text ? 1 : 0;
            for (const int64_t id : c.ids) {
                const std::string shown = t.token_text(id);
                QVERIFY2(is_valid_utf8(shown), shown.c_str());
            }
            QVERIFY(t.encode(c.text, false) == c.ids);  // again, through the word cache
        }
        QCOMPARE(round_trips, name == "gemma3" ? 44 : 45);
    }

    void gemma3Details() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const Tokenizer& t = real("gemma3");
        QCOMPARE(t.vocab_size(), int64_t{262145});
        QCOMPARE(t.special_ids().bos, int64_t{2});
        QCOMPARE(t.special_ids().eos, int64_t{106});  // <end_of_turn>, as tokenizer_config.json says
        QCOMPARE(t.special_ids().pad, int64_t{0});
        QCOMPARE(t.special_ids().unk, int64_t{3});
        QCOMPARE(t.token_id("<image_soft_token>"), std::optional<int64_t>(262144));
        QVERIFY(t.is_special(262144) && t.is_special(105) && !t.is_special(107));  // "\n" is not special
        // No prefix space: "Hello" and " Hello" differ.
        const Ids hello = t.encode("Hello", false), spaced = t.encode(" Hello", false);
        QCOMPARE(hello.size(), std::size_t{1});
        QCOMPARE(spaced.size(), std::size_t{1});
        QVERIFY(hello != spaced);
        QCOMPARE(t.piece(spaced[0]), kMeta + "Hello");
        QCOMPARE(t.token_text(spaced[0]), std::string(" Hello"));
        // Byte fallback pieces show as their byte; a lone lead byte shows as hex.
        const int64_t newline_byte = *t.token_id("<0x0A>");
        QCOMPARE(t.token_text(newline_byte), std::string("\n"));
        QCOMPARE(t.token_text(*t.token_id("<0xF0>")), std::string("<0xF0>"));
        QCOMPARE(t.decode({*t.token_id("<0xF0>")}), std::string("\xEF\xBF\xBD"));
        // Chat markup: added tokens come out whole, skip_special_tokens drops the special ones only.
        const Ids chat = t.encode("<start_of_turn>user\nHi<end_of_turn>\n", true);
        QCOMPARE(chat.front(), int64_t{2});
        QCOMPARE(chat[1], int64_t{105});
        QCOMPARE(t.decode(chat, true), std::string("user\nHi\n"));
        // The same file through load_tokenizer_file.
        const auto same = load_tokenizer_file(test::fixture("tokenizers/gemma3/tokenizer.json"));
        QVERIFY(same->encode("Hello, world!", true) == t.encode("Hello, world!", true));
    }

    void llama3Details() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const Tokenizer& t = real("llama3");
        QCOMPARE(t.vocab_size(), int64_t{128256});
        QCOMPARE(t.special_ids().bos, int64_t{128000});
        QCOMPARE(t.special_ids().eos, int64_t{128001});
        QCOMPARE(t.special_ids().pad, int64_t{-1});
        // The early Llama 3 file's post-processor is ByteLevel only: no BOS with add_special_tokens.
        QVERIFY(t.encode("Hello", true) == t.encode("Hello", false));
        const Ids ids =
            t.encode("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", false);
        QCOMPARE(ids.front(), int64_t{128000});
        QCOMPARE(t.decode(ids, true), std::string("user\n\nHi"));
        QCOMPARE(t.token_text(t.encode(" world", false).at(0)), std::string(" world"));
    }

    void pathologicalInputs() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const std::vector<std::string> texts = {std::string(100000, ' '), std::string(100000, 'a'),
                                                std::string(30000, '<'), std::string(50000, '\n') + "x",
                                                "\xF0\x90\x8C\x80" + std::string(20000, '7')};
        for (const std::string family : {"gemma3", "llama3"}) {
            const Tokenizer& t = real(family);
            for (const auto& text : texts) {
                Stopwatch watch;
                const Ids ids = t.encode(text, false);
                QVERIFY(!ids.empty());
                QCOMPARE(t.decode(ids), text);
                qInfo("%s: %zu bytes -> %zu tokens in %.1f ms", family.c_str(), text.size(), ids.size(),
                      watch.elapsed_ms());
            }
        }
    }

    // ---- hand-made files, one component at a time ------------------------------------------------
    void sentencePieceStyle() {
        const auto t = load(sp_json());
        QCOMPARE(t->encode("hi hi", false), (Ids{kMetaHi, kMetaHi}));
        QCOMPARE(t->encode("hi hi", true), (Ids{1, kMetaHi, kMetaHi, 2}));  // TemplateProcessing
        QCOMPARE(t->encode("\xC3\xA9", false), (Ids{kMetaId, kEAcute}));
        // "ñ" is not in the vocabulary: byte fallback to <0xC3> <0xB1>.
        QCOMPARE(t->encode("\xC3\xB1", false), (Ids{kMetaId, kByte0 + 0xC3, kByte0 + 0xB1}));
        QCOMPARE(t->encode("hi<s>h", false), (Ids{kMetaHi, 1, kMetaH}));  // Prepend on each stretch
        QCOMPARE(t->decode({kMetaHi, kMetaHi}), std::string("hi hi"));    // Strip takes the first space
        QCOMPARE(t->decode({kMetaId, kByte0 + 0xC3, kByte0 + 0xB1}), std::string("\xC3\xB1"));
        QCOMPARE(t->decode({1, kMetaHi, 2}), std::string("<s> hi</s>"));
        QCOMPARE(t->decode({1, kMetaHi, 2}, true), std::string("hi"));
        // Bytes that do not form UTF-8: one U+FFFD per byte, as the tokenizers library.
        QCOMPARE(t->decode({kByte0 + 0xF0, kByte0 + 0x9F, kI}), std::string("\xEF\xBF\xBD\xEF\xBF\xBDi"));
        QCOMPARE(t->token_text(kByte0 + 0xC3), std::string("<0xC3>"));
        QCOMPARE(t->token_text(kByte0 + 0x0A), std::string("\n"));
        QCOMPARE(t->token_text(kMetaHi), std::string(" hi"));  // Strip is not for one token's display
        QCOMPARE(t->piece(kMetaHi), kMeta + "hi");
    }

    void unknownCharacters() {
        // Without byte fallback: unknown characters become <unk>, fused or one each, or are dropped.
        json j = sp_json();
        j["model"]["byte_fallback"] = false;
        QCOMPARE(load(j)->encode("h\xC3\xB1\xC3\xB6i", false), (Ids{kMetaH, 0, kI}));
        j["model"]["fuse_unk"] = false;
        QCOMPARE(load(j)->encode("h\xC3\xB1\xC3\xB6i", false), (Ids{kMetaH, 0, 0, kI}));
        j["model"]["unk_token"] = nullptr;
        QCOMPARE(load(j)->encode("h\xC3\xB1\xC3\xB6i", false), (Ids{kMetaHi}));
    }

    void postProcessorAndConfig() {
        json j = sp_json();
        // Sequence(ByteLevel, TemplateProcessing) gives the template's tokens.
        j["post_processor"] = {
            {"type", "Sequence"},
            {"processors", {{{"type", "ByteLevel"}, {"trim_offsets", false}}, j["post_processor"]}}};
        QCOMPARE(load(j)->encode("hi", true), (Ids{1, kMetaHi, 2}));
        // tokenizer_config.json's add_bos_token / add_eos_token win over the template.
        QCOMPARE(load(j, R"({"add_bos_token": false, "bos_token": "<s>"})")->encode("hi", true),
                 (Ids{kMetaHi, 2}));
        QCOMPARE(load(j, R"({"add_eos_token": false, "eos_token": "</s>"})")->encode("hi", true),
                 (Ids{1, kMetaHi}));
        j["post_processor"] = nullptr;
        QCOMPARE(load(j)->encode("hi", true), (Ids{kMetaHi}));
        j["post_processor"] = {{"type", "ByteLevel"}};
        QCOMPARE(load(j)->encode("hi", true), (Ids{kMetaHi}));
    }

    void normalizers() {
        const std::vector<std::string> pieces = {"a", "b", "c", kMeta, "A", "-", "<tag>", "<RAW>"};
        json j = make_json(pieces, {});
        j["decoder"] = {{"type", "Fuse"}};
        // Replace with a regex, Strip, Lowercase in a Sequence.
        j["normalizer"] = {{"type", "Sequence"},
                           {"normalizers",
                            {{{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}},
                             {{"type", "Replace"}, {"pattern", {{"Regex", "\\s+"}}}, {"content", kMeta}},
                             {{"type", "Lowercase"}}}}};
        // A "normalized" added token is matched after the normalizer, the other one in the raw text.
        j["added_tokens"] = {added_token(6, "<TAG>", false, true), added_token(7, "<RAW>", false, false)};
        auto t = load(j);
        QCOMPARE(t->encode(" \tA \n b  ", false), (Ids{0, 3, 1}));
        QCOMPARE(t->encode("a<Tag>b", false), (Ids{0, 6, 1}));
        QCOMPARE(t->encode("a<RAW>b", false), (Ids{0, 7, 1}));
        QCOMPARE(t->encode("a<raw>b", false), (Ids{0, 0, 1}));  // "<", "r", "w", ">" are unknown: dropped
        // Strip only on the right; NFC, NFKC; Prepend.
        j["added_tokens"] = json::array();
        j["normalizer"] = {{"type", "Sequence"},
                           {"normalizers",
                            {{{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}},
                             {{"type", "NFKC"}},
                             {{"type", "Prepend"}, {"prepend", "-"}}}}};
        t = load(j);
        QCOMPARE(t->encode(" a ", false), (Ids{5, 0}));           // "- a": the space is unknown, dropped
        QCOMPARE(t->encode("\xEF\xBD\x81", false), (Ids{5, 0}));  // NFKC: fullwidth "ａ" -> "a"
        QCOMPARE(t->encode("", false), Ids{});                    // Prepend leaves empty text alone
    }

    void splitBehaviours() {
        const std::vector<std::string> pieces = {"a", "b", "-", "a-", "-b", "--"};
        json j = make_json(pieces, {{"a", "-"}, {"-", "b"}, {"-", "-"}});
        const auto with = [&](const std::string& behavior, bool invert) {
            j["pre_tokenizer"] = {{"type", "Split"},
                                  {"pattern", {{"String", "-"}}},
                                  {"behavior", behavior},
                                  {"invert", invert}};
            return load(j);
        };
        QCOMPARE(with("Removed", false)->encode("a-b", false), (Ids{0, 1}));
        QCOMPARE(with("Isolated", false)->encode("a-b", false), (Ids{0, 2, 1}));
        QCOMPARE(with("Isolated", false)->encode("a--b", false), (Ids{0, 2, 2, 1}));
        QCOMPARE(with("MergedWithPrevious", false)->encode("a-b", false), (Ids{3, 1}));
        QCOMPARE(with("MergedWithNext", false)->encode("a-b", false), (Ids{0, 4}));
        QCOMPARE(with("Contiguous", false)->encode("a--b", false), (Ids{0, 5, 1}));
        QCOMPARE(with("Removed", true)->encode("a--b", false), (Ids{2, 2}));  // invert: keeps the "-"
        // A regex pattern, in a Sequence.
        j["pre_tokenizer"] = {{"type", "Sequence"},
                              {"pretokenizers",
                               {{{"type", "Split"},
                                 {"pattern", {{"Regex", "-+"}}},
                                 {"behavior", "Isolated"},
                                 {"invert", false}}}}};
        QCOMPARE(load(j)->encode("a--b", false), (Ids{0, 5, 1}));
        // Digits: one by one, or runs (Unicode numbers, as Rust's char::is_numeric).
        j = make_json({"1", "2", "12", "a", "\xC2\xBD"}, {{"1", "2"}});
        j["pre_tokenizer"] = {{"type", "Digits"}, {"individual_digits", true}};
        QCOMPARE(load(j)->encode("a12\xC2\xBD", false), (Ids{3, 0, 1, 4}));
        j["pre_tokenizer"]["individual_digits"] = false;
        QCOMPARE(load(j)->encode("a12\xC2\xBD", false),
                 (Ids{3, 2, 4}));  // "12½" is one word; no merge joins "½"
        j = make_json(pieces, {{"a", "-"}, {"-", "b"}, {"-", "-"}});
        // No pre-tokenizer: the whole stretch is one word.
        j["pre_tokenizer"] = nullptr;
        QCOMPARE(load(j)->encode("a-b", false), (Ids{3, 1}));
    }

    void metaspace() {
        const std::vector<std::string> pieces = {kMeta,       "a",         "b",  kMeta + "a",
                                                 kMeta + "b", "a" + kMeta, "<x>"};
        json j = make_json(pieces, {{"a", kMeta}, {kMeta, "a"}, {kMeta, "b"}});
        j["added_tokens"] = {added_token(6, "<x>", true)};
        const auto with = [&](const json& options) {
            j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", kMeta}};
            j["decoder"] = {{"type", "Metaspace"}, {"replacement", kMeta}};
            for (const auto& [k, v] : options.items()) {
                j["pre_tokenizer"][k] = v;
                j["decoder"][k] = v;
            }
            return load(j);
        };
        auto t = with({{"prepend_scheme", "always"}, {"split", true}});
        QCOMPARE(t->encode("a b", false), (Ids{3, 4}));
        QCOMPARE(t->encode("a<x>b", false), (Ids{3, 6, 4}));
        QCOMPARE(t->decode({3, 4}), std::string("a b"));  // the first token loses its "▁"
        QCOMPARE(t->token_text(3), std::string(" a"));
        t = with({{"prepend_scheme", "first"}, {"split", true}});
        QCOMPARE(t->encode("a<x>b", false), (Ids{3, 6, 2}));  // only the start of the text gets "▁"
        QCOMPARE(t->encode("<x>b", false), (Ids{6, 2}));
        t = with({{"prepend_scheme", "never"}, {"split", true}});
        QCOMPARE(t->encode("a b", false), (Ids{1, 4}));
        QCOMPARE(t->decode({3, 4}), std::string(" a b"));
        // split false: one word, so the "a▁" merge (rank 0) applies across the space.
        t = with({{"prepend_scheme", "always"}, {"split", false}});
        QCOMPARE(t->encode("a b", false), (Ids{0, 5, 2}));
        // Files from before prepend_scheme: add_prefix_space.
        t = with({{"add_prefix_space", false}});
        QCOMPARE(t->encode("a b", false), (Ids{1, 4}));
    }

    void byteLevelModel() {
        // Byte-level pieces with a prefix space, ignore_merges, and the ByteLevel decoder.
        const std::vector<std::string> pieces = {"\xC4\xA0", "h", "i", "\xC4\xA0h", "\xC4\xA0hi", "hi", "hh"};
        json j = make_json(pieces, {{"\xC4\xA0", "h"}, {"\xC4\xA0h", "i"}});
        j["pre_tokenizer"] = {
            {"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
        j["decoder"] = {{"type", "ByteLevel"}};
        auto t = load(j);
        QCOMPARE(t->encode("hi hi", false), (Ids{4, 4}));
        QCOMPARE(t->encode("hi", false), (Ids{4}));
        QCOMPARE(t->decode({4, 4}), std::string(" hi hi"));
        QCOMPARE(t->token_text(4), std::string(" hi"));
        j["pre_tokenizer"]["add_prefix_space"] = false;
        QCOMPARE(load(j)->encode("hihh", false), (Ids{1, 2, 1, 1}));  // no merge makes "hi"
        j["model"]["ignore_merges"] = true;
        t = load(j);
        QCOMPARE(t->encode("hi", false), (Ids{5}));             // a word that is in the vocabulary
        QCOMPARE(t->encode("hihh", false), (Ids{1, 2, 1, 1}));  // one that is not is merged
    }

    void subwordAffixes() {
        json j = make_json({"a", "##b", "ab"}, {{"a", "##b"}});
        j["model"]["continuing_subword_prefix"] = "##";
        QCOMPARE(load(j)->encode("ab", false), (Ids{2}));
        j = make_json({"a", "b</w>", "ab</w>"}, {{"a", "b</w>"}});
        j["model"]["end_of_word_suffix"] = "</w>";
        QCOMPARE(load(j)->encode("ab", false), (Ids{2}));
    }

    void decoders() {
        const std::vector<std::string> pieces = {"a", "b", kMeta, "<0x41>", "xx"};
        json j = make_json(pieces, {});
        auto t = load(j);
        QCOMPARE(t->decode({0, 1}), std::string("a b"));  // no decoder: joined with spaces
        j["decoder"] = {{"type", "Sequence"},
                        {"decoders",
                         {{{"type", "Replace"}, {"pattern", {{"Regex", "x{2,}"}}}, {"content", "y"}},
                          {{"type", "ByteFallback"}},
                          {{"type", "Strip"}, {"content", "a"}, {"start", 1}, {"stop", 1}},
                          {{"type", "Fuse"}}}}};
        t = load(j);
        QCOMPARE(t->decode({4, 3, 1, 0}), std::string("yAb"));  // "a" stripped from the "a" token
        QCOMPARE(t->decode({0}), std::string(""));
        QCOMPARE(t->token_text(0), std::string("a"));
        QCOMPARE(t->token_text(3), std::string("A"));
    }

    // ---- what is not supported, or not a tokenizer.json, is named -----------------------------------
    void unsupportedComponents() {
        json j = sp_json();
        j["normalizer"] = {{"type", "Precompiled"}, {"precompiled_charsmap", "AAAA"}};
        expect_error(j, "normalizer type 'Precompiled' is not supported");
        j = sp_json();
        j["normalizer"] = {{"type", "Sequence"},
                           {"normalizers", {{{"type", "NFC"}}, {{"type", "BertNormalizer"}}}}};
        expect_error(j, "normalizer type 'BertNormalizer' is not supported");
        j = sp_json();
        j["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
        expect_error(j, "pre_tokenizer type 'BertPreTokenizer' is not supported");
        j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "Sideways"}};
        expect_error(j, "Split behavior 'Sideways' is not supported");
        j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", kMeta}, {"prepend_scheme", "sometimes"}};
        expect_error(j, "prepend_scheme 'sometimes' is not supported");
        j = sp_json();
        j["model"]["type"] = "WordPiece";
        expect_error(j, "model type 'WordPiece' is not supported");
        j = sp_json();
        j["model"]["dropout"] = 0.1;
        expect_error(j, "dropout");
        j = sp_json();
        j["post_processor"] = {{"type", "RobertaProcessing"}};
        expect_error(j, "post_processor type 'RobertaProcessing' is not supported");
        j = sp_json();
        j["decoder"] = {{"type", "WordPiece"}, {"prefix", "##"}};
        expect_error(j, "decoder type 'WordPiece' is not supported");
        j = sp_json();
        j["model"]["unk_token"] = "<nope>";
        expect_error(j, "unk_token \"<nope>\" is not in model.vocab");
    }

    void malformedFiles() {
        const std::string good = sp_json().dump();
        expect_error_text("{\"model\": {\"type\": \"BPE\",, }}", "is not valid JSON");
        expect_error_text(good.substr(0, good.size() / 2), "is not valid JSON");  // cut in the middle
        expect_error_text(good.substr(0, good.size() - 1), "is not valid JSON");  // the last brace missing
        expect_error_text("", "is not valid JSON");
        expect_error_text("[1, 2]", "expected a JSON object");
        json j = sp_json();
        j["model"]["vocab"]["zz"] = "7";
        expect_error(j, "model.vocab has a string as the id of \"zz\"");
        j = sp_json();
        j["model"]["vocab"]["zz"] = -4;
        expect_error(j, "model.vocab has id -4");
        j = sp_json();
        j["model"]["merges"] = {{"a", "b", "c"}};
        expect_error(j, "merge 0");
        j["model"]["merges"] = {"ab"};
        expect_error(j, "merge 0");
        j["model"]["merges"] = {kMeta + " h", "h zz"};
        expect_error(j, "merge 1");
        j = sp_json();
        j["model"].erase("merges");
        expect_error(j, "model.merges");
        j = sp_json();
        j["model"]["vocab"] = json::array();
        expect_error(j, "model.vocab");
        j = sp_json();
        j.erase("model");
        expect_error(j, "\"model\"");
    }

    void truncatedRealFile() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const std::string text = read_text_file(test::fixture("tokenizers/llama3/tokenizer.json"));
        expect_error_text(text.substr(0, text.size() / 3), "is not valid JSON");
        expect_error_text(text.substr(0, text.size() - 10), "is not valid JSON");
    }
};

QTEST_APPLESS_MAIN(TestTokenizerJson)
#include "test_tokenizer_json.moc"
