// The desktop app's scripted view: `sightline --screenshot FILE` starts the real window offscreen, loads
// the model and a demo scene, generates, explains, saves a PNG of the whole window and exits 0.
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "core/util/resource_paths.h"
#include "core/util/strings.h"
#include "tests/support/test_paths.h"
#include "tests/support/tiny_models.h"

class TestAppScreenshot : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

  private Q_SLOTS:
    void scripted_screenshot() {
        std::string model = sightline::default_model_dir();
        if (!sightline::file_exists(model + "/model.safetensors"))
            model = sightline::test::write_tiny_model((tmp_.path() + "/tiny").toStdString(), {});
        const QString png = tmp_.path() + "/window.png";
        const QString report = tmp_.path() + "/report.pdf";
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        p.setProcessEnvironment(env);
        p.start(QString::fromStdString(sightline::test::bin_dir()) + "/sightline",
                {"--model", QString::fromStdString(model), "--screenshot", png, "--report", report,
                 "--timeout", "600"});
        QVERIFY(p.waitForFinished(700000));
        QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
        const QImage img(png);
        QVERIFY(!img.isNull());
        QVERIFY(img.width() >= 1000 && img.height() >= 700);
        QFile pdf(report);
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QCOMPARE(pdf.read(4), QByteArray("%PDF"));
    }

    // The desktop entry runs `sightline %f`: the file named on the command line is the image the window
    // opens (here in --screenshot mode, which reports it); a file that cannot be read is an error naming it.
    void file_on_the_command_line_is_opened() {
        std::string model = sightline::default_model_dir();
        if (!sightline::file_exists(model + "/model.safetensors"))
            model = sightline::test::write_tiny_model((tmp_.path() + "/tiny2").toStdString(), {});
        const QString image = tmp_.path() + "/given image.png";
        QImage red(48, 32, QImage::Format_RGB888);
        red.fill(Qt::red);
        QVERIFY(red.save(image));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        const QString bin = QString::fromStdString(sightline::test::bin_dir()) + "/sightline";
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(bin, {"--model", QString::fromStdString(model), "--screenshot", tmp_.path() + "/given.png",
                      "--timeout", "600", image});
        QVERIFY(p.waitForFinished(700000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(err));
        QVERIFY2(err.contains("image: " + image), qPrintable(err));
        QVERIFY(!QImage(tmp_.path() + "/given.png").isNull());

        QProcess missing;
        missing.setProcessEnvironment(env);
        missing.start(bin, {"--model", QString::fromStdString(model), "--screenshot", tmp_.path() + "/no.png",
                            "--timeout", "600", tmp_.path() + "/absent.png"});
        QVERIFY(missing.waitForFinished(700000));
        const QString why = QString::fromUtf8(missing.readAllStandardError());
        QCOMPARE(missing.exitCode(), 1);
        QVERIFY2(why.contains("absent.png"), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(TestAppScreenshot)
#include "test_app_screenshot.moc"
