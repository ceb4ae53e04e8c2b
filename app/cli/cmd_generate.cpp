// sightline-cli generate: one prompt (+ optional image) through the model, streaming the answer.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/model_options.h"
#include "core/generate/generator.h"
#include "core/util/error.h"
#include "core/util/stopwatch.h"

namespace sightline::cli {

GenerationSettings settings_from(const Args& a) {
    GenerationSettings s;
    s.max_new_tokens = a.get_int("max-new-tokens", 64);
    s.temperature = a.get_double("temperature", 0.0);
    s.top_p = a.get_double("top-p", 1.0);
    s.top_k = a.get_int("top-k", 0);
    s.seed = a.get_u64("seed", 0);
    return s;
}

PromptRequest prompt_from(const Args& a) {
    PromptRequest r;
    if (a.has("prompt") == a.has("prompt-ids"))
        fail("give exactly one of --prompt TEXT or --prompt-ids \"1 2 3\"");
    if (a.has("prompt"))
        r.question = a.require("prompt");
    else
        r.ids = parse_id_list(a.require("prompt-ids"));
    r.image_rgb = image_from(a);
    r.image_label = a.get("image");
    r.use_chat_template = !a.has("no-template");
    conversation_from(a, r);
    if ((!r.system.empty() || !r.turns.empty()) && !r.ids.empty())
        fail("--system and --turns need --prompt TEXT (raw --prompt-ids take no template)");
    return r;
}

int cmd_generate(const Words& words) {
    const Args a(words, {"json", "no-template", "no-stop", "help"});
    if (a.has("help")) {
        std::cout
            << "usage: sightline-cli generate --model DIR [--image PATH] (--prompt TEXT | --prompt-ids "
               "\"1 2 3\")\n"
               "       [--max-new-tokens N] [--temperature T] [--top-p P] [--top-k K] [--seed S]\n"
               "       [--system TEXT] [--turns FILE.json]\n"
               "       [--dtype auto|f32|bf16] [--threads N] [--no-template] [--no-stop] [--json]\n"
               "  --no-stop: run all --max-new-tokens steps, end-of-sequence ids included\n"
            << kConversationHelp
            << "--json prints the ids, the answer, the rendered prompt (prompt_text) and template_warning.\n";
        return 0;
    }
    std::set<std::string> known = kModelOptions;
    known.insert({"image", "prompt", "prompt-ids", "max-new-tokens", "temperature", "top-p", "top-k", "seed",
                  "json", "no-template", "no-stop", "help"});
    known.insert(kConversationOptions.begin(), kConversationOptions.end());
    a.allow_only(known);
    const bool json = a.has("json");
    const PromptRequest request = prompt_from(a);
    GenerationSettings settings = settings_from(a);
    if (a.has("no-stop")) settings.stop_ids = {-1};  // as transformers' greedy references (eos_token_id=None)
    const auto model = load_model_from(a);
    PreparedPrompt prompt = prepare_prompt(*model, request);

    GenerationCallbacks cb;
    if (!json) {
        cb.on_token = [](const Trace& t) {
            std::cout << t.tokens.back().text << std::flush;
            return true;
        };
    }
    const Trace trace = generate(*model, std::move(prompt), settings, cb);
    if (json) {
        nlohmann::json steps = nlohmann::json::array();
        for (const auto& s : trace.steps) {
            nlohmann::json top = nlohmann::json::array();
            for (const auto& alt : s.top)
                top.push_back({{"id", alt.id}, {"text", alt.text}, {"prob", alt.prob}});
            steps.push_back({{"id", s.id}, {"prob", s.prob}, {"top", top}});
        }
        std::vector<std::int64_t> input_ids(trace.tokens.size() -
                                            static_cast<std::size_t>(trace.answer_size()));
        for (std::size_t i = 0; i < input_ids.size(); ++i) input_ids[i] = trace.tokens[i].id;
        nlohmann::json out = {{"model", trace.model_name},
                              {"input_ids", input_ids},
                              {"output_ids", trace.answer_ids()},
                              {"stop_reason", trace.stop_reason},
                              {"load_ms", model->load_ms},
                              {"prefill_ms", trace.prefill_ms},
                              {"decode_ms", trace.decode_ms},
                              {"steps", steps},
                              {"dtype", to_string(model->model->dtype())},  // the compute (activation) dtype
                              {"int8_weights", model->model->int8_weights()},
                              {"threads", active_threads()}};
        if (model->tokenizer) {
            out["output_text"] = trace.answer_text;
            out["prompt_text"] = trace.prompt_text;
        }
        out["template_warning"] = trace.template_warning;
        if (trace.has_image()) out["grid"] = {trace.grid_h, trace.grid_w};
        std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
        if (!trace.template_warning.empty()) std::cerr << "\nwarning: " << trace.template_warning << "\n";
        if (!model->tokenizer) {
            std::cout << "\n";
            for (auto id : trace.answer_ids()) std::cout << id << ' ';
        }
        std::cout << "\n";
        std::cerr << cat("[", trace.answer_size(), " tokens, stop: ", trace.stop_reason, "; load ",
                         int(model->load_ms), " ms, prefill ", int(trace.prefill_ms), " ms, decode ",
                         int(trace.decode_ms), " ms]\n");
    }
    return 0;
}

}  // namespace sightline::cli
