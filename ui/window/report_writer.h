#pragma once
// The review report (PDF via QPdfWriter): the image with the model's answer, the explained token, every
// method's overlay, the cross-method consistency score with the "defer to a human expert" flag, the
// reviewer's notes, and the settings needed to reproduce it.
#include <QImage>
#include <QString>
#include <QStringList>
#include <QVector>

namespace sightline::ui {

struct ReportData {
    QString model, question, answer_html, target_token, image_label, created;
    QImage image;  // what the model saw
    struct MethodMap {
        QString title, details;
        QImage overlay;
    };
    QVector<MethodMap> maps;
    QString consistency;
    bool defer = false;
    QString notes;
    QStringList interventions;  // one line per knockout run on this answer
    QString settings;
    // The review record: who, with which software, model and image.
    QString reviewer, software_version;
    QString model_identity;                   // SHA-256 over the model's files (empty: not known)
    QStringList model_files;                  // "name  bytes  sha256" per file
    QString image_sha256, image_file_sha256;  // pixels; file bytes when it came from a file
};

// Returns false and sets `error` when the file cannot be written.
bool write_review_report(const QString& path, const ReportData& data, QString* error);

}  // namespace sightline::ui
