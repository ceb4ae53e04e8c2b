#pragma once
// The review report (PDF via QPdfWriter): the image with the model's answer, the explained token, every
// method's overlay, the cross-method consistency score with the "defer to a human expert" flag, the
// reviewer's notes, and the settings needed to reproduce it.
#include <QImage>
#include <QString>
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
    QString settings;
};

// Returns false and sets `error` when the file cannot be written.
bool write_review_report(const QString& path, const ReportData& data, QString* error);

}  // namespace sightline::ui
