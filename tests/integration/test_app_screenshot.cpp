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
};

QTEST_GUILESS_MAIN(TestAppScreenshot)
#include "test_app_screenshot.moc"
