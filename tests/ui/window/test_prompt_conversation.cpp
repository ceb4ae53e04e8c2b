// The prompt area's conversation fields: a system prompt and earlier turns reach the model's chat template,
// and a template the engine cannot render shows a visible warning while the plain prompt format is used.
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/util/strings.h"
#include "tests/support/tiny_models.h"
#include "tests/ui/window/window_fixture.h"
#include "ui/window/prompt_bar.h"

using namespace sightline;

namespace {

// A tiny random LLaVA whose chat template is `chat_template`.
QString tiny_model_with_template(const QTemporaryDir& scratch, const std::string& name,
                                 const std::string& chat_template) {
    test::TinySpec spec;
    spec.init_std = 0.3;
    const std::string dir =
        test::write_tiny_model((scratch.path() + "/" + QString::fromStdString(name)).toStdString(), spec);
    std::ofstream(path_join(dir, "chat_template.json"), std::ios::trunc)
        << nlohmann::json{{"chat_template", chat_template}}.dump();
    return QString::fromStdString(dir);
}

bool wait_for_idle(ui::MainWindow& w) {
    return test::wait_idle(w, 60000);
}

}  // namespace

class TestPromptConversation : public QObject {
    Q_OBJECT

  private:
    QTemporaryDir scratch_;

  private Q_SLOTS:
    void prompt_bar_reads_system_and_turns() {
        ui::PromptBar bar;
        auto* system = bar.findChild<QLineEdit*>("systemPrompt");
        auto* turns = bar.findChild<QPlainTextEdit*>("earlierTurns");
        auto* warning = bar.findChild<QLabel*>("templateWarning");
        QVERIFY(system && turns && warning);
        bar.show();
        QTest::keyClicks(system, "Be brief.");
        QCOMPARE(bar.systemPrompt(), QString("Be brief."));
        turns->setPlainText("user: What is it?\nassistant: A disk.\nIt is red.\n\nUser: Which colour?");
        const auto t = bar.turns();
        QCOMPARE(t.size(), std::size_t(3));
        QCOMPARE(t[0].role, std::string("user"));
        QCOMPARE(t[1].role, std::string("assistant"));
        QCOMPARE(t[1].text, std::string("A disk.\nIt is red."));
        QCOMPARE(t[2].text, std::string("Which colour?"));
        QVERIFY(!warning->isVisible());
        bar.setTemplateWarning("chat template line 2: unsupported construct: tag 'include'");
        QVERIFY(warning->isVisible());
        QVERIFY(warning->text().contains("tag 'include'"));
        bar.setTemplateWarning({});
        QVERIFY(!warning->isVisible());
    }

    void system_prompt_and_turns_reach_the_template() {
        const QString dir = tiny_model_with_template(
            scratch_, "chat",
            "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}\n{% endfor %}"
            "{% if add_generation_prompt %}<assistant>{% endif %}");
        auto w = test::open_window(dir, /*load_demo=*/false);
        QVERIFY(w);
        w->promptBar()->setSystemPrompt("Be brief.");
        w->promptBar()->setTurns({{"user", "Hello"}, {"assistant", "Hi"}});
        QVERIFY(test::ask(*w, "what color is the star?"));
        QVERIFY(w->trace());
        QCOMPARE(
            QString::fromStdString(w->trace()->prompt_text),
            QString(
                "<system>Be brief.\n<user>Hello\n<assistant>Hi\n<user>what color is the star?\n<assistant>"));
        QVERIFY(w->trace()->template_warning.empty());
        QVERIFY(!w->promptBar()->templateWarningLabel()->isVisible());

        // The system prompt and the turns are saved with the session and restored from it.
        QVERIFY(wait_for_idle(*w));
        QString err;
        const QString session = scratch_.path() + "/conversation.sightline.json";
        QVERIFY2(w->saveSession(session, &err), qPrintable(err));
        auto other = test::open_window(dir, /*load_demo=*/false);
        QVERIFY(other);
        QVERIFY2(other->openSession(session, &err), qPrintable(err));
        QVERIFY(QTest::qWaitFor([&] { return other->trace() && other->isIdle(); }, 60000));
        QCOMPARE(other->promptBar()->systemPrompt(), QString("Be brief."));
        const auto turns = other->promptBar()->turns();
        QCOMPARE(turns.size(), std::size_t(2));
        QCOMPARE(turns[1].role, std::string("assistant"));
        QCOMPARE(turns[1].text, std::string("Hi"));
    }

    void unsupported_template_shows_a_warning_and_falls_back() {
        const QString dir =
            tiny_model_with_template(scratch_, "broken",
                                     "{% for m in messages %}\n{% include 'turn.jinja' %}{% endfor %}"
                                     "USER: ASSISTANT:");
        auto w = test::open_window(dir, /*load_demo=*/false);
        QVERIFY(w);
        QVERIFY(test::ask(*w, "what color is the star?"));
        QVERIFY(w->trace());
        const QString warning = QString::fromStdString(w->trace()->template_warning);
        QVERIFY2(warning.contains("line 2") && warning.contains("include"), qPrintable(warning));
        QLabel* label = w->promptBar()->templateWarningLabel();
        QVERIFY(label->isVisible());
        QVERIFY(label->text().contains("include"));
        // The built-in llava-1.5 format was used instead.
        QCOMPARE(QString::fromStdString(w->trace()->prompt_text),
                 QString("USER: what color is the star? ASSISTANT:"));
    }
};

QTEST_MAIN(TestPromptConversation)
#include "test_prompt_conversation.moc"
