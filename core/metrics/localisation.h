#pragma once
// Localisation metrics of one word's map against a ground-truth object mask (METHODS.md section 9):
// Obj-IoU, Func-IoU, F1-IoU and the pointing game.
#include <opencv2/core.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "core/metrics/grid_map.h"

namespace sightline::metrics {

// Masks are CV_8UC1 images of the picture's size; a pixel belongs to the object when its value > 0.

// Obj-IoU: the map is resized to the mask size (resize_bilinear), thresholded with Otsu on the resized
// values (otsu(): predicted = normalised value > threshold), and compared with the mask:
// |predicted AND mask| / |predicted OR mask|. A constant map predicts nothing. Returns 0 when the union
// is empty (constant map and empty mask). Throws on a bad map or a mask that is not non-empty CV_8UC1.
double obj_iou(const GridMap& map, const cv::Mat& mask_u8);

// Obj-IoU of a word made of several sub-tokens: the maximum of obj_iou over them. Throws when empty.
double obj_iou_max(const std::vector<GridMap>& subtoken_maps, const cv::Mat& mask_u8);

// The mean Otsu threshold (normalised units, computed at grid resolution) of the noun maps of one image,
// the threshold Func-IoU compares function words with. Degenerate (constant) maps are skipped; returns
// nullopt when no map is left.
std::optional<double> mean_otsu_threshold(const std::vector<GridMap>& noun_maps);

// Func-IoU of a function word's map: the fraction of grid cells whose min-max normalised value is
// strictly below noun_threshold (normalised units, e.g. mean_otsu_threshold()). A constant map
// normalises to all zeros, so it scores 1 for any threshold > 0.
double func_iou(const GridMap& map, double noun_threshold);

// F1-IoU = 2 O F / (O + F); 0 when O + F == 0.
double f1_iou(double obj, double func);

// Pointing game: the map's argmax cell at grid resolution (ties: the first maximum in row-major order)
// has its centre mapped to mask pixel coordinates, x = (c + 0.5) * mask.cols / w, y = (r + 0.5) *
// mask.rows / h, taken as pixel (floor(y), floor(x)) clamped into the mask; true when that pixel is
// inside the object.
bool pointing_game(const GridMap& map, const cv::Mat& mask_u8);

// The cells (row, col) of an h x w grid over the mask whose pixel rectangle (rows [r*H/h, (r+1)*H/h),
// columns [c*W/w, (c+1)*W/w)) holds at least one mask pixel: the patches to knock out to remove an object.
std::vector<std::pair<int, int>> mask_cells(const cv::Mat& mask_u8, int h, int w);

// Where a map's argmax lands, to tell pointing-game misses apart (docs/EVALUATION.md):
//   Hit             pointing_game() is true;
//   TargetCell      a near miss: the argmax cell's pixel rectangle (rows floor(r * H / h) ..
//                   floor((r + 1) * H / h) - 1, columns likewise) touches the object, its centre does not
//                   (a ring's hole, the gap between a star's points, an edge cell);
//   SameWordObject  the argmax lies on another object that also carries the target word (another red
//                   object for "red"): a map of the word's class cannot tell the two apart;
//   OtherObject     the argmax lies on another object;
//   Background      none of these.
// "Lies on" another object: its mask contains the centre pixel, else (checked for every other object
// before falling back to Background) the argmax cell touches its mask; the first such object in order.
// other_masks and shares_word run in parallel (shares_word[i]: other object i carries the target word).
enum class PointingOutcome { Hit, TargetCell, SameWordObject, OtherObject, Background };
PointingOutcome classify_pointing(const GridMap& map, const cv::Mat& mask_u8,
                                  const std::vector<cv::Mat>& other_masks,
                                  const std::vector<bool>& shares_word);
// "hit", "target_cell", "same_word_object", "other_object", "background".
const char* to_string(PointingOutcome outcome);

}  // namespace sightline::metrics
