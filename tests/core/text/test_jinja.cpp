// The Jinja-subset engine: constructs and whitespace control by hand, errors that name the construct and
// line, and the real chat templates of the fixtures rendered byte-identically to transformers.
#include <QDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/text/chat_template.h"
#include "core/text/jinja.h"
#include "core/util/strings.h"
#include "tests/support/test_paths.h"

using namespace sightline;
using sightline::jinja::Template;
using sightline::jinja::TemplateError;

namespace {

std::string render(const std::string& source,
                   const nlohmann::ordered_json& vars = nlohmann::ordered_json::object()) {
    return Template(source).render(jinja::from_json(vars));
}

// The error message of rendering (or parsing) `source`; empty when it renders.
std::string error_of(const std::string& source,
                     const nlohmann::ordered_json& vars = nlohmann::ordered_json::object(),
                     int* line = nullptr) {
    try {
        render(source, vars);
    } catch (const TemplateError& e) {
        if (line) *line = e.line();
        return e.what();
    }
    return {};
}

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

}  // namespace

class TestJinja : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void constructs_data() {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("vars");
        QTest::addColumn<QString>("expected");
        auto row = [](const char* name, const char* src, const char* vars, const char* expected) {
            QTest::newRow(name) << QString(src) << QString(vars) << QString::fromUtf8(expected);
        };
        row("text", "hello", "{}", "hello");
        row("output", "{{ a }}-{{ b }}", "{\"a\": 1, \"b\": \"x\"}", "1-x");
        row("undefined prints empty", "[{{ nothing }}]", "{}", "[]");
        row("none bool float", "{{ n }} {{ t }} {{ f }} {{ 1.0 }} {{ 0.1 }} {{ 1e20 }}",
            "{\"n\": null, \"t\": true, \"f\": 2.5}", "None True 2.5 1.0 0.1 1e+20");
        row("list repr", "{{ l }}", "{\"l\": [\"a\", 1, true, null, {\"k\": \"v\"}]}",
            "['a', 1, True, None, {'k': 'v'}]");
        row("comment", "a{# hidden #}b", "{}", "ab");
        row("arithmetic",
            "{{ 1 + 2 * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 1 / 2 }}",
            "{}", "7 3 -4 1 2 1024 0.5");
        row("concat", "{{ 'a' ~ 1 ~ none }} {{ 'a' + 'b' }} {{ [1] + [2] }}", "{}", "a1None ab [1, 2]");
        row("compare", "{{ 1 < 2 }} {{ 'b' > 'a' }} {{ 1 == 1.0 }} {{ 1 != 2 }} {{ 2 <= 2 }} {{ 3 >= 4 }}",
            "{}", "True True True True True False");
        row("in", "{{ 'a' in 'cat' }} {{ 2 in [1, 2] }} {{ 'k' in d }} {{ 'x' not in d }}",
            "{\"d\": {\"k\": 1}}", "True True True True");
        row("and or not", "{{ 0 or 'y' }} {{ 1 and 2 }} {{ not 0 }} {{ not 1 or 0 }}", "{}", "y 2 True 0");
        row("conditional expr", "{{ 'a' if x else 'b' }}{{ 'c' if not x }}", "{\"x\": false}", "bc");
        row("if elif else", "{% if x == 1 %}one{% elif x == 2 %}two{% else %}many{% endif %}", "{\"x\": 2}",
            "two");
        row("for loop vars",
            "{% for i in l %}{{ loop.index0 }}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length "
            "}};{% endfor %}",
            "{\"l\": [\"a\", \"b\"]}", "01TrueFalse2;12FalseTrue2;");
        row("for revindex prev next",
            "{% for i in l %}{{ loop.revindex }}{{ loop.previtem }}{{ loop.nextitem }}|{% endfor %}",
            "{\"l\": [\"a\", \"b\", \"c\"]}", "3b|2ac|1b|");
        row("for else", "{% for i in l %}x{% else %}empty{% endfor %}", "{\"l\": []}", "empty");
        row("for filter", "{% for i in l if i > 1 %}{{ i }}{{ loop.length }}{% endfor %}",
            "{\"l\": [1, 2, 3]}", "2232");
        row("for dict items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
            "{\"d\": {\"b\": 1, \"a\": 2}}", "b=1;a=2;");
        row("for dict keys", "{% for k in d %}{{ k }}{% endfor %}", "{\"d\": {\"x\": 1, \"y\": 2}}", "xy");
        row("for items filter", "{% for k, v in d | items %}{{ k }}{{ v }}{% endfor %}",
            "{\"d\": {\"x\": 1}}", "x1");
        row("break continue",
            "{% for i in range(10) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% "
            "endif %}{{ i }}{% endfor %}",
            "{}", "023");
        row("loop scope", "{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}", "{}", "1");
        row("namespace",
            "{% set ns = namespace(n=0, s='') %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor "
            "%}{{ ns.n }}",
            "{}", "6");
        row("set tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}", "{}", "12");
        row("set block", "{% set x %}in{{ 1 }}{% endset %}[{{ x }}]", "{}", "[in1]");
        row("macro", "{% macro m(a, b='d') %}{{ a }}{{ b }}{% endmacro %}{{ m(1) }}{{ m(1, b=2) }}", "{}",
            "1d12");
        row("call block", "{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}x{% endcall %}",
            "{}", "[x]");
        row("filter block", "{% filter upper %}abc{% endfilter %}", "{}", "ABC");
        row("generation", "{% generation %}g{% endgeneration %}", "{}", "g");
        row("subscripts", "{{ d['a'][1] }}{{ d.a[0] }}{{ l[-1] }}{{ l.0 }}",
            "{\"d\": {\"a\": [1, 2]}, \"l\": [5, 6]}", "2165");
        row("slices", "{{ l[1:] }}{{ l[:-1] }}{{ l[::-1] }}{{ s[1:3] }}{{ s[::-1] }}",
            "{\"l\": [1, 2, 3], \"s\": \"héllo\"}", "[2, 3][1, 2][3, 2, 1]élolléh");
        row("dict literal", "{{ {'a': 1, 'b': [2]} }}", "{}", "{'a': 1, 'b': [2]}");
        row("string methods",
            "{{ ' x '.strip() }}{{ 'ab'.upper() }}{{ 'AB'.lower() }}{{ 'hello world'.title() }}"
            "{{ 'a,b'.split(',') }}{{ 'a b  c'.split() }}{{ 'aXa'.replace('a', 'b') }}"
            "{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith(('x', 'c')) }}{{ 'xxaxx'.lstrip('x') }}",
            "{}", "xABabHello World['a', 'b']['a', 'b', 'c']bXbTrueTrueaxx");
        row("dict methods",
            "{{ d.get('a') }}{{ d.get('z', 'dflt') }}{{ d.get('z') }}{{ d.keys() }}{{ d.values() }}",
            "{\"d\": {\"a\": 1}}", "1dfltNone['a'][1]");
        row("filters text",
            "{{ ' a ' | trim }}{{ 'ab' | upper }}{{ 'AB' | lower }}{{ 'ab cd-ef' | title }}{{ 'aBC' | "
            "capitalize }}",
            "{}", "aABabAb Cd-EfAbc");
        row("filters seq",
            "{{ l | length }}{{ l | first }}{{ l | last }}{{ l | join('-') }}{{ l | reverse | list }}{{ "
            "'abc' | length }}",
            "{\"l\": [1, 2, 3]}", "3131-2-3[3, 2, 1]3");
        row("filter default", "{{ x | default('d') }}{{ y | default('d') }}{{ '' | default('e', true) }}",
            "{\"y\": \"v\"}", "dve");
        row("filter int string", "{{ '42' | int + 1 }}{{ 'x' | int }}{{ 3 | string + 'a' }}{{ 2.7 | int }}",
            "{}", "4303a2");
        row("tojson", "{{ d | tojson }}", "{\"d\": {\"a\": [1, \"x\\\"y\", null, true, 1.5], \"b\": \"é\"}}",
            "{\"a\": [1, \"x\\\"y\", null, true, 1.5], \"b\": \"é\"}");
        row("tojson indent", "{{ d | tojson(indent=2) }}", "{\"d\": {\"a\": [1]}}",
            "{\n  \"a\": [\n    1\n  ]\n}");
        row("selectattr",
            "{% for c in l | selectattr('type', 'equalto', 'text') %}{{ c.text }}{% endfor %}"
            "{{ l | rejectattr('type', 'equalto', 'text') | list | length }}",
            "{\"l\": [{\"type\": \"image\"}, {\"type\": \"text\", \"text\": \"t\"}]}", "t1");
        row("map", "{{ l | map(attribute='n') | join(',') }}{{ ['a'] | map('upper') | list }}",
            "{\"l\": [{\"n\": 1}, {\"n\": 2}]}", "1,2['A']");
        row("select sort unique",
            "{{ [3, 1, 2] | select('odd') | list }}{{ [3, 1, 2] | sort }}{{ [1, 1, 2] | unique | list }}",
            "{}", "[3, 1][1, 2, 3][1, 2]");
        row("tests",
            "{{ x is defined }}{{ y is defined }}{{ n is none }}{{ s is string }}{{ d is mapping }}{{ l is "
            "iterable }}"
            "{{ l is sequence }}{{ 1 is number }}{{ s is not string }}{{ 1 is equalto 1 }}{{ 3 is odd }}",
            "{\"x\": 1, \"n\": null, \"s\": \"a\", \"d\": {}, \"l\": []}",
            "TrueFalseTrueTrueTrueTrueTrueTrueFalseTrueTrue");
        row("not is", "{{ not x is defined }}", "{}", "True");
        row("filter binds tighter than plus", "{{ 'a' + s | trim + 'b' }}", "{\"s\": \"  x  \"}", "axb");
        row("string escapes", "{{ 'a\\nb' }}{{ \"it's\" }}", "{}", "a\nbit's");
    }
    void constructs() {
        QFETCH(QString, source);
        QFETCH(QString, vars);
        QFETCH(QString, expected);
        const auto v = nlohmann::ordered_json::parse(vars.toStdString());
        std::string got;
        try {
            got = render(source.toStdString(), v);
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        QCOMPARE(q(got), expected);
    }

    void whitespace_data() {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("expected");
        auto row = [](const char* name, const char* src, const char* expected) {
            QTest::newRow(name) << QString(src) << QString(expected);
        };
        row("minus strips both sides", "a  \n {%- if true -%}  \n b{%- endif %}", "ab");
        row("output minus", "a \n{{- 'x' -}}\n b", "axb");
        row("trim_blocks eats one newline", "{% if true %}\nx\n{% endif %}\ny", "x\ny");
        row("trim_blocks only after blocks", "{{ 'a' }}\nb", "a\nb");
        row("lstrip_blocks", "  {% if true %}\n  x\n  {% endif %}\n", "  x\n");
        row("lstrip keeps text before", "a {% if true %}b{% endif %}", "a b");
        row("plus disables lstrip", "  {%+ if true %}x{% endif %}", "  x");
        row("comment trim", "a\n  {# c #}\nb", "a\nb");
        row("indented loop", "{% for i in [1, 2] %}\n    {{ i }}\n{% endfor %}\n", "    1\n    2\n");
        row("no newline after minus end", "{%- set x = 1 -%}\n\n  y", "y");
    }
    void whitespace() {
        QFETCH(QString, source);
        QFETCH(QString, expected);
        std::string got;
        try {
            got = render(source.toStdString());
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        QCOMPARE(q(got), expected);
    }

    void errors_name_construct_and_line_data() {
        QTest::addColumn<QString>("source");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("fragment");
        auto row = [](const char* name, const char* src, int line, const char* fragment) {
            QTest::newRow(name) << QString(src) << line << QString(fragment);
        };
        row("include", "a\nb\n{% include 'x.j2' %}", 3, "unsupported construct: tag 'include'");
        row("extends", "{% extends 'base' %}", 1, "tag 'extends'");
        row("unknown filter", "\n{{ x | wordwrap }}", 2, "unsupported construct: filter 'wordwrap'");
        row("unknown test", "{% if x is escaped %}{% endif %}", 1, "unsupported construct: test 'escaped'");
        row("unknown method", "\n\n{{ 'a'.zfill(3) }}", 3, "method 'zfill'");
        row("unknown function", "{{ cycler(1) }}", 1, "function 'cycler'");
        row("unclosed if", "{% if x %}\nabc", 2, "'if' is not closed");
        row("stray endfor", "x\n{% endfor %}", 2, "unexpected 'endfor'");
        row("raise_exception", "\n{{ raise_exception('roles must alternate') }}", 2, "roles must alternate");
        row("unterminated output", "{{ x ", 1, "unterminated");
        row("string formatting", "{{ '%s' % 1 }}", 1, "'%' string formatting");
        row("attribute on undefined", "{{ missing.attr }}", 1, "'missing' is undefined");
        row("add string and int", "{{ 'a' + 1 }}", 1, "unsupported operand types for +");
        row("set attribute on dict", "{% set d = {} %}{% set d.x = 1 %}", 1, "only namespace");
    }
    void errors_name_construct_and_line() {
        QFETCH(QString, source);
        QFETCH(int, line);
        QFETCH(QString, fragment);
        int got_line = -1;
        const std::string e = error_of(source.toStdString(), {}, &got_line);
        QVERIFY2(!e.empty(), "expected an error");
        QVERIFY2(q(e).contains(fragment), e.c_str());
        QCOMPARE(got_line, line);
        QVERIFY2(q(e).contains(QString("line %1").arg(line)), e.c_str());
    }

    void limits() {
        jinja::Options o;
        o.limits.max_output_bytes = 1000;
        QVERIFY(!error_of("{% for i in range(1000000) %}xxxxxxxx{% endfor %}").empty());
        try {
            Template("{% for i in range(1000) %}xx{% endfor %}", o).render(jinja::Value(jinja::Dict{}));
            QFAIL("expected the output limit");
        } catch (const TemplateError& e) {
            QVERIFY(q(e.what()).contains("exceeds"));
        }
        // Doubling a string is stopped at the output limit, not at the memory limit.
        QVERIFY(q(error_of("{% set s = 'xxxxxxxx' %}{% for i in range(40) %}{% set s = s ~ s %}{% endfor %}"))
                    .contains("output limit"));
        // Deep recursion and deep nesting fail cleanly instead of overflowing the stack.
        QVERIFY(!error_of("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}").empty());
        QVERIFY(!error_of("{{ " + std::string(500, '(') + "1" + std::string(500, ')') + " }}").empty());
    }

    void fixture_templates_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"llava-1.5-7b-hf", "llava-onevision-qwen2-ov-hf", "Qwen2-VL-2B-Instruct",
                              "Qwen2.5-VL-3B-Instruct", "gemma-3-it"})
            QTest::newRow(n) << QString(n);
    }
    // Every case of every fixture template, byte-identical to transformers' rendering.
    void fixture_templates() {
        SIGHTLINE_REQUIRE_FIXTURES();
        QFETCH(QString, name);
        const std::string dir = test::fixture("chat_templates");
        const std::string source = read_text_file(path_join(dir, name.toStdString() + ".jinja"));
        const auto cases =
            nlohmann::ordered_json::parse(read_text_file(path_join(dir, name.toStdString() + ".cases.json")));
        const Template t(source);
        const auto& tokens = cases.at("render").at("render_kwargs").at("special_tokens (as **kwargs)");
        QVERIFY(!cases.at("cases").empty());
        int n = 0;
        for (const auto& c : cases.at("cases")) {
            nlohmann::ordered_json vars = tokens;
            vars["messages"] = c.at("messages");
            vars["add_generation_prompt"] = c.at("add_generation_prompt");
            vars["tools"] = nullptr;
            vars["documents"] = nullptr;
            const std::string got = t.render(jinja::from_json(vars));
            const std::string expected = c.at("expected").get<std::string>();
            if (got != expected)
                QFAIL(qPrintable(QString("%1 / %2:\n got      %3\n expected %4")
                                     .arg(name, q(c.at("name").get<std::string>()), q(printable(got)),
                                          q(printable(expected)))));
            ++n;
        }
        QCOMPARE(n, 3);
    }

    // The same cases through the prompt path: a conversation of plain turns (system, user, assistant) with
    // the image in the first user turn becomes Hugging Face's content lists and renders identically.
    void fixture_templates_through_chat_template() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const std::string dir = test::fixture("chat_templates");
        for (const char* name : {"llava-1.5-7b-hf", "llava-onevision-qwen2-ov-hf", "Qwen2-VL-2B-Instruct",
                                 "Qwen2.5-VL-3B-Instruct", "gemma-3-it"}) {
            const auto cases =
                nlohmann::json::parse(read_text_file(path_join(dir, std::string(name) + ".cases.json")));
            std::map<std::string, std::string> tokens;
            for (const auto& [k, v] : cases.at("source").at("special_tokens").items())
                tokens[k] = v.get<std::string>();
            const ChatTemplate t =
                ChatTemplate::from_text(read_text_file(path_join(dir, std::string(name) + ".jinja")), tokens);
            QVERIFY2(t.usable(), t.parse_error.c_str());
            QVERIFY(t.takes_content_list());
            for (const auto& c : cases.at("cases")) {
                ChatRenderRequest r;
                bool has_image = false;
                for (const auto& m : c.at("messages")) {
                    std::string text;
                    for (const auto& item : m.at("content")) {
                        if (item.at("type") == "image") has_image = true;
                        if (item.at("type") == "text") text = item.at("text").get<std::string>();
                    }
                    r.messages.push_back({m.at("role").get<std::string>(), text});
                }
                if (has_image) r.image_turn = first_user_turn(r.messages);
                QCOMPARE(q(render_chat_template(t, r)), q(c.at("expected").get<std::string>()));
            }
        }
    }

    // The tokenizer fixtures' own templates render a simple conversation.
    void tokenizer_fixture_templates() {
        SIGHTLINE_REQUIRE_FIXTURES();
        for (const char* family : {"gemma3", "llama3"}) {
            const std::string dir = test::fixture(std::string("tokenizers/") + family);
            const auto cfg =
                nlohmann::ordered_json::parse(read_text_file(path_join(dir, "tokenizer_config.json")));
            const Template t(read_text_file(path_join(dir, "chat_template.jinja")));
            nlohmann::ordered_json vars;
            vars["bos_token"] = cfg.at("bos_token");
            vars["eos_token"] = cfg.at("eos_token");
            vars["add_generation_prompt"] = true;
            vars["messages"] = nlohmann::ordered_json::parse(
                "[{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi "
                "there \"},\n                    {\"role\": \"assistant\", \"content\": \"Hello.\"}, "
                "{\"role\": \"user\", \"content\": \"Why is the sky blue?\"}]");
            const std::string got = t.render(jinja::from_json(vars));
            if (std::string(family) == "gemma3") {
                QCOMPARE(q(got), QString("<bos><start_of_turn>user\nBe brief.\n\nHi there<end_of_turn>\n"
                                         "<start_of_turn>model\nHello.<end_of_turn>\n<start_of_turn>user\n"
                                         "Why is the sky blue?<end_of_turn>\n<start_of_turn>model\n"));
            } else {
                QCOMPARE(
                    q(got),
                    QString(
                        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                        "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
                        "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
                        "<|start_header_id|>user<|end_header_id|>\n\nWhy is the sky blue?<|eot_id|>"
                        "<|start_header_id|>assistant<|end_header_id|>\n\n"));
            }
        }
    }

    // The tokenizer fixture folders through ChatTemplate::load: the template and the special tokens of
    // tokenizer_config.json; Llama 3's string-content template gets the text itself.
    void tokenizer_fixture_folders_load() {
        SIGHTLINE_REQUIRE_FIXTURES();
        ChatRenderRequest r;
        r.messages = {{"user", "Hi"}};
        const auto gemma = ChatTemplate::load(test::fixture("tokenizers/gemma3"));
        QVERIFY(gemma && gemma->usable());
        QCOMPARE(q(gemma->special_tokens.at("bos_token")), QString("<bos>"));
        r.content_list = gemma->takes_content_list();
        QVERIFY(r.content_list);
        QCOMPARE(q(render_chat_template(*gemma, r)),
                 QString("<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n"));
        const auto llama = ChatTemplate::load(test::fixture("tokenizers/llama3"));
        QVERIFY(llama && llama->usable());
        r.content_list = llama->takes_content_list();
        QVERIFY(!r.content_list);
        QCOMPARE(q(render_chat_template(*llama, r)),
                 QString("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                         "<|start_header_id|>assistant<|end_header_id|>\n\n"));
    }

    // Untrusted input: every prefix of every fixture template either renders or fails with a TemplateError
    // (never another exception or a crash).
    void truncated_templates_fail_cleanly() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const std::string dir = test::fixture("chat_templates");
        const auto vars = jinja::from_json(nlohmann::ordered_json::parse(
            "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"hi\"}]}], "
            "\"bos_token\": \"<s>\", \"add_generation_prompt\": true}"));
        int rendered = 0, refused = 0;
        for (const char* name : {"llava-1.5-7b-hf", "Qwen2-VL-2B-Instruct", "gemma-3-it"}) {
            const std::string source = read_text_file(path_join(dir, std::string(name) + ".jinja"));
            for (std::size_t n = 0; n <= source.size(); n += 3) {
                try {
                    Template(source.substr(0, n)).render(vars);
                    ++rendered;
                } catch (const TemplateError&) {
                    ++refused;
                } catch (const std::exception& e) {
                    QFAIL(qPrintable(QString("%1 cut at %2: %3").arg(name).arg(n).arg(e.what())));
                }
            }
        }
        QVERIFY(rendered > 0 && refused > 0);
    }

    // Gemma 3's template refuses non-alternating roles through raise_exception, naming its line.
    void gemma_raise_exception() {
        SIGHTLINE_REQUIRE_FIXTURES();
        const Template t(read_text_file(test::fixture("chat_templates/gemma-3-it.jinja")));
        nlohmann::ordered_json vars;
        vars["bos_token"] = "<bos>";
        vars["messages"] = nlohmann::ordered_json::parse("[{\"role\": \"assistant\", \"content\": \"x\"}]");
        try {
            t.render(jinja::from_json(vars));
            QFAIL("expected raise_exception");
        } catch (const TemplateError& e) {
            QVERIFY2(q(e.what()).contains("Conversation roles must alternate"), e.what());
            QCOMPARE(e.line(), 19);
        }
    }
};

QTEST_GUILESS_MAIN(TestJinja)
#include "test_jinja.moc"
