#include "core/train/toy_eval.h"

#include "core/generate/generator.h"
#include "core/toy/answer_match.h"
#include "core/toy/sample.h"
#include "core/toy/vocabulary.h"
#include "core/util/error.h"
#include "core/util/stopwatch.h"

#include <algorithm>

namespace sightline::train {

std::vector<std::string> object_words(const std::string& text) {
    std::vector<std::string> out;
    std::string word;
    auto flush = [&] {
        if (!word.empty() && (toy::parse_color(word) || toy::parse_shape(word))) out.push_back(word);
        word.clear();
    };
    for (char c : text) {
        if (std::isalpha(static_cast<unsigned char>(c)))
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else
            flush();
    }
    flush();
    return out;
}

nlohmann::json ToyEvalResult::to_json() const {
    nlohmann::json tasks = nlohmann::json::object();
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& [task, ct] : by_task) {
        tasks[task] = rate(ct);
        counts[task] = ct.second;
    }
    nlohmann::json fails = nlohmann::json::array();
    for (const auto& f : failures)
        fails.push_back({{"seed", f.seed},
                         {"task", f.task},
                         {"question", f.question},
                         {"expected", f.expected},
                         {"predicted", f.predicted}});
    return {{"n", n},
            {"overall", overall()},
            {"by_task", tasks},
            {"count_by_task", counts},
            {"description_object_words", description_object_words()},
            {"descriptions", descriptions},
            {"relation_decoys",
             {{"with_decoy", rate(relation_with_decoy)},
              {"with_decoy_n", relation_with_decoy.second},
              {"without_decoy", rate(relation_without_decoy)},
              {"without_decoy_n", relation_without_decoy.second}}},
            {"mean_ms_per_question", mean_ms_per_question},
            {"failures", fails}};
}

ToyEvalResult evaluate_toy(const LoadedModel& model, const ToyEvalOptions& o) {
    if (!model.config.multimodal || !model.tokenizer)
        fail("toy evaluation needs a multimodal model with a tokenizer");
    const auto tasks = toy::all_tasks();
    ToyEvalResult r;
    double total_ms = 0;
    auto wanted = [&](toy::TaskType t) {
        return o.only_tasks.empty() ||
               std::find(o.only_tasks.begin(), o.only_tasks.end(), t) != o.only_tasks.end();
    };
    for (int i = 0; i < o.n; ++i) {
        if (o.cancel != nullptr && o.cancel->load()) throw CancelledError();
        const std::uint64_t seed = o.first_seed + static_cast<std::uint64_t>(i);
        const toy::TaskType balanced = tasks[static_cast<std::size_t>(i) % tasks.size()];
        // In the balanced set the task is known before the scene is built, so skipped seeds cost nothing.
        const bool skip_early = o.balanced_tasks && !wanted(balanced);
        const toy::Sample s = skip_early         ? toy::Sample{}
                              : o.balanced_tasks ? toy::make_sample(seed, balanced)
                                                 : toy::make_sample(seed);
        if (skip_early || !wanted(s.task)) {
            if (o.progress) o.progress(i + 1, o.n);
            continue;
        }
        PromptRequest req;
        req.question = s.question;
        req.image_rgb = s.scene.image;
        GenerationSettings g;
        g.max_new_tokens = o.max_new_tokens;
        g.alternatives = 0;
        Stopwatch clock;
        const Trace t = generate(model, prepare_prompt(model, req), g);
        total_ms += clock.elapsed_ms();
        const std::string task = toy::to_string(s.task);
        const bool ok = toy::answers_match(t.answer_text, s.answer);
        auto& ct = r.by_task[task];
        ct.second += 1;
        ct.first += ok ? 1 : 0;
        r.correct += ok ? 1 : 0;
        ++r.n;
        if (s.task == toy::TaskType::Describe) {
            ++r.descriptions;
            r.descriptions_objects_right += object_words(t.answer_text) == object_words(s.answer) ? 1 : 0;
        }
        if (const auto asked = toy::relation_asked(s)) {
            auto& split = toy::relation_decoys(s.scene, asked->anchor, asked->relation).empty()
                              ? r.relation_without_decoy
                              : r.relation_with_decoy;
            split.second += 1;
            split.first += ok ? 1 : 0;
        }
        if (!ok && static_cast<int>(r.failures.size()) < o.max_failures)
            r.failures.push_back({seed, task, s.question, s.answer, t.answer_text});
        if (o.progress) o.progress(i + 1, o.n);
    }
    r.mean_ms_per_question = r.n ? total_ms / r.n : 0.0;
    return r;
}

}  // namespace sightline::train
