#pragma once
// A review session saved to disk as JSON: which model, the image (embedded as PNG, or a path plus a
// content hash), the prompt and settings, the answer trace, the explanations computed, reviewer notes.
// Loading validates everything and reports a clear error for corrupt or incompatible files.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "core/explain/explanation.h"
#include "core/explain/knockout_result.h"
#include "core/generate/trace.h"
#include "core/model/model_identity.h"

namespace sightline {

constexpr int kSessionVersion = 1;

struct Session {
    std::string model_name, model_dir;
    ModelIdentity model_identity;   // hashes of the model's files (empty: not recorded)
    cv::Mat image_rgb;              // the original image (empty for text-only prompts)
    std::string image_path;         // where it came from, if a file
    std::string image_hash;         // FNV-1a 64 of the decoded RGB pixels, hex
    std::string image_sha256;       // SHA-256 of the decoded pixels (image_pixels_sha256)
    std::string image_file_sha256;  // SHA-256 of the image file's bytes, when it came from a file
    bool embed_image = true;        // false: store only path + hash
    std::string software_version;   // the Sightline version that saved it (filled in when saving)
    std::string reviewer;           // who reviewed it (may be empty)
    Trace trace;                    // answer trace (tensors are not stored)
    std::vector<Explanation> explanations;
    std::vector<KnockoutResult> knockouts;  // interventions run on this answer (the Knockout tab)
    std::int64_t current_target = -1;
    std::string current_method;
    nlohmann::json view_settings = nlohmann::json::object();  // colormap, opacity, ...
    std::string notes;                                        // reviewer notes
    std::string created;                                      // ISO-8601 time
};

// 64-bit FNV-1a over the image's size and pixels, as 16 hex digits.
std::string image_hash(const cv::Mat& rgb);
// SHA-256 over "<rows>x<cols>x<channels>\n" and the pixel rows, as 64 hex digits: the same for the
// same pixels whatever file format carried them.
std::string image_pixels_sha256(const cv::Mat& rgb);

// Checks an explanation against the trace it explains: target inside the answer and target_position its
// position, text and view positions inside the trace, image_map exactly the trace's grid (empty without
// an image), image_tokens one per image position when present. Throws sightline::Error naming the field.
void validate_explanation(const Explanation& e, const Trace& t);

// Checks a stored knockout against its trace: target inside the answer, positions inside the prompt, a
// known op, probabilities in [0, 1]. Throws sightline::Error naming the field.
void validate_knockout(const KnockoutResult& k, const Trace& t);

nlohmann::json session_to_json(const Session& s);
// Throws sightline::Error naming the problem (not JSON, wrong format/version, missing fields, image
// missing or changed since the session was saved) and the field: the trace (validate_trace), every
// explanation (validate_explanation), current.target inside the answer, the view settings' types.
Session session_from_json(const nlohmann::json& j, const std::string& origin);

void save_session(const Session& s, const std::string& path);
Session load_session(const std::string& path);

}  // namespace sightline
