#include "core/toy/scene_json.h"

#include "core/image/image_io.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/strings.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>

namespace sightline::toy {
namespace {

std::string mask_file_name(size_t index) {
    return cat("mask_", index, ".png");
}

void write_png(const std::string& path, const cv::Mat& image) {
    save_image_opencv_order(path, image);
}

}  // namespace

nlohmann::json scene_to_json(const Scene& scene) {
    nlohmann::json objects = nlohmann::json::array();
    for (size_t i = 0; i < scene.objects.size(); ++i) {
        const SceneObject& o = scene.objects[i];
        const Rgb rgb = color_rgb(o.color);
        objects.push_back({
            {"index", i},
            {"name", o.name()},
            {"shape", to_string(o.shape)},
            {"color", to_string(o.color)},
            {"size", to_string(o.size)},
            {"size_pixels", size_pixels(o.size)},
            {"rgb", {rgb.r, rgb.g, rgb.b}},
            {"cell", {o.cell_row, o.cell_col}},
            {"position", o.position()},
            {"bbox", {{"x", o.bbox.x}, {"y", o.bbox.y}, {"width", o.bbox.width}, {"height", o.bbox.height}}},
            {"pixel_count", o.pixel_count},
            {"mask", mask_file_name(i)},
        });
    }
    return {
        {"seed", scene.seed},     {"image_size", kImageSize}, {"grid_size", kGridSize},
        {"cell_size", kCellSize}, {"objects", objects},
    };
}

void write_scene(const Scene& scene, const std::string& dir) {
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error || !std::filesystem::is_directory(dir))
        fail("cannot create scene folder ", dir, ": ", error ? error.message() : "not a directory");
    if (scene.image.type() != CV_8UC3 || scene.image.empty()) fail("write_scene: scene has no RGB image");

    cv::Mat bgr;
    cv::cvtColor(scene.image, bgr, cv::COLOR_RGB2BGR);
    write_png(path_join(dir, "scene.png"), bgr);
    for (size_t i = 0; i < scene.objects.size(); ++i)
        write_png(path_join(dir, mask_file_name(i)), scene.objects[i].mask);

    const std::string json_path = path_join(dir, "scene.json");
    write_file_atomic(json_path, scene_to_json(scene).dump(2) + "\n", "scene description");
}

}  // namespace sightline::toy
