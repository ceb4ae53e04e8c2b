// sightline-cli info: what a model folder holds, as the engine understands it (and its hook points).
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/model_options.h"
#include "core/io/torch_dtype.h"
#include "core/model/load_plan.h"
#include "core/model/model_identity.h"
#include "core/util/error.h"
#include "core/util/strings.h"
#include "core/util/version.h"

namespace sightline::cli {
namespace {

// Whether the checkpoint's own chat template renders a one-turn conversation (with the image placeholder
// for multimodal models), and the text it gives or the error naming the construct and line.
nlohmann::json chat_template_check(const LoadedModel& m) {
    if (!m.own_chat_template)
        return {{"present", false}, {"renders", false}, {"used", to_string(m.chat_template)}};
    nlohmann::json out = {{"present", true}};
    PromptRequest r;
    r.question = "What is in the image?";
    if (m.config.multimodal) r.image_rgb = cv::Mat(8, 8, CV_8UC3, cv::Scalar(0, 0, 0));
    std::string warning;
    const std::string text = render_prompt_text(m, r, &warning);
    out["renders"] = warning.empty();
    out["sample_prompt"] = text;
    if (!warning.empty()) out["error"] = warning;
    out["used"] = warning.empty() ? "checkpoint" : to_string(m.chat_template);
    return out;
}

}  // namespace

int cmd_info(const Words& words) {
    const Args a(words, {"json", "help", "plan", "identity"});
    if (a.has("help")) {
        std::cout
            << "usage: sightline-cli info --model DIR [--plan] [--identity] [--json]\n"
               "--identity adds the model folder's identity: the SHA-256 of config, weight, tokenizer\n"
               "and processor files and one digest over them (what sessions and review reports record;\n"
               "digests are cached by path, size and time, so a checkpoint is read in full once).\n"
               "chat_template_check says whether the model's own chat template renders (a sample\n"
               "prompt), or the construct and line that stop it (the built-in format is used then).\n"
               "--plan only reads config.json and the checkpoint headers: parameters, stored dtypes,\n"
               "the memory float32 and bfloat16 need against what is available, and the dtype\n"
               "Sightline picks by default (--dtype auto).\n";
        return 0;
    }
    std::set<std::string> known = kModelOptions;
    known.insert({"json", "help", "plan", "identity"});
    a.allow_only(known);
    if (a.has("plan")) {
        const LoadPlan p = plan_load(model_dir_from(a));
        if (a.has("json"))
            std::cout << nlohmann::json{{"dir", p.dir},
                                        {"parameters", p.parameters},
                                        {"stored_dtypes", p.stored_dtypes},
                                        {"needed_f32_bytes", p.needed(ComputeDType::F32)},
                                        {"needed_bf16_bytes", p.needed(ComputeDType::BF16)},
                                        {"available_bytes", p.available},
                                        {"cpu_bf16", p.cpu_bf16},
                                        {"dtype", to_string(p.recommended)},
                                        {"needed_int8_bytes", p.needed_int8()},
                                        {"reason", p.reason}}
                             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                      << "\n";
        else
            std::cout << p.describe() << "\n";
        return 0;
    }
    const auto m = load_model_from(a);
    const auto& c = m->config;
    nlohmann::json hooks = nlohmann::json::array();
    const std::vector<std::string> block_hooks = {
        "hook_resid_pre",        "attn.hook_q",       "attn.hook_k",  "attn.hook_v",
        "attn.hook_attn_scores", "attn.hook_pattern", "attn.hook_z",  "hook_attn_out",
        "hook_resid_mid",        "mlp.hook_post",     "hook_mlp_out", "hook_resid_post"};
    if (c.multimodal) {
        hooks.push_back("vision.hook_embed");
        hooks.push_back(
            cat("vision.blocks.{0..", m->model->vision_blocks() - 1, "}.{", join(block_hooks, ","), "}"));
        hooks.push_back("projector.hook_out");
    }
    hooks.push_back("lm.hook_embed");
    hooks.push_back(cat("lm.blocks.{0..", c.text.num_hidden_layers - 1, "}.{", join(block_hooks, ","), "}"));
    hooks.push_back("lm.ln_final.hook_normalized");
    nlohmann::json out = {{"name", m->name},
                          {"dir", m->dir},
                          {"architecture", c.architecture},
                          {"parameters", m->model->parameter_count()},
                          {"dtype", to_string(m->model->dtype())},
                          {"int8_weights", m->model->int8_weights()},
                          {"dtype_reason", m->dtype_reason},
                          {"config", model_config_to_json(c)},
                          {"tokenizer", m->tokenizer ? m->tokenizer->kind() : "none"},
                          {"chat_template", to_string(m->chat_template)},
                          {"stop_ids", m->stop_ids},
                          {"hook_points", hooks},
                          {"notes", m->notes},
                          {"load_ms", m->load_ms}};
    out["chat_template_check"] = chat_template_check(*m);
    out["software_version"] = software_version();
    if (a.has("identity"))
        out["identity"] = model_identity_to_json(compute_model_identity(m->dir, default_digest_cache_path()));
    if (c.multimodal) {
        out["image_tokens"] = c.image_token_count();
        out["grid"] = {c.image_grid(), c.image_grid()};
        out["image_processor"] = describe(*m->image_processor);
    }
    if (a.has("json")) {
        std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
        std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    return 0;
}

}  // namespace sightline::cli
