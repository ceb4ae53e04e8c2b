#include "tests/support/cli_run.h"

#include "tests/support/test_paths.h"

namespace sightline::test {

QString cli_path() {
    return QString::fromStdString(bin_dir()) + "/sightline-cli";
}

CliRun cli(const QStringList& args, int timeout_ms, const std::function<void(QProcess&)>& setup) {
    QProcess p;
    if (setup) setup(p);
    p.start(cli_path(), args);
    CliRun r;
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished(10000);
        r.err = "timed out";
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

}  // namespace sightline::test
