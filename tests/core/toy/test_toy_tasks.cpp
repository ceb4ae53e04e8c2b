// Question/answer samples of the scene world: every answer is checked against the scene by logic
// written independently here, plus word annotations, balance, determinism, matching and the corpus.
#include "core/toy/answer_match.h"
#include "core/toy/corpus.h"
#include "core/toy/sample.h"
#include "core/toy/seeds.h"

#include <QtTest>

#include <chrono>
#include <map>
#include <set>
#include <sstream>

using namespace sightline::toy;

namespace {

const char* const kColors[] = {"red", "green", "blue", "yellow", "purple", "orange", "white", "gray"};
const char* const kShapes[] = {"circle", "square", "triangle", "star", "cross", "ring"};
const char* const kNumbers[] = {"zero", "one", "two", "three", "four"};
const char* const kRows[] = {"top", "middle", "bottom"};
const char* const kCols[] = {"left", "center", "right"};

std::string position_of(const SceneObject& o) {
    if (o.cell_row == 1 && o.cell_col == 1) return "center";
    return std::string(kRows[o.cell_row]) + " " + kCols[o.cell_col];
}
std::string color_of(const SceneObject& o) {
    return kColors[int(o.color)];
}
std::string shape_of(const SceneObject& o) {
    return kShapes[int(o.shape)];
}

std::vector<std::string> tokens(const std::string& text) {
    std::string cleaned;
    for (char c : text) cleaned += (c == '?' || c == '.' || c == ',') ? ' ' : c;
    std::istringstream in(cleaned);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// The colour and shape named in a question (empty when none).
std::pair<std::string, std::string> named_kind(const std::string& question) {
    std::string color, shape;
    for (const std::string& w : tokens(question)) {
        for (const char* c : kColors)
            if (w == c) color = w;
        for (const char* s : kShapes)
            if (w == s) shape = w;
    }
    return {color, shape};
}

// Objects matching the (possibly empty) colour and shape.
std::vector<int> matching(const Scene& scene, const std::string& color, const std::string& shape) {
    std::vector<int> out;
    for (size_t i = 0; i < scene.objects.size(); ++i) {
        const SceneObject& o = scene.objects[i];
        if ((color.empty() || color_of(o) == color) && (shape.empty() || shape_of(o) == shape))
            out.push_back(int(i));
    }
    return out;
}

std::string expected_description(const Scene& scene) {
    std::string s;
    const size_t n = scene.objects.size();
    for (size_t i = 0; i < n; ++i) {
        const SceneObject& o = scene.objects[i];
        if (i > 0) s += (i + 1 == n) ? " and " : ", ";
        s += position_of(o) == "center" ? "in the center" : "at the " + position_of(o);
        if (i == 0) s += " there is";
        s += (color_of(o) == "orange" ? " an " : " a ") + color_of(o) + " " + shape_of(o);
    }
    return s + ".";
}

// The answer the scene demands for the sample's question, computed from scratch.
std::string expected_answer(const Sample& s) {
    const Scene& scene = s.scene;
    const auto [color, shape] = named_kind(s.question);
    const std::vector<std::string> q = tokens(s.question);
    const auto has = [&](const char* w) { return std::find(q.begin(), q.end(), w) != q.end(); };
    switch (s.task) {
        case TaskType::Color: {
            const auto m = matching(scene, "", shape);
            return color.empty() && m.size() == 1 ? color_of(scene.objects[size_t(m[0])]) : "<bad question>";
        }
        case TaskType::Shape: {
            const auto m = matching(scene, color, "");
            return shape.empty() && m.size() == 1 ? shape_of(scene.objects[size_t(m[0])]) : "<bad question>";
        }
        case TaskType::Count:
            return kNumbers[scene.objects.size()];
        case TaskType::Exist:
            return matching(scene, color, shape).empty() ? "no" : "yes";
        case TaskType::Position: {
            const auto m = matching(scene, color, shape);
            return m.size() == 1 ? position_of(scene.objects[size_t(m[0])]) : "<ambiguous>";
        }
        case TaskType::Relation: {
            const auto m = matching(scene, color, shape);
            if (m.size() != 1) return "<ambiguous>";
            const SceneObject& a = scene.objects[size_t(m[0])];
            std::vector<int> hits;
            for (size_t i = 0; i < scene.objects.size(); ++i) {
                const SceneObject& b = scene.objects[i];
                const bool row = b.cell_row == a.cell_row, col = b.cell_col == a.cell_col;
                if ((has("left") && row && b.cell_col < a.cell_col) ||
                    (has("right") && row && b.cell_col > a.cell_col) ||
                    (has("above") && col && b.cell_row < a.cell_row) ||
                    (has("below") && col && b.cell_row > a.cell_row))
                    hits.push_back(int(i));
            }
            if (hits.size() != 1) return "<not unique>";
            const SceneObject& b = scene.objects[size_t(hits[0])];
            return "the " + color_of(b) + " " + shape_of(b);
        }
        case TaskType::Describe:
            return expected_description(scene);
    }
    return "<unknown task>";
}

// Offsets cover the text word by word; colour/shape words name the right object.
void check_words(const std::string& text, const std::vector<AnswerWord>& words, const Scene& scene,
                 bool objects_required) {
    size_t pos = 0;
    std::string rebuilt;
    for (const AnswerWord& w : words) {
        QVERIFY(w.char_begin >= pos && w.char_end > w.char_begin && w.char_end <= text.size());
        QCOMPARE(text.substr(w.char_begin, w.char_end - w.char_begin), w.text);
        QVERIFY(text.substr(pos, w.char_begin - pos).find_first_not_of(' ') == std::string::npos);
        pos = w.char_end;
        if (w.kind == WordKind::ObjectColor || w.kind == WordKind::ObjectShape) {
            if (objects_required) QVERIFY(w.object >= 0);
            if (w.object >= 0) {
                const SceneObject& o = scene.objects.at(size_t(w.object));
                QCOMPARE(w.text, w.kind == WordKind::ObjectColor ? color_of(o) : shape_of(o));
            }
        } else {
            QCOMPARE(w.object, -1);
        }
        if (w.text == "," || w.text == "." || w.text == "?") QCOMPARE(w.kind, WordKind::Function);
    }
    QCOMPARE(pos, text.size());
}

}  // namespace

class TestToyTasks : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void taskNames() {
        QCOMPARE(all_tasks().size(), size_t(7));
        const char* names[] = {"color", "shape", "count", "exist", "position", "relation", "describe"};
        for (size_t i = 0; i < 7; ++i) {
            QCOMPARE(to_string(all_tasks()[i]), std::string(names[i]));
            QCOMPARE(parse_task(names[i]), std::optional<TaskType>(all_tasks()[i]));
        }
        QVERIFY(!parse_task("colour"));
    }

    void answersAreCorrect() {
        std::map<TaskType, int> seen;
        for (uint64_t seed = 0; seed < 3000; ++seed) {
            const Sample s = make_sample(seed);
            QCOMPARE(s.seed, seed);
            QCOMPARE(s.scene.seed, seed);  // free choice never regenerates the scene
            ++seen[s.task];
            QVERIFY2(s.answer == expected_answer(s), (s.question + " -> " + s.answer).c_str());
        }
        for (TaskType t : all_tasks()) QVERIFY2(seen[t] > 150, to_string(t).c_str());
    }

    void forcedTasksAreCorrect() {
        for (TaskType task : all_tasks()) {
            for (uint64_t seed = kHeldOutSeedBase; seed < kHeldOutSeedBase + 300; ++seed) {
                const Sample s = make_sample(seed, task);
                QCOMPARE(s.task, task);
                QVERIFY(s.scene.seed == seed || (s.scene.seed & kDerivedSeedBit));
                QVERIFY2(s.answer == expected_answer(s), (s.question + " -> " + s.answer).c_str());
                const std::vector<TaskType> ok = answerable_tasks(s.scene);
                QVERIFY(std::find(ok.begin(), ok.end(), task) != ok.end());
            }
        }
    }

    void relationAskedReadsBackTheQuestion() {
        int with_decoy = 0, total = 0;
        for (uint64_t seed = kHeldOutSeedBase; seed < kHeldOutSeedBase + 300; ++seed) {
            const Sample s = make_sample(seed, TaskType::Relation);
            const auto asked = relation_asked(s);
            QVERIFY(asked.has_value());
            // The anchor is the object the question names, the answer the one object in the relation.
            const auto related = related_objects(s.scene, asked->anchor, asked->relation);
            QCOMPARE(related.size(), std::size_t{1});
            const SceneObject& b = s.scene.objects[size_t(related[0])];
            QCOMPARE(s.answer, "the " + color_of(b) + " " + shape_of(b));
            QVERIFY2(s.question.find(to_string(asked->relation)) != std::string::npos, s.question.c_str());
            // Decoys lie in the asked direction, outside the relation.
            for (int d : relation_decoys(s.scene, asked->anchor, asked->relation)) {
                QVERIFY(d != asked->anchor && d != related[0]);
                QVERIFY(!in_relation(s.scene.objects[size_t(d)], asked->relation,
                                     s.scene.objects[size_t(asked->anchor)]));
                ++with_decoy;
                break;
            }
            ++total;
        }
        // Most held-out relation questions with three or four objects have one (57% of validation ones).
        QVERIFY2(with_decoy > total / 3 && with_decoy < total, qPrintable(QString::number(with_decoy)));
        QVERIFY(!relation_asked(make_sample(kHeldOutSeedBase, TaskType::Color)).has_value());
    }

    void wordsAreConsistent() {
        for (uint64_t seed = 0; seed < 1500; ++seed) {
            const Sample s = make_sample(seed, all_tasks()[seed % 7]);
            const bool negative = s.task == TaskType::Exist && s.answer == "no";
            check_words(s.answer, s.words, s.scene, true);
            check_words(s.question, s.question_words, s.scene, !negative);
            QVERIFY(!s.words.empty());
            const WordKind first = s.words.front().kind;
            switch (s.task) {
                case TaskType::Color:
                    QCOMPARE(first, WordKind::ObjectColor);
                    break;
                case TaskType::Shape:
                    QCOMPARE(first, WordKind::ObjectShape);
                    break;
                case TaskType::Count:
                    QCOMPARE(first, WordKind::Number);
                    break;
                case TaskType::Exist:
                    QCOMPARE(first, WordKind::YesNo);
                    break;
                case TaskType::Position:
                    for (const AnswerWord& w : s.words) QCOMPARE(w.kind, WordKind::Position);
                    break;
                case TaskType::Relation:
                    QCOMPARE(s.words.size(), size_t(3));
                    QCOMPARE(s.words[1].object, s.words[2].object);
                    break;
                case TaskType::Describe: {
                    std::set<int> named;
                    for (const AnswerWord& w : s.words)
                        if (w.object >= 0) named.insert(w.object);
                    QCOMPARE(named.size(), s.scene.objects.size());
                    QVERIFY(s.answer.back() == '.');
                    break;
                }
            }
            if (s.task == TaskType::Color || s.task == TaskType::Shape) {
                // The single answer word and the question's object word name the same object.
                bool found = false;
                for (const AnswerWord& w : s.question_words)
                    if (w.object >= 0) found = found || w.object == s.words[0].object;
                QVERIFY(found);
            }
            if (s.task != TaskType::Describe) QVERIFY(s.answer.find('.') == std::string::npos);
            QCOMPARE(QString::fromStdString(s.answer).toLower().toStdString(), s.answer);
        }
    }

    void existIsBalanced() {
        int yes = 0;
        for (uint64_t seed = 0; seed < 500; ++seed) yes += make_sample(seed, TaskType::Exist).answer == "yes";
        QVERIFY2(yes > 200 && yes < 300, std::to_string(yes).c_str());
    }

    void samplesAreDeterministic() {
        for (uint64_t seed : {uint64_t(3), uint64_t(99), kHeldOutSeedBase + 17}) {
            for (std::optional<TaskType> task :
                 {std::optional<TaskType>(), std::optional(TaskType::Relation)}) {
                const Sample a = make_sample(seed, task), b = make_sample(seed, task);
                QCOMPARE(a.question, b.question);
                QCOMPARE(a.answer, b.answer);
                QCOMPARE(a.scene.seed, b.scene.seed);
                QCOMPARE(cv::norm(a.scene.image, b.scene.image, cv::NORM_INF), 0.0);
            }
        }
        std::set<std::string> distinct;
        for (uint64_t seed = 0; seed < 100; ++seed)
            distinct.insert(make_sample(seed, TaskType::Describe).answer);
        QVERIFY(distinct.size() > 90);
    }

    void answersMatch() {
        QVERIFY(answers_match("red", "red"));
        QVERIFY(answers_match("  Red\n", "red"));
        QVERIFY(answers_match("there is a red star", "there is a red star."));
        QVERIFY(answers_match("there is a red star. ", "there is a red star."));
        QVERIFY(answers_match("TOP LEFT", "top left"));
        QVERIFY(!answers_match("a red", "red"));
        QVERIFY(!answers_match("", "red"));
        QVERIFY(!answers_match("the blue square", "the blue circle"));
        QVERIFY(!answers_match("yes.", "yes.."));
        QCOMPARE(normalize_answer(" Three. "), std::string("three"));
    }

    void corpusCoversEveryWord() {
        const std::string corpus = corpus_for_tokenizer(0, 0);
        std::set<std::string> vocabulary;
        for (const std::string& w : tokens(corpus)) vocabulary.insert(w);
        for (uint64_t seed = 0; seed < 3000; ++seed) {
            const Sample s = make_sample(seed, all_tasks()[seed % 7]);
            for (const std::string& w : tokens(s.question + " " + s.answer))
                QVERIFY2(vocabulary.count(w), w.c_str());
        }
        const std::string with_samples = corpus_for_tokenizer(14, kHeldOutSeedBase);
        QVERIFY(with_samples.size() > corpus.size());
        QVERIFY(with_samples.find("describe the image.") != std::string::npos);
        QCOMPARE(corpus_for_tokenizer(14, kHeldOutSeedBase), with_samples);
    }

    void generationIsFast() {
        constexpr int n = 5000;
        size_t total = 0;
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < n; ++i) total += make_sample(kHeldOutSeedBase + uint64_t(i)).answer.size();
        const double us =
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / n;
        qInfo("make_sample: %.1f us per sample (%.0f samples/s), %zu answer chars", us, 1e6 / us, total);
        QVERIFY2(us < 5000.0, "sample generation far slower than expected");
    }
};

QTEST_APPLESS_MAIN(TestToyTasks)
#include "test_toy_tasks.moc"
