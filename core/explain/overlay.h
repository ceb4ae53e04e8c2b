#pragma once
// Heatmap overlays of a grid map on an image (OpenCV, no Qt): used by the CLI exports and the GUI.
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace sightline {

enum class Colormap { Jet, Viridis, Inferno, Magma, Turbo, Hot, Gray };
Colormap colormap_from_string(const std::string& name);
std::string to_string(Colormap c);
std::vector<std::string> colormap_names();

struct OverlayStyle {
    Colormap colormap = Colormap::Jet;
    double opacity = 0.5;     // 0 = image only, 1 = heatmap only
    double threshold = 0.0;   // map values below this (after min-max) are not painted
    bool smooth = true;       // bilinear upsampling of the grid (false: one flat block per patch)
    bool grid_lines = false;  // draw the patch grid
    bool weighted = true;  // alpha = opacity * value, so weak cells leave the image visible (false: uniform)
};

// A grid map (row-major, values in [0, 1]) upsampled to `size` as a colour image (RGB) plus an alpha mask.
cv::Mat colorize_map(const std::vector<float>& map, int grid_h, int grid_w, cv::Size size, Colormap colormap,
                     bool smooth);
// Blends the coloured map over `rgb` (CV_8UC3, RGB). The map covers the whole image.
cv::Mat render_overlay(const cv::Mat& rgb, const std::vector<float>& map, int grid_h, int grid_w,
                       const OverlayStyle& style);

// The model's view enlarged by a whole factor (nearest neighbour) until its width reaches `min_width`, so the
// overlays of small models' images stay legible in exports.
cv::Mat enlarged_view(const cv::Mat& model_view, int min_width = 384);

}  // namespace sightline
