#pragma once
// Trains SentencePiece models for the tokenizer tests with the spm_train command-line tool (Debian
// package `sentencepiece`), so no test has to link the library's trainer.
#include <QProcess>
#include <QStandardPaths>
#include <QStringList>

#include <string>

#include "core/util/strings.h"

namespace sightline::test {

// Runs `spm_train --input=<corpus> --model_prefix=<prefix> <args...> --minloglevel=2` and returns
// "<prefix>.model"; on failure returns "" and puts spm_train's output (or why it did not run) in `error`.
inline std::string train_sentencepiece(const std::string& corpus, const std::string& prefix,
                                       const QStringList& args, std::string& error) {
    const QString program = QStandardPaths::findExecutable("spm_train");
    if (program.isEmpty()) {
        error = "spm_train not found on PATH (install the Debian package sentencepiece)";
        return {};
    }
    QStringList all = {QString::fromStdString("--input=" + corpus),
                       QString::fromStdString("--model_prefix=" + prefix)};
    all << args << "--minloglevel=2";
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, all);
    if (!process.waitForFinished(300000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        error = "spm_train " + all.join(' ').toStdString() + " failed: " + process.readAll().toStdString() +
                process.errorString().toStdString();
        return {};
    }
    const std::string model = prefix + ".model";
    if (!file_exists(model)) {
        error = "spm_train wrote no " + model;
        return {};
    }
    return model;
}

}  // namespace sightline::test
