// Chat templates: detection from the files of a model folder and prompt formatting.
#include <QTemporaryDir>
#include <QtTest>

#include "core/text/chat_template.h"
#include "core/util/error.h"
#include "core/util/strings.h"
#include "tests/core/text/text_test_files.h"

using namespace sightline;

namespace {

// The chat template of llava-1.5-hf's chat_template.json (it spells "USER" as role.upper()).
const char* kLlavaTemplate =
    "{% for message in messages %}{% if message['role'] != 'system' %}{{ message['role'].upper() + ': '}}"
    "{% endif %}{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}"
    "{{ '<image>\n' }}{% endfor %}{% for content in message['content'] | selectattr('type', 'equalto', "
    "'text') %}"
    "{{ content['text'] + ' '}}{% endfor %}{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% "
    "endif %}";
const char* kChatMLTemplate =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
    "'<|im_end|>' + "
    "'\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

}  // namespace

class TestTokenizerChatTemplate : public QObject {
    Q_OBJECT

  private:
    QTemporaryDir scratch_;

    std::string folder(const std::string& name) {
        const std::string dir = path_join(scratch_.path().toStdString(), name);
        QDir().mkpath(QString::fromStdString(dir));
        return dir;
    }

  private Q_SLOTS:
    void detectFromChatTemplateJson() {
        const std::string dir = folder("llava");
        test::write_file(path_join(dir, "chat_template.json"),
                         nlohmann::json{{"chat_template", kLlavaTemplate}}.dump());
        QCOMPARE(detect_chat_template(dir), ChatTemplateKind::Llava15);
    }

    void detectFromTokenizerConfig() {
        const std::string dir = folder("qwen");
        test::write_file(
            path_join(dir, "tokenizer_config.json"),
            nlohmann::json{{"chat_template", kChatMLTemplate}, {"eos_token", "<|im_end|>"}}.dump());
        QCOMPARE(detect_chat_template(dir), ChatTemplateKind::ChatML);
    }

    void detectFromNamedTemplateList() {
        const std::string dir = folder("named");
        nlohmann::json list = nlohmann::json::array();
        list.push_back({{"name", "tool_use"}, {"template", "plain {{ x }}"}});
        list.push_back({{"name", "default"}, {"template", kChatMLTemplate}});
        test::write_file(path_join(dir, "tokenizer_config.json"),
                         nlohmann::json{{"chat_template", list}}.dump());
        QCOMPARE(detect_chat_template(dir), ChatTemplateKind::ChatML);
    }

    void detectFromJinja() {
        const std::string dir = folder("jinja");
        test::write_file(path_join(dir, "chat_template.jinja"), "USER: {{ q }} ASSISTANT:");
        QCOMPARE(detect_chat_template(dir), ChatTemplateKind::Llava15);
    }

    void chatTemplateJsonWinsOverConfig() {
        const std::string dir = folder("both");
        test::write_file(path_join(dir, "chat_template.json"),
                         nlohmann::json{{"chat_template", kLlavaTemplate}}.dump());
        test::write_file(path_join(dir, "tokenizer_config.json"),
                         nlohmann::json{{"chat_template", kChatMLTemplate}}.dump());
        QCOMPARE(detect_chat_template(dir), ChatTemplateKind::Llava15);
    }

    void plainWhenAbsent() {
        QCOMPARE(detect_chat_template(folder("none")), ChatTemplateKind::Plain);
        const std::string dir = folder("no_template");
        test::write_file(path_join(dir, "tokenizer_config.json"), R"({"add_bos_token": true})");
        QCOMPARE(detect_chat_template(dir), ChatTemplateKind::Plain);
        QCOMPARE(classify_chat_template("{{ messages[0].content }}"), ChatTemplateKind::Plain);
    }

    void malformedFilesThrow() {
        const std::string dir = folder("malformed");
        test::write_file(path_join(dir, "chat_template.json"), "{ not json");
        bool threw = false;
        try {
            detect_chat_template(dir);
        } catch (const Error& e) {
            threw = std::string(e.what()).find("chat_template.json") != std::string::npos;
        }
        QVERIFY(threw);
    }

    void formatting() {
        QCOMPARE(apply_chat_template(ChatTemplateKind::Llava15, "What is it?", true),
                 std::string("USER: <image>\nWhat is it? ASSISTANT:"));
        QCOMPARE(apply_chat_template(ChatTemplateKind::Llava15, "What is it?", false),
                 std::string("USER: What is it? ASSISTANT:"));
        QCOMPARE(apply_chat_template(ChatTemplateKind::ChatML, "What is it?", true),
                 std::string("<|im_start|>user\n<image>\nWhat is it?<|im_end|>\n<|im_start|>assistant\n"));
        QCOMPARE(apply_chat_template(ChatTemplateKind::ChatML, "What is it?", false),
                 std::string("<|im_start|>user\nWhat is it?<|im_end|>\n<|im_start|>assistant\n"));
        QCOMPARE(apply_chat_template(ChatTemplateKind::Plain, "What is it?", true),
                 std::string("<image>\nWhat is it?"));
        QCOMPARE(apply_chat_template(ChatTemplateKind::Plain, "What is it?", false),
                 std::string("What is it?"));
    }

    void formattingWithSystemAndTurns() {
        const std::vector<ChatTurn> turns = {{"user", "What is it?"}, {"assistant", "A disk."}};
        QCOMPARE(
            apply_chat_template(ChatTemplateKind::Llava15, "Be brief.", turns, "Which colour?", true),
            std::string(
                "Be brief. USER: <image>\nWhat is it? ASSISTANT: A disk. USER: Which colour? ASSISTANT:"));
        QCOMPARE(
            apply_chat_template(ChatTemplateKind::ChatML, "Be brief.", {}, "Which colour?", true),
            std::string("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n<image>\nWhich colour?"
                        "<|im_end|>\n<|im_start|>assistant\n"));
        QCOMPARE(apply_chat_template(ChatTemplateKind::Plain, "", turns, "Which colour?", false),
                 std::string("What is it?\nA disk.\nWhich colour?"));
        QCOMPARE(apply_chat_template(ChatTemplateKind::ChatML, "", {}, "Q", false),
                 apply_chat_template(ChatTemplateKind::ChatML, "Q", false));
    }

    // The checkpoint's template, its special tokens (strings or AddedToken objects) and a conversation
    // rendered in Hugging Face's multimodal content format with the image in the first user turn.
    void loadAndRenderOwnTemplate() {
        const std::string dir = folder("own");
        test::write_file(path_join(dir, "tokenizer_config.json"),
                         nlohmann::json{{"chat_template", kLlavaTemplate},
                                        {"bos_token", "<s>"},
                                        {"eos_token", {{"__type", "AddedToken"}, {"content", "</s>"}}},
                                        {"model_max_length", 512}}
                             .dump());
        const auto t = ChatTemplate::load(dir);
        QVERIFY(t.has_value());
        QVERIFY2(t->usable(), t->parse_error.c_str());
        QVERIFY(t->takes_content_list());
        QCOMPARE(t->special_tokens.at("bos_token"), std::string("<s>"));
        QCOMPARE(t->special_tokens.at("eos_token"), std::string("</s>"));
        QVERIFY(!t->special_tokens.count("model_max_length"));
        ChatRenderRequest r;
        r.messages = {
            {"system", "Be brief."}, {"user", "What is it?"}, {"assistant", "A disk."}, {"user", "Colour?"}};
        r.image_turn = first_user_turn(r.messages);
        QCOMPARE(r.image_turn, 1);
        QCOMPARE(
            render_chat_template(*t, r),
            std::string("Be brief. USER: <image>\nWhat is it? ASSISTANT: A disk. USER: Colour? ASSISTANT:"));
        QVERIFY(!ChatTemplate::load(folder("empty_dir")).has_value());
    }

    // A template reading content as one string gets the image placeholder in the text.
    void stringContentTemplate() {
        const auto t = ChatTemplate::from_text(kChatMLTemplate);
        QVERIFY(t.usable());
        QVERIFY(!t.takes_content_list());
        ChatRenderRequest r;
        r.messages = {{"user", "What is it?"}};
        r.image_turn = 0;
        r.content_list = false;
        QCOMPARE(render_chat_template(t, r),
                 std::string("<|im_start|>user\n<image>\nWhat is it?<|im_end|>\n<|im_start|>assistant\n"));
    }

    // An unsupported construct is reported when the template is read, naming it and the line.
    void unsupportedTemplateNamesConstructAndLine() {
        const auto t =
            ChatTemplate::from_text("{% for m in messages %}\n{% include 'other.jinja' %}{% endfor %}");
        QVERIFY(!t.usable());
        QVERIFY2(t.parse_error.find("line 2") != std::string::npos, t.parse_error.c_str());
        QVERIFY2(t.parse_error.find("include") != std::string::npos, t.parse_error.c_str());
        bool threw = false;
        try {
            render_chat_template(t, ChatRenderRequest{});
        } catch (const Error& e) {
            threw = std::string(e.what()).find("include") != std::string::npos;
        }
        QVERIFY(threw);
    }

    void names() {
        for (const auto kind : {ChatTemplateKind::Plain, ChatTemplateKind::Llava15, ChatTemplateKind::ChatML})
            QCOMPARE(chat_template_from_string(to_string(kind)), std::optional<ChatTemplateKind>(kind));
        QCOMPARE(chat_template_from_string("Qwen"),
                 std::optional<ChatTemplateKind>(ChatTemplateKind::ChatML));
        QCOMPARE(chat_template_from_string("llava15"),
                 std::optional<ChatTemplateKind>(ChatTemplateKind::Llava15));
        QVERIFY(!chat_template_from_string("vicuna").has_value());
    }
};

QTEST_APPLESS_MAIN(TestTokenizerChatTemplate)
#include "test_tokenizer_chat_template.moc"
