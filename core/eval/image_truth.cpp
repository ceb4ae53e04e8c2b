#include "core/eval/image_truth.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <opencv2/imgproc.hpp>

#include "core/image/image_io.h"
#include "core/metrics/localisation.h"
#include "core/text/json_file.h"
#include "core/util/error.h"
#include "core/util/strings.h"

namespace sightline {
namespace {

std::string normal_word(std::string w) {
    w = trim(w);
    std::string out;
    for (char ch : w)
        if (std::isalnum(static_cast<unsigned char>(ch)) != 0)
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    // "balls" names a ball ("cross", "glass" keep their ending).
    if (out.size() > 3 && out.back() == 's' && out[out.size() - 2] != 's') out.pop_back();
    return out;
}

std::vector<std::string> words_of(const std::string& label) {
    std::vector<std::string> out;
    std::string cur;
    for (char ch : label + " ") {
        if (ch == ' ' || ch == '_' || ch == '-' || ch == ',') {
            if (!normal_word(cur).empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += ch;
        }
    }
    return out;
}

void add_word(TruthObject& o, const std::string& w) {
    const std::string n = normal_word(w);
    if (!n.empty() && std::find(o.words.begin(), o.words.end(), n) == o.words.end()) o.words.push_back(n);
}

std::string base_name(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

}  // namespace

cv::Mat coco_rle_mask(const nlohmann::json& rle, int image_width, int image_height) {
    const auto size = rle.at("size").get<std::vector<std::int64_t>>();
    if (size.size() != 2 || size[0] != image_height || size[1] != image_width)
        fail("segmentation: an RLE \"size\" must be [height, width] = [", image_height, ", ", image_width,
             "]");
    const auto& counts_json = rle.at("counts");
    std::vector<std::int64_t> counts;
    if (counts_json.is_array()) {
        counts = counts_json.get<std::vector<std::int64_t>>();
    } else {
        // Compressed counts: 5 bits a character (offset 48), 0x20 = more characters follow, 0x10 in the last
        // one = negative; from the third count on, each is a difference to the count two before it.
        const std::string s = counts_json.get<std::string>();
        std::size_t p = 0;
        while (p < s.size()) {
            std::uint64_t x = 0;
            int k = 0;
            bool more = true;
            while (more) {
                if (p >= s.size() || k > 12) fail("segmentation: a malformed compressed RLE");
                const int c = static_cast<unsigned char>(s[p]) - 48;
                if (c < 0 || c > 63) fail("segmentation: a malformed compressed RLE");
                x |= static_cast<std::uint64_t>(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                ++p;
                ++k;
                if (!more && (c & 0x10) != 0) x |= ~((std::uint64_t{1} << (5 * k)) - 1);  // sign-extend
            }
            auto v = static_cast<std::int64_t>(x);
            if (counts.size() > 2) v += counts[counts.size() - 2];
            counts.push_back(v);
        }
    }
    const std::int64_t total = static_cast<std::int64_t>(image_width) * image_height;
    std::int64_t sum = 0;
    for (auto c : counts) {
        if (c < 0 || c > total) fail("segmentation: an RLE count out of range");
        sum += c;
    }
    if (sum != total) fail("segmentation: the RLE counts cover ", sum, " pixels, not ", total);
    // Runs alternate background / object, starting with background, down the columns (column-major).
    cv::Mat mask = cv::Mat::zeros(image_height, image_width, CV_8UC1);
    std::int64_t pos = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (i % 2 == 1)
            for (std::int64_t q = pos; q < pos + counts[i]; ++q)
                mask.at<std::uint8_t>(static_cast<int>(q % image_height),
                                      static_cast<int>(q / image_height)) = 255;
        pos += counts[i];
    }
    return mask;
}

std::vector<std::int64_t> coco_rle_counts(const cv::Mat& mask_u8) {
    std::vector<std::int64_t> counts;
    std::uint8_t value = 0;
    std::int64_t run = 0;
    for (int c = 0; c < mask_u8.cols; ++c)
        for (int r = 0; r < mask_u8.rows; ++r) {
            const std::uint8_t v = mask_u8.at<std::uint8_t>(r, c) > 0 ? 1 : 0;
            if (v != value) {
                counts.push_back(run);
                run = 0;
                value = v;
            }
            ++run;
        }
    counts.push_back(run);
    return counts;
}

ImageTruth load_coco_truth(const std::string& path, int image_width, int image_height,
                           const std::string& image_file) {
    return coco_truth_from_json(read_json_file(path), path, image_width, image_height, image_file);
}

ImageTruth coco_truth_from_json(const nlohmann::json& j, const std::string& path, int image_width,
                                int image_height, const std::string& image_file) {
    ImageTruth truth;
    truth.width = image_width;
    truth.height = image_height;
    truth.source = path;
    std::string field = "images";
    try {
        if (!j.is_object()) fail("not a JSON object");
        const auto& images = j.at("images");
        const nlohmann::json* image = nullptr;
        for (const auto& im : images)
            if (!image_file.empty() &&
                base_name(im.value("file_name", std::string())) == base_name(image_file))
                image = &im;
        if (!image && images.size() == 1) image = &images.at(0);
        if (!image)
            fail("no entry for '", base_name(image_file).substr(0, 80), "' among ", images.size(), " images");
        const auto id = image->at("id");
        const int w = image->value("width", image_width), h = image->value("height", image_height);
        if (w != image_width || h != image_height)
            fail("the entry is ", w, "x", h, " but the image is ", image_width, "x", image_height);
        field = "categories";
        std::map<std::int64_t, std::string> names;
        for (const auto& c : j.value("categories", nlohmann::json::array()))
            names[c.at("id").get<std::int64_t>()] = c.at("name").get<std::string>();
        std::size_t k = 0;
        for (const auto& a : j.at("annotations")) {
            field = cat("annotations[", k++, "]");
            if (a.at("image_id") != id) continue;
            TruthObject o;
            const auto cat_id = a.value("category_id", std::int64_t{-1});
            o.label = names.count(cat_id) ? names[cat_id] : a.value("label", std::string());
            if (o.label.empty()) fail("no label (category_id not in categories, and no \"label\")");
            for (const auto& word : words_of(o.label)) add_word(o, word);
            for (const auto& word : a.value("words", std::vector<std::string>{})) add_word(o, word);
            o.mask = cv::Mat::zeros(image_height, image_width, CV_8UC1);
            const auto seg = a.find("segmentation");
            if (seg != a.end() && seg->is_object()) {
                o.mask = coco_rle_mask(*seg, image_width, image_height);
            } else if (seg != a.end() && seg->is_array() && !seg->empty()) {
                std::vector<std::vector<cv::Point>> polys;
                for (const auto& poly : *seg) {
                    const auto xy = poly.get<std::vector<double>>();
                    if (xy.size() < 6 || xy.size() % 2 != 0)
                        fail("segmentation: a polygon needs 3 or more x, y pairs");
                    std::vector<cv::Point> pts;
                    for (std::size_t i = 0; i < xy.size(); i += 2) {
                        if (!std::isfinite(xy[i]) || !std::isfinite(xy[i + 1]))
                            fail("segmentation: not a number");
                        pts.emplace_back(
                            static_cast<int>(std::lround(std::clamp(xy[i], -1.0, 1.0 * image_width + 1))),
                            static_cast<int>(
                                std::lround(std::clamp(xy[i + 1], -1.0, 1.0 * image_height + 1))));
                    }
                    polys.push_back(std::move(pts));
                }
                cv::fillPoly(o.mask, polys, cv::Scalar(255));
            } else {
                const auto box = a.at("bbox").get<std::vector<double>>();
                if (box.size() != 4) fail("bbox: expected [x, y, width, height]");
                for (double v : box)
                    if (!std::isfinite(v)) fail("bbox: not a number");
                const int x0 = static_cast<int>(std::clamp(std::floor(box[0]), 0.0, 1.0 * image_width));
                const int y0 = static_cast<int>(std::clamp(std::floor(box[1]), 0.0, 1.0 * image_height));
                const int x1 =
                    static_cast<int>(std::clamp(std::ceil(box[0] + box[2]), 0.0, 1.0 * image_width));
                const int y1 =
                    static_cast<int>(std::clamp(std::ceil(box[1] + box[3]), 0.0, 1.0 * image_height));
                if (x1 > x0 && y1 > y0) o.mask(cv::Rect(x0, y0, x1 - x0, y1 - y0)).setTo(255);
            }
            if (cv::countNonZero(o.mask) == 0)
                fail("the object '", o.label.substr(0, 40), "' covers no pixel of the image");
            truth.objects.push_back(std::move(o));
        }
        field = "words";
        const nlohmann::json mapping = j.value("words", nlohmann::json::object());  // items() needs it alive
        if (!mapping.is_object()) fail("expected an object {\"answer word\": \"label\"}");
        for (const auto& [word, target] : mapping.items()) {
            const std::string label = target.get<std::string>();
            bool found = false;
            for (auto& o : truth.objects)
                if (o.label == label) {
                    add_word(o, word);
                    found = true;
                }
            if (!found)
                fail("'", word.substr(0, 40), "' maps to '", label.substr(0, 40),
                     "', which is no object of the image");
        }
    } catch (const nlohmann::json::exception& e) {
        fail(path, ": ", field, ": ", e.what());
    } catch (const Error& e) {
        fail(path, ": ", field, ": ", e.what());
    }
    if (truth.objects.empty()) fail(path, ": no object is annotated on this image");
    return truth;
}

ImageTruth load_mask_folder(const std::string& dir, int image_width, int image_height) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) fail(dir, ": not a folder of masks");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".png") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) fail(dir, ": no .png masks in the folder");
    if (files.size() > 1000) fail(dir, ": more than 1000 masks");
    ImageTruth truth;
    truth.width = image_width;
    truth.height = image_height;
    truth.source = dir;
    for (const auto& f : files) {
        const cv::Mat rgb = load_image_rgb(f.string());
        if (rgb.cols != image_width || rgb.rows != image_height)
            fail(f.string(), ": the mask is ", rgb.cols, "x", rgb.rows, " but the image is ", image_width,
                 "x", image_height);
        cv::Mat gray;
        cv::cvtColor(rgb, gray, cv::COLOR_RGB2GRAY);
        TruthObject o;
        o.label = f.stem().string();
        std::replace(o.label.begin(), o.label.end(), '_', ' ');
        std::replace(o.label.begin(), o.label.end(), '-', ' ');
        for (const auto& word : words_of(o.label)) add_word(o, word);
        cv::threshold(gray, o.mask, 127, 255, cv::THRESH_BINARY);
        if (cv::countNonZero(o.mask) == 0) fail(f.string(), ": the mask is empty");
        truth.objects.push_back(std::move(o));
    }
    return truth;
}

ImageTruth load_image_truth(const std::string& path, int image_width, int image_height,
                            const std::string& image_file) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return load_mask_folder(path, image_width, image_height);
    return load_coco_truth(path, image_width, image_height, image_file);
}

std::vector<int> objects_named(const ImageTruth& truth, const std::string& token_text) {
    const std::string w = normal_word(token_text);
    std::vector<int> out;
    if (w.empty()) return out;
    for (std::size_t i = 0; i < truth.objects.size(); ++i) {
        const auto& words = truth.objects[i].words;
        if (std::find(words.begin(), words.end(), w) != words.end()) out.push_back(static_cast<int>(i));
    }
    return out;
}

cv::Mat mask_in_view(const cv::Mat& original_mask, const PreprocessedImage& view) {
    const int vw = view.model_view.cols, vh = view.model_view.rows;
    if (vw <= 0 || vh <= 0) fail("ground truth: the image has no model view");
    cv::Mat out = cv::Mat::zeros(vh, vw, CV_8UC1);
    for (int y = 0; y < vh; ++y)
        for (int x = 0; x < vw; ++x) {
            const cv::Point2d p = model_view_to_original(view, {x + 0.5, y + 0.5});
            const int ox = static_cast<int>(std::floor(p.x)), oy = static_cast<int>(std::floor(p.y));
            if (ox >= 0 && oy >= 0 && ox < original_mask.cols && oy < original_mask.rows)
                out.at<std::uint8_t>(y, x) = original_mask.at<std::uint8_t>(oy, ox);
        }
    return out;
}

GroundTruthReadout image_truth_readout(const ImageTruth& truth, const PreprocessedImage& view,
                                       const std::string& token_text, const metrics::GridMap& map) {
    GroundTruthReadout out;
    const auto named = objects_named(truth, token_text);
    if (named.empty()) {
        out.reason =
            cat("'", trim(token_text).substr(0, 40), "' names no object of ", base_name(truth.source));
        return out;
    }
    const int object = named.front();
    const cv::Mat mask = mask_in_view(truth.objects[static_cast<std::size_t>(object)].mask, view);
    if (cv::countNonZero(mask) == 0) {
        out.reason = cat("'", truth.objects[static_cast<std::size_t>(object)].label,
                         "' lies outside the part of the image the model sees");
        return out;
    }
    std::vector<cv::Mat> others;
    std::vector<bool> shares;
    for (std::size_t i = 0; i < truth.objects.size(); ++i) {
        if (static_cast<int>(i) == object) continue;
        others.push_back(mask_in_view(truth.objects[i].mask, view));
        shares.push_back(std::find(named.begin(), named.end(), static_cast<int>(i)) != named.end());
    }
    const auto outcome = metrics::classify_pointing(map, mask, others, shares);
    out.applicable = true;
    out.word = trim(token_text);
    out.object = object;
    out.object_name = "the " + truth.objects[static_cast<std::size_t>(object)].label;
    out.outcome = metrics::to_string(outcome);
    out.pointing_hit = outcome == metrics::PointingOutcome::Hit;
    out.obj_iou = metrics::obj_iou(map, mask);
    return out;
}

}  // namespace sightline
