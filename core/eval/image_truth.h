#pragma once
// Ground truth for a user's own image (not a scene-world scene): object masks (a folder of PNGs, one per
// object, named by its label) or boxes and polygons in a COCO-style JSON file, each object with a label and
// the answer words that name it. Scored like the scene world: the pointing game with the miss
// classification and Obj-IoU of the map against the object the clicked word names, in the coordinates of
// the view the map covers (masks are resampled from the original image through the preprocessing's
// geometry).
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "core/explain/explanation.h"
#include "core/image/preprocess.h"
#include "core/metrics/grid_map.h"

namespace sightline {

struct TruthObject {
    std::string label;               // "red ball"
    std::vector<std::string> words;  // lower-case words that name it: the label's words and any given
    cv::Mat mask;                    // CV_8UC1, the original image's size, 255 on the object
};

struct ImageTruth {
    int width = 0, height = 0;  // the image the masks belong to
    std::vector<TruthObject> objects;
    std::string source;  // the file or folder read
};

// A COCO-style JSON file: {"images": [{"id", "file_name", "width", "height"}], "categories": [{"id",
// "name"}], "annotations": [{"image_id", "category_id", "bbox": [x, y, w, h], "segmentation": [[x1, y1,
// ...]] (polygons) or an RLE mask {"size", "counts"} (optional), "words": ["..."] (optional)}], "words":
// {"answer word": "category name"} (optional)}. The image entry is the one whose file_name's base name is
// `image_file`'s, or the only one; its size must be the image's. Throws sightline::Error naming the file and
// the field.
ImageTruth load_coco_truth(const std::string& path, int image_width, int image_height,
                           const std::string& image_file = {});
// A COCO run-length-encoded mask ({"size": [h, w], "counts": [...] or the compressed string}), column-major
// runs alternating background and object; the size must be the image's. Throws naming what is wrong.
cv::Mat coco_rle_mask(const nlohmann::json& rle, int image_width, int image_height);
// The uncompressed RLE counts of a CV_8UC1 mask (pixels > 0 are the object), the inverse of coco_rle_mask.
std::vector<std::int64_t> coco_rle_counts(const cv::Mat& mask_u8);
// The same from JSON already read (a manifest's inline ground truth); `path` names it in messages.
ImageTruth coco_truth_from_json(const nlohmann::json& j, const std::string& path, int image_width,
                                int image_height, const std::string& image_file = {});
// Every *.png in `dir` (sorted by name) is one object's mask (pixels > 127), the image's size; the label
// is the file's base name with '_' and '-' as spaces ("red_ball.png" -> "red ball").
ImageTruth load_mask_folder(const std::string& dir, int image_width, int image_height);
// A JSON file or a folder of masks.
ImageTruth load_image_truth(const std::string& path, int image_width, int image_height,
                            const std::string& image_file = {});

// The objects an answer token's text names (trimmed, lower-case, a plural 's' ignored): all of them, in
// order; the first is the one scored.
std::vector<int> objects_named(const ImageTruth& truth, const std::string& token_text);
// A mask of the original image resampled onto the model's view (each view pixel's centre mapped back).
cv::Mat mask_in_view(const cv::Mat& original_mask, const PreprocessedImage& view);

// The map of a token against the object its text names: applicable with the pointing outcome and Obj-IoU,
// or a reason ("'the' names no object of ...").
GroundTruthReadout image_truth_readout(const ImageTruth& truth, const PreprocessedImage& view,
                                       const std::string& token_text, const metrics::GridMap& map);

}  // namespace sightline
