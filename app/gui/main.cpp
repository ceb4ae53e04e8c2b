// sightline: the desktop app. Starts the main window on the embedded default model.
//   sightline [--model DIR] [--dtype f32|bf16] [--plugins DIR]
//   sightline --screenshot FILE [--image PATH --prompt TEXT --method NAME --target INDEX] [--report FILE]
//             [--timeout SECONDS]
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTimer>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>

#include "core/util/resource_paths.h"
#include "core/util/version.h"
#include "ui/widgets/file_output.h"
#include "ui/window/main_window.h"

using sightline::ui::MainWindow;

namespace {

// Measures how responsive the GUI thread stays: a 10 ms timer records the longest gap between its ticks
// in each phase of the scripted run (a gap well over 10 ms means the event loop was blocked that long).
struct StallWatch {
    QTimer tick;
    QElapsedTimer clock;
    qint64 last = 0;
    QString phase = "loading";
    std::map<QString, qint64> worst;  // phase -> longest gap (ms)

    void start(QObject* owner) {
        clock.start();
        QObject::connect(&tick, &QTimer::timeout, owner, [this] {
            const qint64 now = clock.elapsed();
            auto& w = worst[phase];
            w = std::max(w, now - last);
            last = now;
        });
        tick.start(10);
    }
    void enter(const QString& p) {
        last = clock.elapsed();  // a phase change is not a gap
        phase = p;
    }
    void print() const {
        QStringList parts;
        for (const auto& [p, ms] : worst) parts << QString("%1 %2 ms").arg(p).arg(ms);
        std::fprintf(stderr, "event loop: longest gap between 10 ms ticks while %s\n",
                     qPrintable(parts.join(", ")));
    }
};

// Drives the real window through a full explanation and saves a PNG of it (docs, checks).
void script_screenshot(MainWindow* w, const QCommandLineParser& args, QApplication& app) {
    const QString out = args.value("screenshot");
    auto stalls = std::make_shared<StallWatch>();
    stalls->start(w);
    const int timeout = args.value("timeout").toInt();
    QTimer::singleShot(timeout * 1000, &app, [] {
        std::fprintf(stderr, "sightline --screenshot: timed out\n");
        QCoreApplication::exit(1);
    });
    QObject::connect(w, &MainWindow::errorShown, &app, [](const QString& m) {
        std::fprintf(stderr, "sightline --screenshot: %s\n", qPrintable(m));
        QCoreApplication::exit(1);
    });
    auto started = std::make_shared<bool>(false);
    QObject::connect(w, &MainWindow::modelReadyChanged, w, [w, &args, started, stalls](bool ready) {
        if (!ready || *started) return;
        *started = true;
        stalls->enter("generating");
        // --image, or the file given on the command line (the desktop entry's %f).
        const QStringList files = args.positionalArguments();
        const QString image = args.isSet("image") ? args.value("image") : files.value(0);
        if (!image.isEmpty()) {
            if (!w->openImageFile(image)) return;
            std::fprintf(stderr, "image: %s\n", qPrintable(image));
        }
        if (args.isSet("prompt")) w->setQuestion(args.value("prompt"));
        if (args.isSet("method")) {
            if (args.value("method") == "compare")  // the Compare tab (every method's map)
                w->tabs()->setCurrentIndex(w->tabs()->count() - 1);
            else
                w->setActiveMethod(args.value("method"));
        }
        w->startGeneration();
    });
    auto targeted = std::make_shared<bool>(false);
    QObject::connect(w, &MainWindow::generationFinished, w, [w, &args, targeted, stalls] {
        stalls->enter("explaining");
        if (args.isSet("target") && !*targeted) {
            *targeted = true;
            w->selectTarget(args.value("target").toInt());
        }
    });
    QObject::connect(w, &MainWindow::idle, w, [w, out, targeted, &args, stalls] {
        if (!w->trace() || w->explanations().isEmpty()) return;
        if (args.isSet("target") && !*targeted) return;
        const QString report = args.value("report");
        stalls->print();
        stalls->enter("saving");
        QTimer::singleShot(200, w, [w, out, report] {  // let the last repaints land
            QString why;
            bool ok = sightline::ui::saveImageChecked(out, w->grab().toImage(), "PNG", "screenshot", &why);
            std::fprintf(stderr, ok ? "wrote %s\n" : "%s\n", ok ? qPrintable(out) : qPrintable(why));
            if (ok && !report.isEmpty()) {
                QString err;
                ok = w->exportReport(report, &err);
                std::fprintf(stderr, ok ? "wrote %s\n" : "cannot write the report: %s\n",
                             ok ? qPrintable(report) : qPrintable(err));
            }
            QCoreApplication::exit(ok ? 0 : 1);
        });
    });
}

// The file named on the command line (the desktop entry passes one with %f): a session is opened once the
// default model is ready (it may name another model, which it then loads); an image at once.
void open_given_file(MainWindow* w, const QString& file) {
    if (!file.endsWith(".json", Qt::CaseInsensitive)) {
        w->openImageFile(file);  // shows its own error
        return;
    }
    auto once = std::make_shared<QMetaObject::Connection>();
    *once = QObject::connect(w, &MainWindow::modelReadyChanged, w, [w, file, once](bool ready) {
        if (!ready) return;
        QObject::disconnect(*once);
        w->openSession(file);  // shows its own error
    });
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGXFSZ, SIG_IGN);  // over a file-size limit, writes fail with EFBIG and are reported
    QApplication app(argc, argv);
    QApplication::setApplicationName("Sightline");
    QApplication::setApplicationVersion(sightline::software_version());
    QApplication::setOrganizationName("Sightline");
    QCommandLineParser args;
    args.setApplicationDescription("A desktop microscope for vision-language models");
    args.addHelpOption();
    args.addVersionOption();
    args.addOptions(
        {{"model", "Hugging Face model folder (default: the embedded model)", "dir"},
         {"dtype", "Compute dtype: auto, f32 or bf16 (auto picks bf16 for large 16-bit checkpoints)", "dtype",
          "auto"},
         {"plugins", "Extra folder to scan for explainer plugins", "dir"},
         {"screenshot", "Run a full explanation, save a PNG of the window, exit", "file"},
         {"image", "Image for --screenshot (default: a demo scene)", "path"},
         {"prompt", "Question for --screenshot (default: the demo scene's)", "text"},
         {"method", "Method tab to show in --screenshot ('compare': the Compare tab)", "name"},
         {"target", "Answer token to explain in --screenshot (default: the first object word)", "index"},
         {"report", "With --screenshot: also write the review report (PDF) here", "file"},
         {"timeout", "Seconds before --screenshot gives up", "seconds", "300"}});
    args.addPositionalArgument("file", "An image, or a session (*.sightline.json), to open", "[file]");
    args.process(app);

    MainWindow::Options o;
    o.model_dir =
        args.isSet("model") ? args.value("model") : QString::fromStdString(sightline::default_model_dir());
    // Without --dtype, the dtype chosen last time (settings), else auto.
    o.dtype = args.isSet("dtype") ? args.value("dtype") : QString();
    if (args.isSet("plugins")) o.plugin_dirs << args.value("plugins");
    if (!args.isSet("screenshot")) {
        // Interactive runs keep settings and autosave; the scripted screenshot run touches neither.
        o.persist_settings = true;
        o.state_dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/autosave";
    }
    MainWindow w(o);
    if (args.isSet("screenshot")) {
        script_screenshot(&w, args, app);
    } else if (!args.positionalArguments().isEmpty()) {
        open_given_file(&w, args.positionalArguments().first());
    }
    w.show();
    return app.exec();
}
