#include "ui/widgets/file_output.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <exception>

#include "core/util/files.h"

namespace sightline::ui {
namespace {
bool set_error(QString* error, const QString& message) {
    if (error) *error = message;
    return false;
}
}  // namespace

bool looksComplete(const QByteArray& bytes, const QString& suffix) {
    const QString s = suffix.toLower();
    if (s == "pdf") return bytes.startsWith("%PDF-") && bytes.right(64).contains("%%EOF");
    if (s == "png") return !QImage::fromData(bytes, "PNG").isNull();
    return !bytes.isEmpty();
}

bool writeFileChecked(const QString& path, const QByteArray& bytes, const QString& what, QString* error) {
    try {
        write_file_atomic(path.toStdString(),
                          std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())),
                          what.toStdString());
        return true;
    } catch (const std::exception& e) {
        return set_error(error, QString::fromStdString(e.what()));
    }
}

bool saveImageChecked(const QString& path, const QImage& image, const char* format, const QString& what,
                      QString* error) {
    if (image.isNull()) return set_error(error, path + ": cannot write the " + what + ": there is no image");
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, format))
        return set_error(error, path + ": cannot encode the " + what + " as " + QString::fromLatin1(format));
    return writeFileChecked(path, bytes, what, error);
}

bool writeThroughTempFile(const QString& path, const QString& what,
                          const std::function<bool(const QString& temp_path)>& produce, QString* error) {
    QTemporaryDir dir;
    if (!dir.isValid())
        return set_error(
            error, path + ": cannot write the " + what + ": no temporary folder (" + dir.errorString() + ")");
    const QString temp = dir.filePath(QStringLiteral("export.") + QFileInfo(path).suffix());
    const QString incomplete = path + ": cannot write the " + what +
                               ": it could not be rendered completely to a temporary file in " + dir.path() +
                               " (is that folder full?)";
    if (!produce(temp)) return set_error(error, incomplete);
    QFile f(temp);
    if (!f.open(QIODevice::ReadOnly))
        return set_error(error, path + ": cannot write the " + what + ": " + f.errorString());
    const QByteArray bytes = f.readAll();
    if (bytes.isEmpty() || f.error() != QFileDevice::NoError ||
        !looksComplete(bytes, QFileInfo(path).suffix()))
        return set_error(error, incomplete);
    return writeFileChecked(path, bytes, what, error);
}

}  // namespace sightline::ui
