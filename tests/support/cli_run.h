#pragma once
// Runs sightline-cli (from SIGHTLINE_BIN_DIR) as a separate process for the end-to-end tests: exit code,
// stdout, stderr, and stdout as JSON.
#include <QProcess>
#include <QString>
#include <QStringList>
#include <functional>
#include <nlohmann/json.hpp>

namespace sightline::test {

struct CliRun {
    int code = -1;  // -1: crashed or timed out
    QString out, err;
    nlohmann::json j() const { return nlohmann::json::parse(out.toStdString()); }
};

// The sightline-cli executable of this build.
QString cli_path();
// `setup` may redirect the process's streams or set its environment before it starts.
CliRun cli(const QStringList& args, int timeout_ms = 300000,
           const std::function<void(QProcess&)>& setup = {});

}  // namespace sightline::test
