#pragma once
// Checked file output for the GUI: every export, report and screenshot is written whole or not at all
// (core/util/files.h AtomicFile: temporary file, fsync, rename), and a failure returns false with a
// message naming the file and the system's reason ("No space left on device"), never a truncated file
// reported as written.
#include <QByteArray>
#include <QImage>
#include <QString>
#include <functional>

namespace sightline::ui {

// Writes `bytes` to `path`; `what` names the file's role in messages ("review report").
bool writeFileChecked(const QString& path, const QByteArray& bytes, const QString& what, QString* error);

// Encodes `image` in `format` ("PNG") in memory and writes it with writeFileChecked.
bool saveImageChecked(const QString& path, const QImage& image, const char* format, const QString& what,
                      QString* error);

// For writers that can only write to a path and do not report write errors (QCustomPlot's PDF
// export): `produce` writes a file in a private temporary folder; the file must look complete
// (looksComplete) and its bytes are then written to `path` with writeFileChecked.
// True when `bytes` is a whole file of the type `suffix` names: a PDF ends with its %%EOF marker, a
// PNG decodes; other types only need to be non-empty.
bool looksComplete(const QByteArray& bytes, const QString& suffix);

bool writeThroughTempFile(const QString& path, const QString& what,
                          const std::function<bool(const QString& temp_path)>& produce, QString* error);

}  // namespace sightline::ui
