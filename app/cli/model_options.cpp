#include "app/cli/model_options.h"

#include "app/cli/progress_line.h"
#include "core/image/image_io.h"
#include "core/util/resource_paths.h"

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

}  // namespace sightline::cli
