#include "core/model/loaded_model.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "core/image/qwen_processor.h"
#include "core/io/cpu_allocator.h"
#include "core/io/weight_store.h"
#include "core/model/load_plan.h"
#include "core/util/error.h"
#include "core/util/stopwatch.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

std::string folder_name(const std::string& dir) {
    std::string d = dir;
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    const auto slash = d.rfind('/');
    return slash == std::string::npos ? d : d.substr(slash + 1);
}

ImageProcessorConfig default_processor(const ModelConfig& c) {
    ImageProcessorConfig p;
    if (c.vision.qwen()) {  // Qwen2VLImageProcessor's defaults, with the tower's patch geometry
        p = parse_qwen_processor_config(nlohmann::json::object());
        p.patch_size = static_cast<int>(c.vision.patch_size);
        p.merge_size = static_cast<int>(c.vision.spatial_merge_size);
        p.temporal_patch_size = static_cast<int>(c.vision.temporal_patch_size);
        return p;
    }
    const int size = static_cast<int>(c.vision.image_size);
    if (c.vision.kind == VisionKind::Siglip) {
        p.kind = ImageProcessorKind::Siglip;
        p.resize_height = p.resize_width = size;
        p.do_center_crop = false;
        p.mean = {0.5f, 0.5f, 0.5f};
        p.std = {0.5f, 0.5f, 0.5f};
        if (c.family == MultimodalFamily::SmolVLM) {  // SmolVLMImageProcessor's splitting, 4 crops a side
            p.smolvlm = true;
            p.longest_edge = 4 * size;
            p.resample = PilLanczos;
        }
    } else {
        p.shortest_edge = size;
        p.crop_height = p.crop_width = size;
    }
    return p;
}

// The spatial size the processor produces.
std::pair<int, int> processor_output(const ImageProcessorConfig& p) {
    if (p.do_center_crop) return {p.crop_height, p.crop_width};
    if (p.resize_height > 0) return {p.resize_height, p.resize_width};
    return {p.shortest_edge, p.shortest_edge};
}

std::vector<std::int64_t> generation_eos(const std::string& dir) {
    const std::string path = path_join(dir, "generation_config.json");
    if (!file_exists(path)) return {};
    try {
        const std::string text = read_text_file(path);
        check_json_depth(text, kMaxJsonDepth, path);
        const auto j = nlohmann::json::parse(text);
        const auto it = j.find("eos_token_id");
        if (it == j.end() || it->is_null()) return {};
        if (it->is_number_integer()) return {it->get<std::int64_t>()};
        return it->get<std::vector<std::int64_t>>();
    } catch (const nlohmann::json::exception& e) {
        fail(path, ": not valid JSON (", e.what(), ")");
    }
}

}  // namespace

void configure_threads(int threads) {
    install_cpu_allocator();  // large tensors in transparent huge pages (core/io/cpu_allocator.h)
    if (threads <= 0) {
        const char* env = std::getenv("SIGHTLINE_THREADS");
        if (env != nullptr && std::atoi(env) > 0) threads = std::atoi(env);
    }
    const int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(n);
}

int active_threads() {
    return at::get_num_threads();
}

std::string LoadedModel::token_text(std::int64_t id) const {
    if (tokenizer && id >= 0 && id < tokenizer->vocab_size()) return tokenizer->token_text(id);
    if (config.multimodal && id == config.image_token_index) return "<image>";
    return "[" + std::to_string(id) + "]";
}

std::string LoadedModel::decode(const std::vector<std::int64_t>& ids) const {
    if (tokenizer) return tokenizer->decode(ids, /*skip_special_tokens=*/true);
    std::string out;
    for (auto id : ids) out += (out.empty() ? "" : " ") + std::to_string(id);
    return out;
}

LoadOptions load_options_for(const std::string& choice) {
    LoadOptions o;
    if (choice == "int8")
        o.int8_weights = true;
    else if (!choice.empty() && choice != "auto")
        o.dtype = parse_compute_dtype(choice);
    return o;
}

std::unique_ptr<LoadedModel> load_model(const std::string& dir, const LoadOptions& options) {
    Stopwatch clock;
    configure_threads(options.threads);
    auto m = std::make_unique<LoadedModel>();
    m->dir = dir;
    m->name = folder_name(dir);
    m->config = load_model_config(dir);
    // config.json decides what is allocated: check it against the checkpoint's headers first, so a
    // config that describes a far bigger model than the weights (a typo, a crafted file) is refused
    // instead of allocating gigabytes. Per decoder layer at least 2 h^2 (q and o projections) + 2 h i
    // (any MLP has an up and a down matrix), plus the embedding: a lower bound for every supported
    // decoder, so a real checkpoint always holds at least this many elements.
    const LoadPlan plan = plan_load(dir);
    {
        const auto& t = m->config.text;
        const double h = static_cast<double>(t.hidden_size), in = static_cast<double>(t.intermediate_size);
        const double at_least = static_cast<double>(t.num_hidden_layers) * (2 * h * h + 2 * h * in) +
                                static_cast<double>(t.vocab_size) * h;
        if (at_least > static_cast<double>(plan.parameters))
            fail(path_join(dir, "config.json"), ": describes a model of at least ",
                 static_cast<std::uint64_t>(at_least), " parameters (", t.num_hidden_layers,
                 " layers, hidden ", t.hidden_size, ", intermediate ", t.intermediate_size, ", vocabulary ",
                 t.vocab_size, ") but the checkpoint holds ", plan.parameters,
                 ": the config does not belong to these weights");
    }
    ComputeDType dtype = ComputeDType::F32;
    if (options.dtype) {
        dtype = *options.dtype;
        m->dtype_reason = "asked for";
    } else {
        dtype = plan.recommended;
        m->dtype_reason = plan.reason;
        m->notes.push_back(cat("compute dtype ", to_string(dtype), " chosen automatically: ", plan.reason));
    }
    {
        WeightStore::Int8Filter int8;
        if (options.int8_weights) {
            int8 = int8_eligible;
            m->notes.push_back(
                "int8 weight-only mode: linear layers hold int8 weights with per-channel scales");
        }
        const WeightStore store = WeightStore::load_dir(dir, dtype, options.control, int8);
        m->model = std::make_unique<Model>(m->config, dtype);
        m->model->load(store);
    }
    m->config = m->model->config();  // loading may tie the head when the checkpoint has none
    m->tokenizer = load_tokenizer(dir);
    m->own_chat_template = ChatTemplate::load(dir);
    m->chat_template =
        m->own_chat_template ? classify_chat_template(m->own_chat_template->text) : ChatTemplateKind::Plain;
    if (m->own_chat_template && !m->own_chat_template->usable())
        m->notes.push_back(cat("the chat template cannot be rendered (", m->own_chat_template->parse_error,
                               "): the built-in ", to_string(m->chat_template), " format is used"));
    if (m->tokenizer) {
        if (m->tokenizer->vocab_size() > m->config.text.vocab_size)
            m->notes.push_back(cat("tokenizer has ", m->tokenizer->vocab_size(),
                                   " tokens but the model only ", m->config.text.vocab_size, " embeddings"));
    }
    if (m->config.multimodal) {
        if (file_exists(path_join(dir, "preprocessor_config.json"))) {
            m->image_processor = load_image_processor_config(dir);
        } else {
            m->image_processor = default_processor(m->config);
            m->notes.push_back("no preprocessor_config.json: using the vision tower's defaults (" +
                               describe(*m->image_processor) + ")");
        }
        const auto [h, w] = processor_output(*m->image_processor);
        const auto& vc = m->config.vision;
        const auto& ip = *m->image_processor;
        if (vc.qwen()) {
            if (ip.kind != ImageProcessorKind::Qwen || ip.patch_size != vc.patch_size ||
                ip.merge_size != vc.spatial_merge_size || ip.temporal_patch_size != vc.temporal_patch_size)
                fail(dir,
                     ": preprocessor_config.json does not cut the patches the Qwen2-VL vision tower reads ",
                     "(patch ", vc.patch_size, ", merge ", vc.spatial_merge_size, ", temporal ",
                     vc.temporal_patch_size, ")");
        } else if (h != m->config.vision.image_size || w != m->config.vision.image_size)
            fail(dir, ": preprocessor_config.json produces ", w, "x", h,
                 " images but the vision tower expects ", m->config.vision.image_size, "x",
                 m->config.vision.image_size);
        if (m->tokenizer && m->tokenizer->vocab_size() <= m->config.image_token_index)
            m->notes.push_back(
                "the tokenizer has no token for image_token_index; '<image>' must be given by id");
    }
    m->stop_ids = generation_eos(dir);
    if (m->stop_ids.empty()) m->stop_ids = m->config.text.eos_token_ids;
    if (m->tokenizer && m->tokenizer->special_ids().eos >= 0 &&
        std::find(m->stop_ids.begin(), m->stop_ids.end(), m->tokenizer->special_ids().eos) ==
            m->stop_ids.end())
        m->stop_ids.push_back(m->tokenizer->special_ids().eos);
    m->load_ms = clock.elapsed_ms();
    return m;
}

}  // namespace sightline
