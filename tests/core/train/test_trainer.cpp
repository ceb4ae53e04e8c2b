// The trainer of the embedded model: AdamW against a hand-computed step, the learning-rate schedule,
// batches with loss only on answer tokens (multi-turn dialogues, image-token grounding targets), and a smoke
// run on a tiny config whose loss must fall and which resumes exactly from its checkpoint.
#include <ATen/ATen.h>

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <set>

#include "core/model/loaded_model.h"
#include "core/toy/sample.h"
#include "core/toy/scene_queries.h"
#include "core/toy/seeds.h"
#include "core/train/adamw.h"
#include "core/train/batch_builder.h"
#include "core/train/freed_memory.h"
#include "core/train/trainer.h"
#include "core/train/vision_pretrain.h"
#include "core/util/strings.h"
#include "core/util/system_info.h"

using namespace sightline;
using namespace sightline::train;

namespace {

// 200 dialogues per step from the plain mix, for the shared-colour / shared-shape tests.
TrainOptions confusable_options() {
    TrainOptions o;
    o.batch = 200;
    o.data_seed = 5000;
    o.focus_phases = {};
    return o;
}
// Dialogues whose scene satisfies `predicate`; -1 if a turn leaves the first turn's scene or a seed
// leaves the training range.
int count_scenes(const std::vector<std::vector<toy::Sample>>& dialogues,
                 bool (*predicate)(const toy::Scene&)) {
    int n = 0;
    for (const auto& d : dialogues) {
        n += predicate(d.front().scene) ? 1 : 0;
        if (!toy::is_training_seed(d.front().seed)) return -1;
        for (const toy::Sample& turn : d)
            if (turn.scene.seed != d.front().scene.seed) return -1;
    }
    return n;
}

}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

  private Q_SLOTS:
    void adamw_matches_hand_computation() {
        at::Tensor w = at::tensor({1.0f, -2.0f}).reshape({1, 2}).requires_grad_(true);
        at::Tensor b = at::tensor({0.5f}).requires_grad_(true);
        AdamWOptions o;
        o.beta1 = 0.9, o.beta2 = 0.99, o.eps = 1e-8, o.weight_decay = 0.1;
        AdamW opt({{"w", w}, {"b", b}}, o);
        (w.sum() * 3 + b.sum() * -1).backward();  // grads: w -> 3, b -> -1
        opt.step(0.01);
        // Step 1: m_hat = g, v_hat = g^2, update = lr * g / (|g| + eps) = lr * sign(g); decay only on
        // matrices.
        QVERIFY(std::abs(w[0][0].item<float>() - (1.0f * (1 - 0.001f) - 0.01f)) < 1e-6f);
        QVERIFY(std::abs(w[0][1].item<float>() - (-2.0f * (1 - 0.001f) - 0.01f)) < 1e-6f);
        QVERIFY(std::abs(b[0].item<float>() - (0.5f + 0.01f)) < 1e-6f);
        // Clipping scales the global norm.
        opt.zero_grad();
        (w.sum() * 3 + b.sum() * 4).backward();
        const double norm = opt.clip_grad_norm(1.0);
        QVERIFY(std::abs(norm - std::sqrt(9.0 + 9.0 + 16.0)) < 1e-5);
        const double after =
            std::sqrt(w.grad().pow(2).sum().item<double>() + b.grad().pow(2).sum().item<double>());
        QVERIFY(std::abs(after - 1.0) < 1e-5);
        // State round trip.
        AdamW other({{"w", w}, {"b", b}}, o);
        std::map<std::string, at::Tensor> state;
        for (const auto& [k, v] : opt.state()) state[k] = v;
        other.load_state(state);
        QCOMPARE(other.steps(), std::int64_t{1});
    }

    void patch_labels_follow_the_masks() {
        // Every object patch is labelled with its object's shape and colour; background elsewhere; every
        // object (20 px or more) covers at least one 8-px patch by a quarter, so stage 1 sees all of them.
        for (std::uint64_t seed = 0; seed < 300; ++seed) {
            const toy::Scene s = toy::generate_scene(seed);
            const PatchLabels l = patch_labels(s, 12);
            QCOMPARE(l.shape.size(), std::size_t{144});
            std::vector<int> per_object(s.objects.size(), 0);
            for (std::size_t i = 0; i < 144; ++i) {
                if (l.shape[i] == toy::kShapeCount) {
                    QCOMPARE(l.color[i], std::int64_t{toy::kColorCount});
                    continue;
                }
                const int r = static_cast<int>(i) / 12, c = static_cast<int>(i) % 12;
                bool found = false;
                for (std::size_t k = 0; k < s.objects.size(); ++k) {
                    const auto& o = s.objects[k];
                    if (static_cast<std::int64_t>(o.shape) == l.shape[i] &&
                        static_cast<std::int64_t>(o.color) == l.color[i] &&
                        cv::countNonZero(o.mask(cv::Rect(c * 8, r * 8, 8, 8))) >= 16) {
                        found = true;
                        ++per_object[k];
                    }
                }
                QVERIFY(found);
            }
            for (int n : per_object) QVERIFY(n >= 1);
        }
    }

    void vision_pretraining_learns_patch_labels() {
        ToyTokenIds ids;
        ids.image = 300, ids.pad = 301, ids.vocab = 302;
        Model m(toy_model_config(tiny_toy_size(), ids), ComputeDType::F32);
        m.init_random(3, 0.02);
        m.set_requires_grad(true);
        VisionPretrainOptions vo;
        vo.steps = 60;
        vo.batch = 8;
        vo.lr = 3e-3;
        const VisionPretrainReport r = pretrain_vision_tower(m, vo);
        QVERIFY2(r.last_loss < 0.7 * r.first_loss,
                 qPrintable(QString("%1 -> %2").arg(r.first_loss).arg(r.last_loss)));
        QVERIFY(r.color_accuracy > 0.5);  // colour is the easy half
    }

    void training_keeps_freed_memory_and_restores_the_allocator() {
        // With tcmalloc (the default build) the trainer stops it from handing freed pages back to the kernel
        // and restores the previous release rate afterwards; on any other allocator it does nothing.
        QCOMPARE(QString::fromStdString(live_allocator()), QString(SIGHTLINE_EXPECTED_ALLOCATOR));
        const double before = allocator_release_rate();
        if (QString(SIGHTLINE_EXPECTED_ALLOCATOR) != "tcmalloc") {
            QCOMPARE(before, -1.0);
            QVERIFY(!KeepFreedMemory().active());
            return;
        }
        QVERIFY(before > 0);
        {
            const KeepFreedMemory keep;
            QVERIFY(keep.active());
            QCOMPARE(allocator_release_rate(), 0.0);
        }
        QCOMPARE(allocator_release_rate(), before);
    }

    void learning_rate_schedule() {
        TrainOptions o;
        o.lr = 1e-3, o.min_lr = 1e-5, o.warmup = 10, o.steps = 110;
        QVERIFY(std::abs(learning_rate(o, 0) - 1e-4) < 1e-12);
        QVERIFY(std::abs(learning_rate(o, 9) - 1e-3) < 1e-12);
        QVERIFY(std::abs(learning_rate(o, 10) - 1e-3) < 1e-12);
        QVERIFY(std::abs(learning_rate(o, 60) - (1e-5 + 0.5 * (1e-3 - 1e-5))) < 1e-12);  // half-way: cos = 0
        QVERIFY(std::abs(learning_rate(o, 110) - 1e-5) < 1e-12);
    }

    void focus_phases_select_the_tasks_of_their_steps() {
        const auto phases = parse_focus_phases("10-20:color,20-25:position+exist");
        QCOMPARE(phases.size(), std::size_t{2});
        QCOMPARE(phases[1].begin, std::int64_t{20});
        QCOMPARE(phases[1].end, std::int64_t{25});
        QCOMPARE(phases[1].tasks.size(), std::size_t{2});
        QCOMPARE(format_focus_phases(phases), std::string("10-20:color,20-25:position+exist"));
        QVERIFY(parse_focus_phases("none").empty());
        QCOMPARE(format_focus_phases({}), std::string("none"));
        for (const char* bad : {"10-20", "20-10:color", "a-20:color", "10-20:colour",
                                "10-20:color,15-30:shape", "10-2x:color", "-5:color"})
            QVERIFY_THROWS_EXCEPTION(Error, parse_focus_phases(bad));
        // The committed recipe's phases parse, are ordered and lie inside its 3400 steps.
        const auto recipe = default_focus_phases();
        QVERIFY(!recipe.empty());
        QVERIFY(recipe.back().end <= TrainOptions{}.steps);

        TrainOptions o;
        o.focus_phases = phases;
        o.batch = 24;
        o.dialogue_turns = 3;
        QCOMPARE(task_weights_at(o, 9), default_task_weights());
        QCOMPARE(task_weights_at(o, 10).size(), std::size_t{1});
        QCOMPARE(task_weights_at(o, 19).count(toy::TaskType::Color), std::size_t{1});
        QCOMPARE(task_weights_at(o, 25), default_task_weights());
        // Inside a phase every turn of every dialogue asks the phase's task; outside, the mix asks several.
        for (const auto& d : training_dialogues(o, 12))
            for (const toy::Sample& turn : d) QCOMPARE(turn.task, toy::TaskType::Color);
        std::set<toy::TaskType> in_phase2, in_mix;
        for (const auto& d : training_dialogues(o, 22))
            for (const toy::Sample& turn : d) in_phase2.insert(turn.task);
        QVERIFY(in_phase2 == (std::set<toy::TaskType>{toy::TaskType::Position, toy::TaskType::Exist}));
        for (const auto& d : training_dialogues(o, 30))
            for (const toy::Sample& turn : d) in_mix.insert(turn.task);
        QVERIFY(in_mix.size() >= 5);
        // Same step, same dialogues (the resume test relies on it).
        const auto a = training_dialogues(o, 12), b = training_dialogues(o, 12);
        QCOMPARE(a.front().front().question, b.front().front().question);
    }

    void shared_color_fraction_draws_confusable_scenes() {
        // has_shared_color on hand-made scenes.
        toy::Scene scene;
        scene.objects.resize(3);
        scene.objects[0].color = toy::Color::Red;
        scene.objects[1].color = toy::Color::Blue;
        scene.objects[2].color = toy::Color::Green;
        QVERIFY(!has_shared_color(scene));
        scene.objects[2].color = toy::Color::Red;
        QVERIFY(has_shared_color(scene));
        scene.objects.resize(1);
        QVERIFY(!has_shared_color(scene));

        TrainOptions o = confusable_options();
        const auto count_shared = [](const auto& dialogues) {
            return count_scenes(dialogues, has_shared_color);
        };
        // Off: the natural share (about a quarter of scenes have two objects of one colour).
        const int natural = count_shared(training_dialogues(o, 0));
        QVERIFY2(natural > 20 && natural < 90, qPrintable(QString::number(natural)));
        // All: every dialogue's scene has one.
        o.shared_color_fraction = 1.0;
        QCOMPARE(count_shared(training_dialogues(o, 0)), 200);
        // Half: about half are forced, plus the natural share of the rest; deterministic per step.
        o.shared_color_fraction = 0.5;
        const auto half = training_dialogues(o, 3);
        const int n_half = count_shared(half);
        QVERIFY2(n_half > 100 && n_half < 170, qPrintable(QString::number(n_half)));
        QCOMPARE(training_dialogues(o, 3).back().front().question, half.back().front().question);
    }

    void shared_shape_fraction_draws_confusable_scenes() {
        toy::Scene scene;
        scene.objects.resize(3);
        scene.objects[0].shape = toy::Shape::Star;
        scene.objects[1].shape = toy::Shape::Ring;
        scene.objects[2].shape = toy::Shape::Cross;
        scene.objects[0].color = scene.objects[1].color = toy::Color::Red;  // colour does not count
        QVERIFY(!has_shared_shape(scene));
        scene.objects[2].shape = toy::Shape::Ring;
        QVERIFY(has_shared_shape(scene));
        scene.objects.resize(1);
        QVERIFY(!has_shared_shape(scene));

        TrainOptions o = confusable_options();
        const auto off = training_dialogues(o, 0);
        const int natural_shape = count_scenes(off, has_shared_shape);
        QVERIFY2(natural_shape > 20 && natural_shape < 100, qPrintable(QString::number(natural_shape)));
        o.shared_shape_fraction = 1.0;
        QCOMPARE(count_scenes(training_dialogues(o, 0), has_shared_shape), 200);

        // Both fractions share one draw: with 0.5 each, every dialogue is forced to one kind or the other,
        // about half to each, and the shared-colour half is exactly the one that --shared-color 0.5 alone
        // would force (so adding shapes leaves a colour-only recipe's colour dialogues unchanged).
        o.shared_color_fraction = 0.5;
        o.shared_shape_fraction = 0.5;
        const auto both = training_dialogues(o, 3);
        int forced = 0;
        for (const auto& d : both)
            forced += has_shared_color(d.front().scene) || has_shared_shape(d.front().scene) ? 1 : 0;
        QCOMPARE(forced, 200);
        o.shared_shape_fraction = 0;
        const auto colour_only = training_dialogues(o, 3);
        int same = 0;
        for (std::size_t i = 0; i < both.size(); ++i)
            if (both[i].front().seed == colour_only[i].front().seed) ++same;
        // Colour-forced dialogues match; shape-forced ones differ unless the sample seed already had both.
        QVERIFY2(same > 80 && same < 190, qPrintable(QString::number(same)));
        QVERIFY2(count_scenes(colour_only, has_shared_shape) < count_scenes(both, has_shared_shape),
                 "forcing shapes must add shared-shape scenes");
    }

    void relation_decoy_fraction_draws_decoyed_scenes() {
        // Hand-made 3x3 layouts: (row, col) per object.
        const auto layout = [](std::vector<std::pair<int, int>> cells) {
            toy::Scene scene;
            for (const auto& [r, c] : cells) {
                toy::SceneObject o;
                o.cell_row = r;
                o.cell_col = c;
                scene.objects.push_back(o);
            }
            return scene;
        };
        // A at the centre, B middle left, C top left: "left of A" -> B, and C is a decoy (left, other row);
        // "right of B" -> A has no decoy (nothing else right of B), so not every relation question is
        // decoyed.
        const toy::Scene abc = layout({{1, 1}, {1, 0}, {0, 0}});
        QCOMPARE(toy::relation_decoys(abc, 0, toy::Relation::LeftOf), std::vector<int>{2});
        QCOMPARE(toy::relation_decoys(abc, 0, toy::Relation::Above), std::vector<int>{2});  // C is up too
        QCOMPARE(toy::relation_decoys(abc, 2, toy::Relation::Below), std::vector<int>{0});
        QCOMPARE(toy::relation_decoys(abc, 1, toy::Relation::RightOf), std::vector<int>{});
        QVERIFY(!has_only_decoyed_relations(abc));
        // A row of two with a third object between them one row up: both relation questions ("right of A"
        // -> B, "left of B" -> A) have it as their decoy.
        const toy::Scene decoyed = layout({{1, 0}, {1, 2}, {0, 1}});
        QVERIFY(has_only_decoyed_relations(decoyed));
        QVERIFY(!has_only_decoyed_relations(layout({{0, 0}, {1, 1}})));  // no relation question at all
        QVERIFY(!has_only_decoyed_relations(layout({{0, 0}, {0, 2}})));  // relations without decoys

        TrainOptions o = confusable_options();
        const int natural = count_scenes(training_dialogues(o, 0), has_only_decoyed_relations);
        QVERIFY2(natural >= 5 && natural < 80, qPrintable(QString::number(natural)));
        o.relation_decoy_fraction = 1.0;
        QCOMPARE(count_scenes(training_dialogues(o, 0), has_only_decoyed_relations), 200);
        // The third share of the one draw: with colour and shape at 0.4, the colour and shape dialogues are
        // those of the recipe without decoys.
        o.shared_color_fraction = 0.4;
        o.shared_shape_fraction = 0.4;
        o.relation_decoy_fraction = 0.2;
        const auto three = training_dialogues(o, 3);
        QCOMPARE(count_scenes(three,
                              [](const toy::Scene& s) {
                                  return has_shared_color(s) || has_shared_shape(s) ||
                                         has_only_decoyed_relations(s);
                              }),
                 200);
        o.relation_decoy_fraction = 0;
        const auto two = training_dialogues(o, 3);
        int same = 0;
        for (std::size_t i = 0; i < two.size(); ++i) same += two[i].front().seed == three[i].front().seed;
        QVERIFY2(same >= 150 && same < 200, qPrintable(QString::number(same)));
    }

    void smoke_training_run_learns_and_resumes() {
        const std::string out = (tmp_.path() + "/toy").toStdString();
        TrainOptions o;
        o.out_dir = out;
        o.size = tiny_toy_size();
        o.steps = 50;
        o.stop_at_step = 40;  // stop early, as a session that ends would; the schedule is for 50 steps
        o.batch = 8;
        o.lr = 3e-3;
        o.warmup = 5;
        o.eval_every = 0;
        o.checkpoint_every = 20;
        o.log_every = 10;
        o.tokenizer_vocab = 300;
        o.vision_pretrain_steps = 30;
        o.vision_pretrain_batch = 8;
        o.dialogue_turns = 2;  // multi-turn batches and the grounding loss on, but kept short for CI
        o.focus_phases = parse_focus_phases("25-30:color");  // a focus phase inside the run, before the stop
        const TrainReport r = train_toy(o);
        QVERIFY(!r.finished);
        QCOMPARE(r.last_step, std::int64_t{40});
        QVERIFY2(r.last_loss < 0.6 * r.first_loss,
                 qPrintable(QString("loss did not fall: %1 -> %2").arg(r.first_loss).arg(r.last_loss)));
        // The result is a real Hugging Face folder that loads through the normal path and answers.
        const auto m = load_model(out);
        QVERIFY(m->tokenizer);
        QCOMPARE(m->config.image_token_count(), std::int64_t{144});
        QCOMPARE(m->chat_template, ChatTemplateKind::Llava15);
        QVERIFY(file_exists(out + "/preprocessor_config.json"));
        // Batches: loss targets are exactly the answer tokens plus </s>.
        const BatchBuilder builder(*m->tokenizer, m->config, toy_image_processor(), toy_token_ids(out));
        const toy::Sample s = toy::make_sample(123, toy::TaskType::Color);
        const auto [prompt, answer] = builder.encode(s);
        QCOMPARE(answer.back(), std::int64_t{2});
        QCOMPARE(
            QString::fromStdString(m->tokenizer->decode({answer.begin(), answer.end() - 1}, true)).trimmed(),
            QString::fromStdString(s.answer));
        const TrainBatch b = builder.build({s, toy::make_sample(7, toy::TaskType::Describe)});
        QCOMPARE(b.answer_tokens, static_cast<std::int64_t>(b.targets.size(0)));
        QCOMPARE(b.ids.size(0), std::int64_t{2});

        // Multi-turn dialogues: one image, every turn's answer (+ </s>) supervised with equal weight.
        const toy::Sample first = toy::make_sample(321, toy::TaskType::Color);
        const std::vector<toy::Sample> dialogue = {
            first, toy::make_sample_on_scene(first.scene, toy::TaskType::Count, 5),
            toy::make_sample_on_scene(first.scene, toy::TaskType::Describe, 6)};
        const TrainBatch d = builder.build_dialogues({dialogue});
        QCOMPARE(d.turns, std::int64_t{3});
        const auto ids = d.ids[0];
        QCOMPARE(ids.eq(toy_token_ids(out).image).sum().item<std::int64_t>(), std::int64_t{144});
        QCOMPARE(ids.eq(1).sum().item<std::int64_t>(), std::int64_t{1});        // one <s>
        QCOMPARE(d.targets.eq(2).sum().item<std::int64_t>(), std::int64_t{3});  // one </s> per turn
        QVERIFY(std::abs(d.weights.sum().item<double>() - 1.0) < 1e-5);
        std::string supervised;
        std::vector<std::int64_t> turn;
        for (std::int64_t i = 0; i < d.targets.size(0); ++i) {
            const std::int64_t t = d.targets[i].item<std::int64_t>();
            QCOMPARE(d.ids.flatten()[d.predict_at[i].item<std::int64_t>() + 1].item<std::int64_t>(), t);
            if (t == 2) {
                supervised += trim(m->tokenizer->decode(turn, true)) + "|";
                turn.clear();
            } else {
                turn.push_back(t);
            }
        }
        std::string expected;
        for (const auto& x : dialogue) expected += x.answer + "|";
        QCOMPARE(QString::fromStdString(supervised).simplified(),
                 QString::fromStdString(expected).simplified());
        const std::string text =
            m->tokenizer->decode(std::vector<std::int64_t>(ids.data_ptr<std::int64_t>(),
                                                           ids.data_ptr<std::int64_t>() + ids.size(0)),
                                 true);
        QVERIFY2(text.find("ASSISTANT: " + first.answer) != std::string::npos, text.c_str());
        QVERIFY2(text.find("USER: " + dialogue[1].question + " ASSISTANT:") != std::string::npos,
                 text.c_str());
        // Turns that would overflow the 512-position context are dropped, never the first one.
        std::vector<toy::Sample> chatty(12, toy::make_sample(99, toy::TaskType::Describe));
        const TrainBatch long_batch = builder.build_dialogues({chatty});
        QVERIFY(long_batch.turns >= 1 && long_batch.turns < 12);
        QVERIFY(long_batch.ids.size(1) <= 512);
        // Grounding targets: object patches decode to their colour, shape and position words, background
        // patches to </s>; weights sum to 1.
        QVERIFY(std::abs(d.ground_weights.sum().item<double>() - 1.0) < 1e-5);
        const PatchLabels labels = patch_labels(first.scene, 12);
        const std::int64_t first_image =
            ids.eq(toy_token_ids(out).image).nonzero()[0][0].item<std::int64_t>();
        for (std::size_t p = 0; p < 144; ++p) {
            std::set<std::int64_t> got;
            for (std::int64_t i = 0; i < d.ground_at.size(0); ++i)
                if (d.ground_at[i].item<std::int64_t>() == first_image + static_cast<std::int64_t>(p))
                    got.insert(d.ground_targets[i].item<std::int64_t>());
            std::set<std::int64_t> want;
            if (labels.object[p] < 0) {
                want = {2};
            } else {
                const auto& obj = first.scene.objects[static_cast<std::size_t>(labels.object[p])];
                want = {builder.word_token(toy::to_string(obj.color)),
                        builder.word_token(toy::to_string(obj.shape))};
                for (const auto& w : split(obj.position(), ' ')) want.insert(builder.word_token(w));
            }
            QCOMPARE(got, want);
        }

        // Resume: continuing to 50 steps from the step-40 checkpoint equals training 50 in one go.
        o.stop_at_step = 0;
        const TrainReport resumed = train_toy(o);
        QCOMPARE(resumed.first_step, std::int64_t{40});
        QVERIFY(resumed.finished);
        const std::string straight_dir = (tmp_.path() + "/toy_straight").toStdString();
        TrainOptions s50 = o;
        s50.out_dir = straight_dir;
        s50.stop_at_step = 0;
        s50.checkpoint_every = 0;
        // Share the tokenizer so both runs see identical ids.
        QVERIFY(QFile::copy(QString::fromStdString(out + "/tokenizer.model"),
                            QString::fromStdString(straight_dir + "/tokenizer.model")) ||
                (QDir().mkpath(QString::fromStdString(straight_dir)) &&
                 QFile::copy(QString::fromStdString(out + "/tokenizer.model"),
                             QString::fromStdString(straight_dir + "/tokenizer.model"))));
        train_toy(s50);
        const auto a = load_model(out);
        const auto c = load_model(straight_dir);
        const auto pa = a->model->named_parameters();
        const auto pc = c->model->named_parameters();
        float max_diff = 0;
        for (std::size_t i = 0; i < pa.size(); ++i)
            max_diff = std::max(max_diff, (pa[i].second - pc[i].second).abs().max().item<float>());
        QVERIFY2(max_diff < 1e-5f, qPrintable(QString("resumed run differs by %1").arg(max_diff)));

        // A further stage from the finished model: its weights and tokenizer, no vision pretraining, a fresh
        // schedule. It starts where the first run ended (far below a random start).
        TrainOptions more = o;
        more.out_dir = (tmp_.path() + "/toy_more").toStdString();
        more.init_from = out;
        more.steps = 10;
        more.warmup = 2;
        more.data_seed = 50 * 8;  // after the first run's samples
        more.checkpoint_every = 0;
        more.focus_phases = parse_focus_phases("0-5:color");
        const TrainReport cont = train_toy(more);
        QCOMPARE(cont.first_step, std::int64_t{0});
        QCOMPARE(cont.vision_pretrain_seconds, 0.0);
        QVERIFY2(cont.first_loss < 0.8 * r.first_loss,
                 qPrintable(QString("continued run starts at %1, a fresh one at %2")
                                .arg(cont.first_loss)
                                .arg(r.first_loss)));
        QCOMPARE(read_text_file(more.out_dir + "/tokenizer.model"), read_text_file(out + "/tokenizer.model"));
        QVERIFY(load_model(more.out_dir)->tokenizer);
        more.init_from = tmp_.path().toStdString() + "/no_such_model";
        more.out_dir = (tmp_.path() + "/toy_bad").toStdString();
        QVERIFY_THROWS_EXCEPTION(Error, train_toy(more));
    }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "test_trainer.moc"
