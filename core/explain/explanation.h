#pragma once
// The result every explainer returns: a map over the image grid, scores over the input text tokens, the
// typed views an explainer may add for plots (each optional; a panel draws the plot of every view that is
// present, whatever the method), free-form diagnostics for exports, and its own timing. Resolved by
// position, never by string.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sightline {

// Where the target's query row puts its attention, per layer (mean over heads): the shares of the image
// tokens, the user's prompt, the chat template's system text and earlier answer tokens. Drawn as stacked
// per-layer bars.
struct LayerShares {
    std::vector<double> image, prompt, system, answer;  // one value per layer
};

// One value per (layer, head), e.g. the share of a head's attention that lands on the image. Drawn as a
// heads x layers heatmap; a click on a cell asks the panel for that layer and head.
struct HeadLayerGrid {
    std::vector<std::vector<double>> values;  // [layer][head]
};

// A causal graph over tokens (CLEANN's PAG): nodes are the target and input tokens, edges carry their
// end marks ("arrow", "tail", "circle"); highlighted nodes are the explaining subset.
struct CausalGraphView {
    struct Node {
        int id = 0;
        std::string label;
        std::string kind = "text";   // "target", "image" or "text"
        std::int64_t position = -1;  // sequence position of the token
        bool highlighted = false;
    };
    struct Edge {
        int from = 0, to = 0;
        std::string mark_from, mark_to;
    };
    std::vector<Node> nodes;
    std::vector<Edge> edges;
};

// A subset of input tokens tested by masking it: does the answer token change?
struct MaskingCheck {
    bool validated = false;                  // masking the subset changes the predicted token
    std::vector<std::int64_t> positions;     // the subset's sequence positions
    double prob_clean = 0, prob_masked = 0;  // the token's probability without / with the mask
    std::string masked_prediction;           // the token predicted with the mask
    std::string message;                     // the search's own account (why it stopped)
    double probability_drop() const { return prob_clean - prob_masked; }
};

// The time budget a search ran under: scaled up when the model's forward pass is slow.
struct SearchBudget {
    double budget_ms = 0;   // the budget used
    double forward_ms = 0;  // one measured forward pass of the loaded model
    bool scaled = false;    // raised above the configured budget to fit the minimum re-runs
};

// TAM's estimated causal interference: the context tokens whose activation maps were removed, with
// weights, and the least-squares scale alpha.
struct Interference {
    struct Term {
        std::int64_t position = 0;         // the context token
        std::int64_t weight_position = 0;  // the step whose logits weighted it
        double weight = 0;
    };
    std::int64_t class_id = 0;  // the vocabulary id whose activation is mapped
    double alpha = 0;
    std::vector<Term> context;
};

// The map scored against ground-truth object masks (demo scenes): "applicable" false with a reason when
// the answer or the token cannot be scored.
struct GroundTruthReadout {
    bool applicable = false;
    std::string reason;       // when not applicable
    std::string word;         // the token's text
    int object = -1;          // the scene object the word names
    std::string object_name;  // "the gray cross"
    std::string outcome;      // metrics::to_string(PointingOutcome)
    bool pointing_hit = false;
    double obj_iou = 0;
};

// Curves over layers (x = the layer index in `layers`; several curves share the points): the logit lens's
// best and mean patch probability of the word by layer, causal tracing's strongest indirect effect by
// layer for each kind of state restored. Drawn as lines over layers.
struct LayerCurves {
    std::string title;
    std::string y_label;
    std::vector<int> layers;
    std::vector<std::string> names;           // one per curve
    std::vector<std::vector<double>> values;  // [curve][point], each as long as `layers`
};

// A layers x positions matrix (causal tracing's indirect effects for one kind of state): rows are layers,
// columns are positions or groups of image positions, each with a label. Drawn as a heatmap.
struct LayerPositionGrid {
    std::string name;  // short id for files and exports ("resid", "attn", "mlp")
    std::string title;
    std::vector<int> layers;                  // one per row
    std::vector<std::string> columns;         // one label per column ("patches r0-1 c2-3", "'red'")
    std::vector<std::vector<double>> values;  // [row][column]
};

// The words a readout ranks highest at each cell of the map grid (logit lens: the top-k words of the
// patch's residual state at the chosen layer); shown when the pointer rests on a cell.
struct CellWords {
    int k = 0;
    std::vector<std::vector<std::string>> words;  // [grid cell][rank], grid_h * grid_w cells
    std::vector<std::vector<double>> scores;      // the same shape: probabilities
};

struct Explanation {
    std::string method;
    std::int64_t target = 0;           // answer-token index (0-based among answer tokens)
    std::int64_t target_position = 0;  // its sequence position
    int grid_h = 0, grid_w = 0;
    std::vector<float> image_map;  // grid_h * grid_w, row-major; empty when the trace has no image
    // The raw values per image position (the trace layout's token order) that image_map was composed from,
    // before normalisation and map-level filters (TAM's); empty when the method scores a grid directly
    // (vision-tower relevancy) or in files written before they were kept. Viewers redraw one view of a
    // tiled image from them.
    std::vector<float> image_tokens;
    std::vector<std::int64_t> text_positions;          // sequence positions of the scored text tokens
    std::vector<float> text_scores;                    // one score per text position
    nlohmann::json params = nlohmann::json::object();  // effective parameters (defaults filled in)

    // Typed views (optional).
    std::optional<LayerShares> layer_shares;
    std::optional<HeadLayerGrid> head_layer;
    std::optional<CausalGraphView> graph;
    std::optional<MaskingCheck> masking;
    std::optional<SearchBudget> budget;
    std::optional<Interference> interference;
    std::optional<GroundTruthReadout> ground_truth;
    std::optional<LayerCurves> layer_curves;
    std::vector<LayerPositionGrid> layer_positions;  // empty when the method has none
    std::optional<CellWords> cell_words;
    // Method-specific numbers (timings, counts, cache states) for exports and the command line; no panel
    // draws from them.
    nlohmann::json diagnostics = nlohmann::json::object();

    double time_ms = 0;
    bool from_cache = false;

    bool has_image_map() const { return !image_map.empty(); }
    float at(int row, int col) const { return image_map[static_cast<std::size_t>(row * grid_w + col)]; }
};

nlohmann::json to_json(const GroundTruthReadout& g);
GroundTruthReadout ground_truth_from_json(const nlohmann::json& j);

// {"method", "target", ..., "views": {"layer_shares", "head_layer_image", "graph", "masking", "budget",
// "interference", "ground_truth", "layer_curves", "layer_positions", "cell_words"} (those present),
// "diagnostics", "time_ms"}. Reading also accepts the layout of files written before the views were typed
// (everything under "extras").
nlohmann::json explanation_to_json(const Explanation& e);
Explanation explanation_from_json(const nlohmann::json& j);

}  // namespace sightline
