#pragma once
// Options shared by commands that load a model: --model DIR (default: the embedded model), --dtype,
// --threads.
#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <set>
#include <string>

#include "app/cli/args.h"
#include "core/generate/prompt.h"
#include "core/model/loaded_model.h"
#include "core/toy/sample.h"

namespace sightline::cli {

extern const std::set<std::string> kModelOptions;
std::string model_dir_from(const Args& args);
std::unique_ptr<LoadedModel> load_model_from(const Args& args);
// Reads --image PATH if given (clear error for unreadable files).
std::optional<cv::Mat> image_from(const Args& args);

// Reads --system TEXT and --turns FILE.json (earlier turns: [{"role": "user"|"assistant", "content": TEXT},
// ...]; "text" is accepted for "content") into the request.
void conversation_from(const Args& args, PromptRequest& request);
// "system" and "turns", the conversation options of generate and explain.
extern const std::set<std::string> kConversationOptions;
extern const char* const kConversationHelp;

// The question and image of a command: --scene SEED[:TASK] (a scene-world scene, its question and image)
// or --image PATH with --prompt TEXT / --prompt-ids "1 2 3", plus the conversation options.
struct SceneRequest {
    PromptRequest request;
    std::optional<toy::Sample> scene;
};
SceneRequest request_from(const Args& args);
// The options request_from reads.
extern const std::set<std::string> kRequestOptions;

}  // namespace sightline::cli
