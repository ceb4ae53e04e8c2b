// The main window on a model that tiles its images (the LLaVA-NeXT fixture of transformers, with a byte-level
// tokenizer written here): ask about a non-square image, click an answer token, and check that the map is
// composed over the whole original image from every view, that the view chooser offers the base view and
// the tiles, that choosing one view draws exactly that view's composition (core compose_map) with its tile
// boundaries outlined, and that "all views" gives the composed map back. The window is saved as a PNG
// (SIGHTLINE_SCREENSHOT_DIR, default the temp folder) to look at.
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>

#include "core/image/image_layout.h"
#include "core/util/strings.h"
#include "tests/support/test_paths.h"
#include "tests/support/tiny_models.h"
#include "tests/ui/window/window_fixture.h"
#include "ui/widgets/image_canvas.h"
#include "ui/widgets/token_strip.h"
#include "ui/window/method_panel.h"
#include "ui/window/overlay_controls.h"

using namespace sightline;

namespace {

// A byte-level tokenizer over the fixture's 320 ids: bytes 0..255, <s> 256, </s> 257, fillers, and <image> at
// the config's image_token_index 310.
void write_tokenizer(const QString& dir) {
    std::vector<std::pair<std::int64_t, std::string>> specials = {{256, "<s>"}, {257, "</s>"}};
    for (int id = 258; id < 320; ++id)
        specials.emplace_back(id, id == 310 ? "<image>" : cat("<extra_", id, ">"));
    test::write_byte_tokenizer(dir.toStdString(), specials);
}

QString screenshot_dir() {
    const QString dir = qEnvironmentVariableIsSet("SIGHTLINE_SCREENSHOT_DIR")
                            ? qEnvironmentVariable("SIGHTLINE_SCREENSHOT_DIR")
                            : QDir::temp().filePath("sightline_window");
    QDir().mkpath(dir);
    return dir;
}

}  // namespace

class TestTiledWindow : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::unique_ptr<ui::MainWindow> w_;

  private Q_SLOTS:
    void initTestCase() {
        const QString fixture = QString::fromStdString(test::fixture("hf_vlm/llava_next"));
        if (!QFile::exists(fixture + "/model.safetensors")) QSKIP("the hf_vlm fixtures are not available");
        const QString dir = tmp_.filePath("llava_next");
        QDir().mkpath(dir);
        for (const char* f : {"config.json", "model.safetensors", "preprocessor_config.json"})
            QVERIFY(QFile::copy(fixture + "/" + f, dir + "/" + f));
        write_tokenizer(dir);
        w_ = test::open_window(dir, /*load_demo=*/false);
        QVERIFY2(w_, "the window did not load the LLaVA-NeXT fixture");
        QString error;
        QVERIFY2(w_->openImageFile(QString::fromStdString(test::fixture("hf_vlm/image.png")), &error),
                 qPrintable(error));
    }

    void one_view_or_all_views() {
        QVERIFY(test::ask(*w_, "what is in the picture?"));
        const auto t = w_->trace();
        QVERIFY(t);
        QVERIFY(t->layout.views.size() >= 2);  // base view + tiles
        QCOMPARE(t->layout.original_width, 168);
        QCOMPARE(t->layout.original_height, 100);
        QVERIFY(w_->answerStrip()->count() > 0);
        // Attention tab (cheap and deterministic on the trace).
        QTabBar* bar = w_->tabs()->tabBar();
        QTest::mouseClick(bar, Qt::LeftButton, {},
                          bar->tabRect(w_->tabs()->indexOf(w_->panel("attention"))).center());
        QVERIFY(test::wait_idle(*w_));
        QVERIFY(test::click_token(*w_, 0));
        const Explanation& e = w_->explanations().value("attention");
        QCOMPARE(e.image_tokens.size(), t->layout.tokens.size());
        QCOMPARE(e.grid_h, t->grid_h);
        QCOMPARE(e.grid_w, t->grid_w);

        ui::OverlayControls* controls = w_->overlayControls();
        QComboBox* views = controls->viewBox();
        QVERIFY(views->isVisible());
        QCOMPARE(views->count(), static_cast<int>(t->layout.views.size()) + 1);
        QCOMPARE(controls->view(), -1);
        const QVector<float> all = w_->canvas()->mapValues();
        QCOMPARE(all.size(), static_cast<int>(e.image_map.size()));
        for (int i = 0; i < all.size(); ++i) QCOMPARE(all[i], e.image_map[static_cast<std::size_t>(i)]);
        // Every view and tile is outlined when all views are shown.
        QCOMPARE(w_->canvas()->outlines().size(), static_cast<int>(view_outlines(t->layout).size()));
        const QString dir = screenshot_dir();
        QVERIFY(w_->grab().save(QDir(dir).filePath("tiled_all_views.png")));

        for (int v = 0; v < static_cast<int>(t->layout.views.size()); ++v) {
            views->setCurrentIndex(v + 1);  // as a user picks it
            QCOMPARE(controls->view(), v);
            const std::vector<float> expect = compose_map(
                t->layout, view_scaled(t->layout, e.image_tokens, v), cv::Size(e.grid_w, e.grid_h), v);
            const QVector<float> shown = w_->canvas()->mapValues();
            QCOMPARE(shown.size(), static_cast<int>(expect.size()));
            for (int i = 0; i < shown.size(); ++i)
                QVERIFY2(std::abs(shown[i] - expect[static_cast<std::size_t>(i)]) < 1e-6f,
                         qPrintable(QString::number(i)));
            QCOMPARE(w_->canvas()->outlines().size(), static_cast<int>(view_outlines(t->layout, v).size()));
            if (t->layout.views[static_cast<std::size_t>(v)].kind == "tiles")
                QVERIFY(w_->grab().save(QDir(dir).filePath("tiled_one_view.png")));
        }
        views->setCurrentIndex(0);
        const QVector<float> back = w_->canvas()->mapValues();
        for (int i = 0; i < back.size(); ++i) QCOMPARE(back[i], e.image_map[static_cast<std::size_t>(i)]);
        // A new image hides the chooser until the model has seen it.
        w_->setImage(QImage(64, 48, QImage::Format_RGB888), "blank");
        QVERIFY(!views->isVisible());
        QVERIFY(w_->canvas()->outlines().isEmpty());
    }
};

QTEST_MAIN(TestTiledWindow)
#include "test_tiled_window.moc"
