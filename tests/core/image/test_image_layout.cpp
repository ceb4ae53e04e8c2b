// Image geometry as data: the any-resolution tiling arithmetic on hand-computed cases, the layout's checks,
// and compose_map's rule (a one-hot token lands on its cell of the original image, overlapping views
// average).
#include <QtTest>
#include <nlohmann/json.hpp>

#include "core/image/anyres.h"
#include "core/image/image_layout.h"
#include "core/image/smolvlm_split.h"
#include "core/util/error.h"

using namespace sightline;

class TestImageLayout : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void best_resolution_keeps_most_pixels_then_wastes_least() {
        // 100x168 (HxW): 56x56 keeps 34*56 = 1904 pixels (scale 1/3), 28x56 only 16*28... -> 56x56.
        const std::vector<std::array<int, 2>> next = {{28, 56}, {56, 28}, {56, 56}, {84, 28}, {28, 84}};
        QCOMPARE((select_best_resolution(100, 168, next)), (std::array<int, 2>{56, 56}));
        // A tall image prefers the tall pinpoint; ties on kept pixels go to the smaller canvas.
        QCOMPARE((select_best_resolution(84, 28, next)), (std::array<int, 2>{84, 28}));
        QCOMPARE((select_best_resolution(10, 10, {{56, 56}, {28, 28}})), (std::array<int, 2>{28, 28}));
        QVERIFY_THROWS_EXCEPTION(Error, select_best_resolution(10, 10, {}));
    }

    void plan_resizes_into_the_pinpoint_and_centres() {
        const AnyresPlan p = plan_anyres(100, 168, {{56, 56}}, 28);
        QCOMPARE(p.new_w, 56);
        QCOMPARE(p.new_h, 34);  // ceil(100 / 3)
        QCOMPARE(p.pad_top, 11);
        QCOMPARE(p.pad_left, 0);
        QCOMPARE(p.rows(), 2);
        QCOMPARE(p.cols(), 2);
    }

    void feature_grid_unpads_and_shrinks() {
        // LLaVA-NeXT fixture: 2x2 tiles of 4x4 -> 8x8, int(100 * 8/168) = 4 rows kept, from row 2.
        const AnyresFeatureGrid n = anyres_feature_grid(100, 168, 2, 2, 4, 0);
        QCOMPARE(n.row0, 2);
        QCOMPARE(n.row1, 6);
        QCOMPARE(n.out_w, 8);
        QCOMPARE(n.token_count(4), std::int64_t{16 + 4 * 9});
        // OneVision fixture: 4x6 tiles -> 16x24, 14 rows kept, sqrt(14*24 / (9*16)) = 1.53 > 1.1 -> 9x15.
        const AnyresFeatureGrid o = anyres_feature_grid(100, 168, 4, 6, 4, 9);
        QCOMPARE(o.row1 - o.row0, 14);
        QCOMPARE(o.out_h, 9);
        QCOMPARE(o.out_w, 15);
        QVERIFY(o.resized());
        QCOMPARE(o.token_count(4), std::int64_t{160});
        // A wide mosaic on a tall image loses columns instead.
        const AnyresFeatureGrid tall = anyres_feature_grid(168, 100, 2, 2, 4, 0);
        QCOMPARE(tall.col0, 2);
        QCOMPARE(tall.col1, 6);
        QCOMPARE(tall.out_h, 8);
    }

    void layout_places_tokens_and_newlines() {
        const AnyresPlan p = plan_anyres(100, 168, {{56, 56}}, 28);
        const ImageLayout l = anyres_layout(p, anyres_feature_grid(100, 168, 2, 2, 4, 0), 4);
        QCOMPARE(l.tokens.size(), std::size_t{52});
        QCOMPARE(l.views[0].kind, std::string("base"));
        QCOMPARE(l.views[0].rect, cv::Rect2d(0, 0, 168, 100));
        // The canvas starts 11 canvas pixels (11 * 100/34 original pixels) above the image.
        QVERIFY(std::abs(l.views[1].rect.y + 11 * 100.0 / 34) < 1e-9);
        QVERIFY(std::abs(l.views[1].rect.height - 56 * 100.0 / 34) < 1e-9);
        QCOMPARE(l.tokens[16].row, 2);
        QCOMPARE(l.tokens[24].view, -1);
        QCOMPARE(l.tokens[51].view, -1);
        // JSON round trip, and a corrupt cell is refused.
        const ImageLayout back = image_layout_from_json(image_layout_to_json(l));
        QCOMPARE(back.tokens.size(), l.tokens.size());
        QCOMPARE(back.views[1].rect, l.views[1].rect);
        nlohmann::json bad = image_layout_to_json(l);
        bad["tokens"][3] = {0, 100, 5};
        QVERIFY_THROWS_EXCEPTION(Error, image_layout_from_json(bad));
        bad = image_layout_to_json(l);
        bad["views"][0]["grid"] = {0, 4};
        QVERIFY_THROWS_EXCEPTION(Error, image_layout_from_json(bad));
    }

    void outlines_and_one_view_scaling() {
        ImageLayout l;
        l.original_width = 40;
        l.original_height = 20;
        l.views.push_back({"base", 2, 2, cv::Rect2d(0, 0, 40, 20), 1, 1});
        l.views.push_back({"tiles", 4, 4, cv::Rect2d(0, -10, 40, 40), 2, 2});
        for (int r = 0; r < 2; ++r)
            for (int c = 0; c < 2; ++c) l.tokens.push_back({0, r, c});
        l.tokens.push_back({-1, -1, -1});  // a newline token
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) l.tokens.push_back({1, r, c});
        // The base view's rectangle, then the 2x2 tiles of 20x20 starting 10 pixels above the image.
        const auto all = view_outlines(l);
        QCOMPARE(all.size(), std::size_t{5});
        QCOMPARE(all[0], cv::Rect2d(0, 0, 40, 20));
        QCOMPARE(all[1], cv::Rect2d(0, -10, 20, 20));
        QCOMPARE(all[4], cv::Rect2d(20, 10, 20, 20));
        QCOMPARE(view_outlines(l, 0).size(), std::size_t{1});
        QCOMPARE(view_outlines(l, 1).size(), std::size_t{4});
        QVERIFY(view_outlines(single_grid_layout(10, 10, 2, 2, cv::Rect2d(0, 0, 10, 10))).empty());
        // Scaling one view: its tokens go to [0, 1] over that view alone, the others are untouched.
        std::vector<float> v(l.tokens.size());
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
        const auto base = view_scaled(l, v, 0);
        QCOMPARE(base[0], 0.0f);
        QCOMPARE(base[3], 1.0f);
        QCOMPARE(base[1], 1.0f / 3.0f);
        QCOMPARE(base[4], 4.0f);
        QCOMPARE(base[20], 20.0f);
        const auto tiles = view_scaled(l, v, 1);
        QCOMPARE(tiles[5], 0.0f);
        QCOMPARE(tiles[20], 1.0f);
        QCOMPARE(tiles[0], 0.0f);
        QCOMPARE(tiles[3], 3.0f);
        QVERIFY_THROWS_EXCEPTION(Error, view_scaled(l, {1, 2}, 0));
    }

    void single_grid_composes_cell_for_cell() {
        const ImageLayout l = single_grid_layout(30, 20, 2, 3, cv::Rect2d(0, 0, 30, 20), -1);
        QCOMPARE(l.tokens.size(), std::size_t{7});
        QCOMPARE(map_grid_size(l), cv::Size(3, 2));
        const std::vector<float> values = {9, 0, 1, 2, 3, 4, 5};  // the class token's 9 is not drawn
        QCOMPARE(compose_map(l, values, {3, 2}), (std::vector<float>{0, 1, 2, 3, 4, 5}));
        QVERIFY_THROWS_EXCEPTION(Error, compose_map(l, {1, 2}, {3, 2}));
        // LLaVA's "default" strategy on a tower without a class token drops the first patch.
        const ImageLayout dropped = single_grid_layout(30, 20, 2, 3, cv::Rect2d(0, 0, 30, 20), 1);
        QCOMPARE(dropped.tokens.size(), std::size_t{5});
        QCOMPARE(dropped.tokens[0].col, 1);
    }

    void one_hot_token_lands_on_its_cell_and_views_average() {
        // Base view 2x2 over a 40x40 image, a tile view 4x4 over the same image: cells of 20 and 10 pixels.
        ImageLayout l;
        l.original_width = l.original_height = 40;
        l.views.push_back({"base", 2, 2, cv::Rect2d(0, 0, 40, 40), 1, 1});
        l.views.push_back({"tiles", 4, 4, cv::Rect2d(0, 0, 40, 40), 2, 2});
        for (int r = 0; r < 2; ++r)
            for (int c = 0; c < 2; ++c) l.tokens.push_back({0, r, c});
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) l.tokens.push_back({1, r, c});
        const cv::Size grid = map_grid_size(l);  // half of the finest cell: 5 pixels -> 8x8
        QCOMPARE(grid, cv::Size(8, 8));
        std::vector<float> v(l.tokens.size(), 0.0f);
        v[4 + 1 * 4 + 2] = 1.0f;  // tile cell (1, 2): original x 20..30, y 10..20
        const auto map = compose_map(l, v, grid);
        for (int r = 0; r < 8; ++r)
            for (int c = 0; c < 8; ++c) {
                const bool inside = r >= 2 && r < 4 && c >= 4 && c < 6;
                QCOMPARE(map[static_cast<std::size_t>(r * 8 + c)], inside ? 0.5f : 0.0f);  // base adds 0
            }
        // Only the tile view: the full value.
        const auto tiles_only = compose_map(l, v, grid, 1);
        QCOMPARE(tiles_only[2 * 8 + 4], 1.0f);
        QCOMPARE(tiles_only[0], 0.0f);
        // A view cell without a token (unpadded away) does not count: the base view alone speaks there.
        l.tokens.pop_back();  // drop tile cell (3, 3)
        v.pop_back();
        v[3] = 1.0f;  // base cell (1, 1): x, y 20..40
        const auto partial = compose_map(l, v, grid);
        QCOMPARE(partial[7 * 8 + 7], 1.0f);  // only the base view covers (35, 35)
        QCOMPARE(partial[5 * 8 + 5], 0.5f);  // both views there, the tile says 0
    }

    void smolvlm_plan_follows_the_processor_arithmetic() {
        ImageProcessorConfig cfg;
        cfg.kind = ImageProcessorKind::Siglip;
        cfg.smolvlm = true;
        cfg.longest_edge = 84;
        cfg.resize_height = cfg.resize_width = 28;
        // The fixture: 168x100 -> longest edge 84 -> 84x50 -> multiples of 28: 84x56 -> 2 rows x 3 crops.
        const SmolVLMPlan p = plan_smolvlm(168, 100, cfg);
        QCOMPARE(p.resized_w, 84);
        QCOMPARE(p.resized_h, 50);
        QCOMPARE(p.canvas_w, 84);
        QCOMPARE(p.canvas_h, 56);
        QCOMPARE(p.rows, 2);
        QCOMPARE(p.cols, 3);
        QCOMPARE(p.views(), 7);
        // A tall 99x168 image: the long side to 84, the short one int(84 * 99/168) = 49, made even.
        const SmolVLMPlan tall = plan_smolvlm(99, 168, cfg);
        QCOMPARE(tall.resized_h, 84);
        QCOMPARE(tall.resized_w, 50);  // int(84 * 99/168) = 49, made even
        QCOMPARE(tall.rows, 3);
        QCOMPARE(tall.cols, 2);
        // A canvas of one crop has no crops: the global view alone.
        cfg.longest_edge = 28;
        const SmolVLMPlan small = plan_smolvlm(168, 100, cfg);
        QCOMPARE(small.rows, 0);
        QCOMPARE(small.views(), 1);
        cfg.longest_edge = 84;
        cfg.do_image_splitting = false;
        QCOMPARE(plan_smolvlm(168, 100, cfg).views(), 1);
    }

    void smolvlm_one_hot_crop_token_lights_its_rectangle() {
        // The fixture's geometry: 2x3 crops of 2x2 tokens over 168x100, then the global view's 2x2.
        SmolVLMPlan p;
        p.image_w = 168;
        p.image_h = 100;
        p.canvas_w = 84;
        p.canvas_h = 56;
        p.tile = 28;
        p.rows = 2;
        p.cols = 3;
        const ImageLayout l = smolvlm_layout(p, 2);
        QCOMPARE(l.views.size(), std::size_t{7});
        QCOMPARE(l.tokens.size(), std::size_t{28});
        const cv::Size grid = map_grid_size(l);
        for (std::size_t k = 0; k < l.tokens.size(); ++k) {
            std::vector<float> v(l.tokens.size(), 0.0f);
            v[k] = 1.0f;
            const ImageTokenPlace& t = l.tokens[k];
            const cv::Rect2d rect = l.cell_rect(t.view, t.row, t.col);
            const bool global = l.views[static_cast<std::size_t>(t.view)].kind == "global";
            const auto map = compose_map(l, v, grid);
            const auto alone = compose_map(l, v, grid, t.view);
            int lit = 0;
            for (int r = 0; r < grid.height; ++r)
                for (int c = 0; c < grid.width; ++c) {
                    const cv::Point2d centre((c + 0.5) * 168.0 / grid.width, (r + 0.5) * 100.0 / grid.height);
                    const bool inside = rect.contains(centre);
                    const float value = map[static_cast<std::size_t>(r * grid.width + c)];
                    // Every point is seen by one crop and the global view: a lone token weighs one half.
                    QCOMPARE(value, inside ? 0.5f : 0.0f);
                    QCOMPARE(alone[static_cast<std::size_t>(r * grid.width + c)], inside ? 1.0f : 0.0f);
                    lit += inside ? 1 : 0;
                }
            QVERIFY2(lit > 0, qPrintable(QString("token %1 lights no map cell").arg(k)));
            if (!global) QVERIFY(rect.width < 168 / 3.0 + 1e-9 && rect.height < 50 + 1e-9);
        }
        // Crop (1, 2)'s last token: the bottom-right quarter of that crop, x 140..168, y 75..100.
        const cv::Rect2d last = l.cell_rect(5, 1, 1);
        QCOMPARE(last, cv::Rect2d(140, 75, 28, 25));
    }
};

QTEST_MAIN(TestImageLayout)
#include "test_image_layout.moc"
