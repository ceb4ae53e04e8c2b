#include "ui/window/report_writer.h"

#include <QBuffer>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>

#include "ui/widgets/file_output.h"

namespace sightline::ui {
namespace {

// Draws rich text at (x, y) within `width`; returns the height used.
double draw_html(QPainter& p, const QString& html, double x, double y, double width, int point_size) {
    QTextDocument doc;
    QFont f("DejaVu Sans");
    f.setPointSize(point_size);
    doc.setDefaultFont(f);
    doc.setTextWidth(width);
    doc.setHtml(html);
    p.save();
    p.translate(x, y);
    doc.drawContents(&p);
    p.restore();
    return doc.size().height();
}

}  // namespace

bool write_review_report(const QString& path, const ReportData& d, QString* error) {
    // Rendered in memory, then written whole or not at all (a full disk gives an error, never a
    // truncated PDF reported as written).
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter pdf(&buffer);
    pdf.setPageSize(QPageSize(QPageSize::A4));
    pdf.setResolution(144);
    pdf.setTitle("Sightline review report");
    pdf.setCreator("Sightline");
    QPainter p;
    if (!p.begin(&pdf)) {
        if (error) *error = path + ": cannot render the review report";
        return false;
    }
    const double w = pdf.width(), margin = 40;
    const double inner = w - 2 * margin;
    double y = margin;
    y += draw_html(p, "<h2>Sightline review report</h2>", margin, y, inner, 11);
    y += draw_html(
        p,
        QString("<b>Model:</b> %1<br><b>Image:</b> %2<br><b>Question:</b> %3<br><b>Answer:</b> %4<br>"
                "<b>Explained token:</b> %5<br><b>Created:</b> %6")
            .arg(d.model.toHtmlEscaped(), d.image_label.toHtmlEscaped(), d.question.toHtmlEscaped(),
                 d.answer_html, d.target_token.toHtmlEscaped(), d.created),
        margin, y, inner, 9);
    y += 10;
    const QString verdict = d.defer
                                ? "<p style='background:#c0392b;color:white;padding:4px'><b>Defer to a human "
                                  "expert: the calibrated rule flags this answer as likely wrong.</b></p>"
                                : "<p><b>Not flagged by the calibrated deferral rule.</b></p>";
    y += draw_html(p, QString("<b>%1</b>").arg(d.consistency.toHtmlEscaped()) + verdict, margin, y, inner, 9);

    // Overlays in a grid, two per row.
    const int cols = 2;
    const double cell = (inner - 20) / cols;
    const double img_side = cell * 0.8;
    int i = 0;
    for (const auto& m : d.maps) {
        const int col = i % cols;
        if (col == 0 && i > 0) y += img_side + 70;
        if (y + img_side + 70 > pdf.height() - margin) {
            pdf.newPage();
            y = margin;
        }
        const double x = margin + col * (cell + 20);
        draw_html(p,
                  QString("<b>%1</b> <span style='color:#555'>%2</span>")
                      .arg(m.title.toHtmlEscaped(), m.details.toHtmlEscaped()),
                  x, y, cell, 8);
        if (!m.overlay.isNull()) p.drawImage(QRectF(x, y + 40, img_side, img_side), m.overlay);
        ++i;
    }
    if (!d.maps.isEmpty()) y += img_side + 80;
    if (y + 200 > pdf.height() - margin) {
        pdf.newPage();
        y = margin;
    }
    if (!d.interventions.isEmpty()) {
        QString lines = "<b>Interventions</b>";
        for (const auto& line : d.interventions) lines += "<br>" + line.toHtmlEscaped();
        y += draw_html(p, lines, margin, y, inner, 9);
        y += 10;
    }
    y += draw_html(
        p,
        "<b>Reviewer notes</b><br>" +
            (d.notes.isEmpty() ? QString("<i>none</i>") : d.notes.toHtmlEscaped().replace("\n", "<br>")),
        margin, y, inner, 9);
    y += 10;
    y += draw_html(p, "<span style='color:#555'>" + d.settings.toHtmlEscaped() + "</span>", margin, y, inner,
                   7);
    y += 6;
    // The review record, in full: enough to check later that a file, model or image is the one reviewed.
    QString record = QString("<b>Review record</b><br>Reviewer: %1<br>Software: Sightline %2<br>")
                         .arg(d.reviewer.isEmpty() ? QString("<i>not given</i>") : d.reviewer.toHtmlEscaped(),
                              d.software_version.toHtmlEscaped());
    record +=
        "Model identity (SHA-256 over its files): " +
        (d.model_identity.isEmpty() ? QString("<i>not computed</i>") : d.model_identity.toHtmlEscaped()) +
        "<br>";
    for (const auto& f : d.model_files) record += "&nbsp;&nbsp;" + f.toHtmlEscaped() + "<br>";
    if (!d.image_file_sha256.isEmpty())
        record += "Image file SHA-256: " + d.image_file_sha256.toHtmlEscaped() + "<br>";
    if (!d.image_sha256.isEmpty())
        record += "Image pixels SHA-256: " + d.image_sha256.toHtmlEscaped() + "<br>";
    if (y + 120 > pdf.height() - margin) {
        pdf.newPage();
        y = margin;
    }
    draw_html(p, "<span style='color:#333'>" + record + "</span>", margin, y, inner, 7);
    if (!p.end() || bytes.isEmpty()) {
        if (error) *error = path + ": cannot render the review report";
        return false;
    }
    return writeFileChecked(path, bytes, QStringLiteral("review report"), error);
}

}  // namespace sightline::ui
