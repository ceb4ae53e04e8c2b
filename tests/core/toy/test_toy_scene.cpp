// Scenes of the synthetic scene world: determinism, exact masks, layout rules, serialisation.
#include "core/toy/scene.h"
#include "core/toy/scene_json.h"
#include "core/toy/seeds.h"
#include "core/toy/shape_stamp.h"
#include "core/toy/vocabulary.h"
#include "core/util/error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

using namespace sightline::toy;

namespace {

bool same_bytes(const cv::Mat& a, const cv::Mat& b) {
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

std::string position_of(int row, int col) {
    static const char* const names[3][3] = {{"top left", "top center", "top right"},
                                            {"middle left", "center", "middle right"},
                                            {"bottom left", "bottom center", "bottom right"}};
    return names[row][col];
}

}  // namespace

class TestToyScene : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void vocabularyRoundTrips() {
        for (Shape s : kAllShapes) QCOMPARE(parse_shape(to_string(s)), std::optional<Shape>(s));
        for (Color c : kAllColors) QCOMPARE(parse_color(to_string(c)), std::optional<Color>(c));
        for (Size z : kAllSizes) QCOMPARE(parse_size(to_string(z)), std::optional<Size>(z));
        QCOMPARE(parse_shape(" Star "), std::optional<Shape>(Shape::Star));
        QVERIFY(!parse_shape("hexagon"));
        QVERIFY(!parse_color("pink"));
        for (int r = 0; r < 3; ++r) {
            for (int c = 0; c < 3; ++c) {
                QCOMPARE(position_phrase(r, c), position_of(r, c));
                QCOMPARE(parse_position(position_of(r, c)), std::optional(std::make_pair(r, c)));
            }
        }
        QVERIFY(!parse_position("middle center"));
        QVERIFY_THROWS_EXCEPTION(sightline::Error, position_phrase(3, 0));
        QCOMPARE(number_word(4), std::string("four"));
        QCOMPARE(parse_number_word("three"), std::optional<int>(3));
        QCOMPARE(indefinite_article("orange"), std::string("an"));
        QCOMPARE(indefinite_article("red"), std::string("a"));
        QCOMPARE(size_pixels(Size::Small), 20);
        QCOMPARE(size_pixels(Size::Large), 30);
    }

    void colorsAreWellSeparated() {
        for (Color a : kAllColors) {
            const Rgb x = color_rgb(a);
            QVERIFY(std::max({x.r, x.g, x.b}) >= 140);  // far above the background (<= 80)
            for (Color b : kAllColors) {
                if (a == b) continue;
                const Rgb y = color_rgb(b);
                const int d = std::max({std::abs(x.r - y.r), std::abs(x.g - y.g), std::abs(x.b - y.b)});
                QVERIFY2(d >= 75, (to_string(a) + " vs " + to_string(b)).c_str());
            }
        }
    }

    void stampsAreNonEmptyAndCentred() {
        for (Shape s : kAllShapes) {
            for (Size z : kAllSizes) {
                const ShapeStamp& st = shape_stamp(s, z);
                QCOMPARE(st.mask.rows, size_pixels(z));
                QCOMPARE(st.pixel_count, cv::countNonZero(st.mask));
                QVERIFY(st.pixel_count > 40);
                QCOMPARE(cv::boundingRect(st.mask), st.bbox);
            }
        }
        QVERIFY(shape_contains(Shape::Ring, 0.9, 0.0));
        QVERIFY(!shape_contains(Shape::Ring, 0.0, 0.0));
    }

    void sameSeedSameScene() {
        for (uint64_t seed : {uint64_t(0), uint64_t(7), uint64_t(123456), kHeldOutSeedBase + 5}) {
            const Scene a = generate_scene(seed);
            const Scene b = generate_scene(seed);
            QCOMPARE(a.seed, seed);
            QVERIFY(same_bytes(a.image, b.image));
            QCOMPARE(a.objects.size(), b.objects.size());
            for (size_t i = 0; i < a.objects.size(); ++i)
                QVERIFY(same_bytes(a.objects[i].mask, b.objects[i].mask));
            QCOMPARE(scene_to_json(a).dump(), scene_to_json(b).dump());
        }
    }

    void differentSeedsDiffer() {
        std::set<std::string> jsons;
        for (uint64_t seed = 0; seed < 50; ++seed) {
            QVERIFY(!same_bytes(generate_scene(seed).image, generate_scene(seed + 1).image));
            jsons.insert(scene_to_json(generate_scene(seed)).dump());
        }
        QCOMPARE(jsons.size(), size_t(50));
    }

    void masksAreExact() {
        for (uint64_t seed = 0; seed < 300; ++seed) {
            const Scene scene = generate_scene(seed);
            QCOMPARE(scene.image.type(), CV_8UC3);
            QCOMPARE(scene.image.rows, kImageSize);
            QCOMPARE(scene.image.cols, kImageSize);
            cv::Mat covered = cv::Mat::zeros(kImageSize, kImageSize, CV_8UC1);
            for (const SceneObject& o : scene.objects) {
                QCOMPARE(o.mask.type(), CV_8UC1);
                QCOMPARE(o.mask.size(), scene.image.size());
                const int n = cv::countNonZero(o.mask);
                QVERIFY(n > 0);
                QCOMPARE(n, o.pixel_count);
                QCOMPARE(cv::boundingRect(o.mask), o.bbox);
                QCOMPARE(o.bbox & cell_rect(o.cell_row, o.cell_col), o.bbox);  // inside its cell
                QCOMPARE(cv::countNonZero(covered & o.mask), 0);               // pairwise disjoint
                covered |= o.mask;
                const Rgb rgb = color_rgb(o.color);
                for (int y = 0; y < kImageSize; ++y) {
                    for (int x = 0; x < kImageSize; ++x) {
                        const uint8_t m = o.mask.at<uint8_t>(y, x);
                        QVERIFY(m == 0 || m == 255);
                        if (!m) continue;
                        const cv::Vec3b p = scene.image.at<cv::Vec3b>(y, x);
                        QVERIFY(p[0] == rgb.r && p[1] == rgb.g && p[2] == rgb.b);
                    }
                }
            }
            // Outside every mask the background is dark: it never equals an object colour.
            for (int y = 0; y < kImageSize; ++y) {
                for (int x = 0; x < kImageSize; ++x) {
                    if (covered.at<uint8_t>(y, x)) continue;
                    const cv::Vec3b p = scene.image.at<cv::Vec3b>(y, x);
                    QVERIFY(p[0] <= 80 && p[1] <= 80 && p[2] <= 80);
                }
            }
        }
    }

    void layoutRules() {
        std::map<size_t, int> counts;
        std::set<int> sizes, shapes, colors, cells;
        for (uint64_t seed = 0; seed < 2000; ++seed) {
            const Scene scene = generate_scene(seed);
            QVERIFY(scene.objects.size() >= 1 && scene.objects.size() <= 4);
            ++counts[scene.objects.size()];
            std::set<std::pair<int, int>> kinds;
            int previous_cell = -1;
            for (const SceneObject& o : scene.objects) {
                QVERIFY(kinds.insert({int(o.color), int(o.shape)}).second);  // unique (colour, shape)
                const int cell = o.cell_row * 3 + o.cell_col;
                QVERIFY(cell > previous_cell);  // distinct cells, row-major order
                previous_cell = cell;
                sizes.insert(int(o.size)), shapes.insert(int(o.shape)), colors.insert(int(o.color));
                cells.insert(cell);
                QCOMPARE(o.position(), position_of(o.cell_row, o.cell_col));
                QCOMPARE(o.name(), to_string(o.color) + " " + to_string(o.shape));
            }
        }
        for (size_t n = 1; n <= 4; ++n)
            QVERIFY2(counts[n] > 400 && counts[n] < 600, std::to_string(n).c_str());
        QCOMPARE(sizes.size(), size_t(3));
        QCOMPARE(shapes.size(), size_t(6));
        QCOMPARE(colors.size(), size_t(8));
        QCOMPARE(cells.size(), size_t(9));
    }

    void backgroundVariesPerScene() {
        std::set<int> first_pixels;
        for (uint64_t seed = 0; seed < 40; ++seed) {
            const cv::Scalar mean = cv::mean(generate_scene(seed).image);
            first_pixels.insert(int(mean[0]) * 1000 + int(mean[2]));
        }
        QVERIFY(first_pixels.size() > 10);
    }

    void jsonDescribesScene() {
        const Scene scene = generate_scene(42);
        const nlohmann::json j = scene_to_json(scene);
        QCOMPARE(j.at("seed").get<uint64_t>(), uint64_t(42));
        QCOMPARE(j.at("image_size").get<int>(), 96);
        QCOMPARE(j.at("objects").size(), scene.objects.size());
        for (size_t i = 0; i < scene.objects.size(); ++i) {
            const auto& o = j.at("objects")[i];
            const SceneObject& s = scene.objects[i];
            QCOMPARE(o.at("shape").get<std::string>(), to_string(s.shape));
            QCOMPARE(o.at("color").get<std::string>(), to_string(s.color));
            QCOMPARE(o.at("position").get<std::string>(), s.position());
            QCOMPARE(o.at("cell")[0].get<int>(), s.cell_row);
            QCOMPARE(o.at("pixel_count").get<int>(), s.pixel_count);
            QCOMPARE(o.at("bbox").at("width").get<int>(), s.bbox.width);
        }
    }

    void writeSceneWritesFiles() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const Scene scene = generate_scene(11);
        const std::string dir = tmp.filePath("nested/scene").toStdString();
        write_scene(scene, dir);
        const cv::Mat bgr = cv::imread(dir + "/scene.png", cv::IMREAD_COLOR);
        QCOMPARE(bgr.size(), scene.image.size());
        for (int y = 0; y < kImageSize; ++y) {
            for (int x = 0; x < kImageSize; ++x) {
                const cv::Vec3b a = bgr.at<cv::Vec3b>(y, x), b = scene.image.at<cv::Vec3b>(y, x);
                QVERIFY(a[0] == b[2] && a[1] == b[1] && a[2] == b[0]);
            }
        }
        for (size_t i = 0; i < scene.objects.size(); ++i) {
            const cv::Mat mask =
                cv::imread(dir + "/mask_" + std::to_string(i) + ".png", cv::IMREAD_UNCHANGED);
            QVERIFY(same_bytes(mask, scene.objects[i].mask));
        }
        std::ifstream in(dir + "/scene.json");
        const nlohmann::json j = nlohmann::json::parse(in);
        QCOMPARE(j.dump(), scene_to_json(scene).dump());
    }

    void writeSceneReportsUnwritableFolder() {
        QTemporaryDir tmp;
        QFile file(tmp.filePath("a_file"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        const std::string dir = tmp.filePath("a_file/scene").toStdString();
        try {
            write_scene(generate_scene(1), dir);
            QFAIL("expected an error");
        } catch (const sightline::Error& e) {
            QVERIFY(std::string(e.what()).find(dir) != std::string::npos);
        }
    }

    void seedRanges() {
        QVERIFY(is_training_seed(0));
        QVERIFY(is_training_seed(kHeldOutSeedBase - 1));
        QVERIFY(!is_training_seed(kHeldOutSeedBase));
        QVERIFY(is_held_out_seed(kHeldOutSeedBase));
        QCOMPARE(kHeldOutSeedBase, uint64_t(1'000'000'000));
    }
};

QTEST_APPLESS_MAIN(TestToyScene)
#include "test_toy_scene.moc"
