// Loading tokenizer folders: what is picked, and clear errors for missing, corrupt or unsupported files.
#include <QTemporaryDir>
#include <QtTest>

#include "core/text/tokenizer.h"
#include "core/util/strings.h"
#include "tests/core/text/text_test_files.h"
#include "tests/support/error_of.h"

using namespace sightline;
using test::error_of;

namespace {

// A minimal valid byte-level tokenizer.json: the letters "a" and "b" and one merge.
nlohmann::json minimal_json() {
    nlohmann::json j;
    j["normalizer"] = nullptr;
    j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}};
    j["added_tokens"] = nlohmann::json::array();
    j["decoder"] = {{"type", "ByteLevel"}};
    j["model"] = {{"type", "BPE"}, {"vocab", {{"a", 0}, {"b", 1}, {"ab", 2}}}, {"merges", {"a b"}}};
    return j;
}

}  // namespace

class TestTokenizerLoading : public QObject {
    Q_OBJECT

  private:
    QTemporaryDir scratch_;

    std::string folder(const std::string& name) {
        const std::string dir = path_join(scratch_.path().toStdString(), name);
        QDir().mkpath(QString::fromStdString(dir));
        return dir;
    }

    void expect_error(const std::string& message, const std::string& must_contain) {
        QVERIFY2(!message.empty(), "expected a sightline::Error");
        QVERIFY2(message.find(must_contain) != std::string::npos, message.c_str());
    }

  private Q_SLOTS:
    void folderWithoutTokenizerGivesNull() { QVERIFY(load_tokenizer(folder("empty")) == nullptr); }

    void minimalTokenizerJson() {
        const std::string dir = folder("minimal");
        test::write_file(path_join(dir, "tokenizer.json"), minimal_json().dump());
        const auto t = load_tokenizer(dir);
        QVERIFY(t);
        QCOMPARE(t->encode("abba", false), (std::vector<int64_t>{2, 1, 0}));
        QCOMPARE(t->decode({2, 1, 0}), std::string("abba"));
        const auto same = load_tokenizer_file(path_join(dir, "tokenizer.json"));
        QCOMPARE(same->encode("ab", false), std::vector<int64_t>{2});
    }

    void missingFile() {
        const std::string path = path_join(folder("missing"), "tokenizer.json");
        expect_error(error_of([&] { load_tokenizer_file(path); }), path);
        expect_error(error_of([&] { load_tokenizer_file(path_join(folder("missing"), "tokenizer.model")); }),
                     "tokenizer.model");
    }

    void corruptTokenizerJson() {
        const std::string dir = folder("corrupt_json");
        test::write_file(path_join(dir, "tokenizer.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": {");
        expect_error(error_of([&] { load_tokenizer(dir); }), "tokenizer.json is not valid JSON");
    }

    void unsupportedModelType() {
        const std::string dir = folder("unigram");
        auto j = minimal_json();
        j["model"]["type"] = "Unigram";
        test::write_file(path_join(dir, "tokenizer.json"), j.dump());
        expect_error(error_of([&] { load_tokenizer(dir); }), "Unigram");
    }

    void unsupportedPreTokenizer() {
        const std::string dir = folder("bert_pre_tokenizer");
        auto j = minimal_json();
        j["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
        test::write_file(path_join(dir, "tokenizer.json"), j.dump());
        expect_error(error_of([&] { load_tokenizer(dir); }), "BertPreTokenizer");
    }

    void badMerge() {
        const std::string dir = folder("bad_merge");
        auto j = minimal_json();
        j["model"]["merges"] = {"a b", "b a"};  // "ba" is not in the vocabulary
        test::write_file(path_join(dir, "tokenizer.json"), j.dump());
        expect_error(error_of([&] { load_tokenizer(dir); }), "merge 1");
        j["model"]["merges"] = {"ab"};
        test::write_file(path_join(dir, "tokenizer.json"), j.dump());
        expect_error(error_of([&] { load_tokenizer(dir); }), "merge 0");
    }

    void badRegex() {
        const std::string dir = folder("bad_regex");
        auto j = minimal_json();
        j["pre_tokenizer"] = {
            {"type", "Sequence"},
            {"pretokenizers",
             {{{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}},
              {{"type", "ByteLevel"}, {"use_regex", false}}}}};
        test::write_file(path_join(dir, "tokenizer.json"), j.dump());
        expect_error(error_of([&] { load_tokenizer(dir); }), "regex");
    }

    void nonJsonConfig() {
        const std::string dir = folder("bad_config");
        test::write_file(path_join(dir, "tokenizer.json"), minimal_json().dump());
        test::write_file(path_join(dir, "tokenizer_config.json"), "add_bos_token = true\n");
        expect_error(error_of([&] { load_tokenizer(dir); }), "tokenizer_config.json is not valid JSON");
    }

    void wrongFieldType() {
        const std::string dir = folder("bad_field");
        test::write_file(path_join(dir, "tokenizer.json"), minimal_json().dump());
        test::write_file(path_join(dir, "tokenizer_config.json"), R"({"add_bos_token": "yes"})");
        expect_error(error_of([&] { load_tokenizer(dir); }), "add_bos_token");
    }

    void unknownSpecialToken() {
        const std::string dir = folder("bad_special");
        test::write_file(path_join(dir, "tokenizer.json"), minimal_json().dump());
        test::write_file(path_join(dir, "tokenizer_config.json"), R"({"eos_token": "<|nope|>"})");
        expect_error(error_of([&] { load_tokenizer(dir); }), "<|nope|>");
    }

    void corruptSentencePieceModel() {
        const std::string dir = folder("bad_sp");
        test::write_file(path_join(dir, "tokenizer.model"), std::string("\xff\xff\xff\xff garbage", 12));
        expect_error(error_of([&] { load_tokenizer(dir); }), "tokenizer.model");
        test::write_file(path_join(dir, "tokenizer.model"), "");
        expect_error(error_of([&] { load_tokenizer(dir); }), "tokenizer.model");
    }

    // A folder with both files loads tokenizer.json, as AutoTokenizer does (the corrupt tokenizer.model is
    // never read).
    void tokenizerJsonWinsOverTokenizerModel() {
        const std::string dir = folder("both");
        test::write_file(path_join(dir, "tokenizer.json"), minimal_json().dump());
        test::write_file(path_join(dir, "tokenizer.model"), std::string("\xff\xff garbage", 10));
        const auto tok = load_tokenizer(dir);
        QVERIFY(tok != nullptr);
        QCOMPARE(tok->kind(), std::string("bpe"));
    }

    void unsupportedFileName() {
        const std::string path = path_join(folder("vocab_txt"), "vocab.txt");
        test::write_file(path, "a\nb\n");
        expect_error(error_of([&] { load_tokenizer_file(path); }), "vocab.txt");
    }

    void invalidUtf8Input() {
        const std::string dir = folder("utf8");
        test::write_file(path_join(dir, "tokenizer.json"), minimal_json().dump());
        const auto t = load_tokenizer(dir);
        expect_error(error_of([&] { t->encode(std::string("a\xC3", 2), false); }), "UTF-8");
    }
};

QTEST_APPLESS_MAIN(TestTokenizerLoading)
#include "test_tokenizer_loading.moc"
