#include "app/cli/model_options.h"

#include "app/cli/progress_line.h"
#include "core/image/image_io.h"
#include "core/text/json_file.h"
#include "core/toy/task.h"
#include "core/util/error.h"
#include "core/util/resource_paths.h"
#include "core/util/strings.h"

namespace sightline::cli {

const std::set<std::string> kModelOptions = {"model", "dtype", "threads"};

std::string model_dir_from(const Args& args) {
    return args.get("model", default_model_dir());
}

std::unique_ptr<LoadedModel> load_model_from(const Args& args) {
    LoadOptions o = load_options_for(args.get("dtype", "auto"));
    o.threads = args.get_int("threads", 0);
    ProgressLine line(!args.has("json") && !args.has("quiet"));
    o.control = line.control();
    return load_model(model_dir_from(args), o);
}

std::optional<cv::Mat> image_from(const Args& args) {
    if (!args.has("image")) return std::nullopt;
    return load_image_rgb(args.require("image"));
}

const std::set<std::string> kConversationOptions = {"system", "turns"};
const std::set<std::string> kRequestOptions = {"scene", "image", "prompt", "prompt-ids", "system", "turns"};
const char* const kConversationHelp =
    "--system TEXT sets a system prompt; --turns FILE.json gives earlier turns before the question:\n"
    "  [{\"role\": \"user\", \"content\": \"...\"}, {\"role\": \"assistant\", \"content\": \"...\"}, ...].\n"
    "The model's own chat template renders the conversation; when it cannot, the built-in format is used\n"
    "and a warning says which construct on which template line stopped it.\n";

void conversation_from(const Args& args, PromptRequest& request) {
    request.system = args.get("system", "");
    if (!args.has("turns")) return;
    const std::string path = args.require("turns");
    const auto j = read_json_file(path);
    if (!j.is_array()) fail(path, ": --turns expects a JSON list of {\"role\", \"content\"} objects");
    for (const auto& item : j) {
        if (!item.is_object() || !item.contains("role") || !item["role"].is_string())
            fail(path, ": every turn needs a \"role\" (user or assistant)");
        const std::string role = item["role"].get<std::string>();
        if (role != "user" && role != "assistant")
            fail(path, ": turn role '", role,
                 "' is not user or assistant (give the system prompt with --system)");
        const char* key = item.contains("content") ? "content" : "text";
        if (!item.contains(key) || !item[key].is_string())
            fail(path, ": every turn needs a \"content\" string");
        request.turns.push_back({role, item[key].get<std::string>()});
    }
}

SceneRequest request_from(const Args& a) {
    PromptRequest req;
    std::optional<toy::Sample> scene;
    if (a.has("scene")) {
        if (a.has("image") || a.has("prompt") || a.has("prompt-ids"))
            fail("--scene gives the image and the question; drop --image/--prompt/--prompt-ids");
        const std::string spec = a.get("scene");
        const auto colon = spec.find(':');
        const auto task = toy::parse_task(colon == std::string::npos ? "color" : spec.substr(colon + 1));
        if (!task)
            fail(
                "--scene expects SEED[:TASK] with TASK one of color, shape, count, exist, position, "
                "relation, describe; got '",
                spec, "'");
        const std::string seed_text = spec.substr(0, colon);
        std::uint64_t seed = 0;
        std::size_t used = 0;
        try {
            seed = std::stoull(seed_text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != seed_text.size())
            fail("--scene expects a numeric seed, got '", seed_text, "'");
        scene = toy::make_sample(seed, *task);
        req.question = scene->question;
        req.image_rgb = scene->scene.image;
        req.image_label = cat("scene ", scene->seed);
    } else {
        if (a.has("prompt") == a.has("prompt-ids"))
            fail("give exactly one of --prompt TEXT or --prompt-ids \"1 2 3\" (or --scene)");
        if (a.has("prompt"))
            req.question = a.get("prompt");
        else
            req.ids = parse_id_list(a.get("prompt-ids"));  // models without a tokenizer; no template
        req.image_rgb = image_from(a);
        req.image_label = a.get("image");
    }
    conversation_from(a, req);
    if ((!req.system.empty() || !req.turns.empty()) && !req.ids.empty())
        fail("--system and --turns need --prompt TEXT (raw --prompt-ids take no template)");
    conversation_from(a, req);
    if ((!req.system.empty() || !req.turns.empty()) && !req.ids.empty())
        fail("--system and --turns need --prompt TEXT (raw --prompt-ids take no template)");
    return {std::move(req), std::move(scene)};
}

}  // namespace sightline::cli
