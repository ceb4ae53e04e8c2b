#include "ui/window/batch_results_dialog.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImageReader>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <filesystem>
#include <set>

#include "core/batch/batch_merge.h"
#include "core/batch/batch_run.h"
#include "core/batch/manifest.h"
#include "core/text/json_file.h"
#include "core/util/strings.h"

namespace sightline::ui {
namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QString fixed(double v, int digits = 3) {
    return QString::number(v, 'f', digits);
}

QTableWidget* make_table(const QStringList& headers, const char* name) {
    auto* t = new QTableWidget(0, static_cast<int>(headers.size()));
    t->setObjectName(name);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 8);
    return t;
}

void set_cell(QTableWidget* t, int row, int col, const QString& text, const QString& tip = {}) {
    auto* item = new QTableWidgetItem(text);
    item->setToolTip(tip.isEmpty() ? text : tip);
    t->setItem(row, col, item);
}

// Per method on one record: object words hit / scored.
std::map<std::string, std::pair<int, int>> pointing_of(const nlohmann::json& rec) {
    std::map<std::string, std::pair<int, int>> out;
    const auto scores = rec.find("scores");
    if (scores == rec.end() || !scores->contains("targets")) return out;
    for (const auto& t : scores->at("targets")) {
        const auto methods = t.find("methods");
        if (methods == t.end()) continue;
        for (const auto& [name, m] : methods->items())
            if (m.contains("pointing")) {
                auto& c = out[name];
                c.first += m["pointing"].get<bool>() ? 1 : 0;
                ++c.second;
            }
    }
    return out;
}

}  // namespace

BatchResultsDialog::BatchResultsDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle("Batch results");
    resize(980, 720);
    open_ = new QPushButton("Open run folder…");
    open_->setObjectName("openRunFolder");
    refresh_ = new QPushButton("Refresh");
    refresh_->setObjectName("refreshRun");
    refresh_->setToolTip("Read the shard files again (a run still in progress adds items as they finish).");
    filter_ = new QComboBox;
    filter_->setObjectName("itemFilter");
    filter_->addItems({"All items", "Wrong answers", "Bad items", "A method missed an object"});
    summary_ = new QLabel(
        "Open the folder a batch run writes to (sightline-cli batch --out DIR, or scripts/slurm/submit): its "
        "shards are read as they are, so a running job can be watched.");
    summary_->setObjectName("runSummary");
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    methods_ = make_table({"method", "Obj-IoU", "Func-IoU", "F1-IoU", "pointing", "deletion", "insertion",
                           "validated", "time ms"},
                          "runMethods");
    methods_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    methods_->setSelectionMode(QAbstractItemView::NoSelection);
    methods_->setMaximumHeight(methods_->verticalHeader()->defaultSectionSize() * 8);
    items_ = make_table({"id", "group", "question", "answer", "right", "expected", "pointing hits", "error"},
                        "runItems");
    items_->setSelectionBehavior(QAbstractItemView::SelectRows);
    items_->setSelectionMode(QAbstractItemView::SingleSelection);
    items_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    items_->horizontalHeader()->setStretchLastSection(true);
    items_->setToolTip("Double-click an item to open its image and question in the explorer.");

    auto* top = new QHBoxLayout;
    top->addWidget(open_);
    top->addWidget(refresh_);
    top->addStretch(1);
    top->addWidget(new QLabel("Show"));
    top->addWidget(filter_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(summary_);
    layout->addWidget(methods_);
    layout->addWidget(items_, 1);

    connect(open_, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, "Open a batch run's folder", dir_);
        if (!dir.isEmpty()) openFolder(dir);
    });
    connect(refresh_, &QPushButton::clicked, this, &BatchResultsDialog::refresh);
    connect(filter_, &QComboBox::currentIndexChanged, this, [this] { fill_items(); });
    connect(items_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
        const BatchItemToOpen item = itemAt(row);
        if (!item.image.isEmpty()) Q_EMIT openItem(item);
    });
}

bool BatchResultsDialog::openFolder(const QString& dir, QString* error) {
    const std::string d = dir.toStdString();
    try {
        records_.clear();
        run_ = nlohmann::json();
        std::error_code ec;
        if (std::filesystem::is_directory(batch::shards_dir(d), ec)) {
            const batch::CollectedRun c = batch::collect_batch(d);
            run_ = c.run;
            records_ = c.records;
            int started = 0;
            for (const auto& s : c.per_shard) started += s.at("items").get<int>() > 0 ? 1 : 0;
            progress_ = QString("%1 of %2 items done; %3 of %4 shard(s) started")
                            .arg(c.records.size())
                            .arg(c.manifest_items)
                            .arg(started)
                            .arg(c.shards);
            if (c.missing_items == 0) progress_ += " — complete";
        } else {
            records_ = batch::read_merged_results(d);
            const nlohmann::json s = read_json_file(path_join(d, "summary.json"));
            run_ = s.value("run", nlohmann::json());
            progress_ = QString("%1 items (merged results)").arg(records_.size());
        }
        summary_json_ = batch::summarize_records(records_);
    } catch (const std::exception& ex) {
        const QString msg = QString("Cannot read the batch run in %1: %2").arg(dir, qs(ex.what()));
        if (error) *error = msg;
        summary_->setText(msg);
        methods_->setRowCount(0);
        items_->setRowCount(0);
        return false;
    }
    dir_ = dir;
    show_run();
    return true;
}

void BatchResultsDialog::refresh() {
    if (!dir_.isEmpty()) openFolder(dir_);
}

void BatchResultsDialog::setFilter(int filter) {
    filter_->setCurrentIndex(filter);
}

void BatchResultsDialog::show_run() {
    const auto& s = summary_json_;
    QStringList lines;
    lines << QString("<b>%1</b>: %2").arg(dir_.toHtmlEscaped(), progress_);
    if (run_.is_object()) {
        QStringList methods;
        for (const auto& m : run_.value("methods", nlohmann::json::array()))
            methods << qs(m.get<std::string>());
        const std::string identity =
            run_.value("model", nlohmann::json::object()).value("identity", std::string());
        lines << QString("Methods %1 · targets %2 · model %3 · Sightline %4")
                     .arg(methods.join(", "), qs(run_.value("targets", std::string("?"))),
                          qs(identity.substr(0, 12)), qs(run_.value("software_version", std::string("?"))));
    }
    const auto& acc = s.at("accuracy");
    QString answers = QString("%1 answered, %2 bad item(s)")
                          .arg(s.at("answered").get<int>())
                          .arg(s.at("errors").get<int>());
    if (acc.at("expected").get<int>() > 0)
        answers += QString(" · %1 of %2 answers as expected (%3%)")
                       .arg(acc.at("correct").get<int>())
                       .arg(acc.at("expected").get<int>())
                       .arg(fixed(100 * acc.at("rate").get<double>(), 1));
    const auto& t = s.at("timing");
    answers += QString(" · %1 s of compute, %2 items/min")
                   .arg(fixed(t.at("compute_seconds").get<double>(), 1),
                        fixed(t.at("items_per_minute").get<double>(), 1));
    lines << answers;
    const auto& ex = s.at("explanations");
    if (ex.at("n_targets").get<int>() > 0)
        lines << QString(
                     "Scored against ground truth: %1 object-word and %2 function-word targets in %3 answers")
                     .arg(ex.at("n_object_targets").get<int>())
                     .arg(ex.at("n_function_targets").get<int>())
                     .arg(ex.at("scenes_used").get<int>());
    summary_->setText(lines.join("<br>"));

    const auto& methods = ex.at("methods");
    methods_->setRowCount(static_cast<int>(methods.size()));
    int row = 0;
    for (const auto& [name, m] : methods.items()) {
        set_cell(methods_, row, 0, qs(name));
        set_cell(methods_, row, 1, fixed(m.at("obj_iou").get<double>()));
        set_cell(methods_, row, 2, fixed(m.at("func_iou").get<double>()));
        set_cell(methods_, row, 3, fixed(m.at("f1_iou").get<double>()));
        set_cell(methods_, row, 4, fixed(m.at("pointing_game").get<double>()),
                 QString("%1 object words").arg(m.at("n_object").get<int>()));
        set_cell(methods_, row, 5,
                 m.at("n_faithfulness").get<int>() > 0 ? fixed(m.at("deletion_auc").get<double>()) : "-");
        set_cell(methods_, row, 6,
                 m.at("n_faithfulness").get<int>() > 0 ? fixed(m.at("insertion_auc").get<double>()) : "-");
        set_cell(methods_, row, 7,
                 m.contains("validated_rate") ? fixed(m.at("validated_rate").get<double>()) : "-");
        set_cell(methods_, row, 8, fixed(m.at("mean_time_ms").get<double>(), 1));
        ++row;
    }
    fill_items();
}

void BatchResultsDialog::fill_items() {
    const int filter = filter_->currentIndex();
    shown_.clear();
    for (int i = 0; i < static_cast<int>(records_.size()); ++i) {
        const auto& r = records_[static_cast<std::size_t>(i)];
        const bool bad = r.contains("error");
        const bool wrong = r.contains("correct") && !r["correct"].get<bool>();
        bool missed = false;
        for (const auto& [name, c] : pointing_of(r))
            if (name != "random" && name != "center" && c.first < c.second) missed = true;
        if ((filter == 1 && !wrong) || (filter == 2 && !bad) || (filter == 3 && !missed)) continue;
        shown_.push_back(i);
    }
    items_->setRowCount(static_cast<int>(shown_.size()));
    for (int row = 0; row < static_cast<int>(shown_.size()); ++row) {
        const auto& r = records_[static_cast<std::size_t>(shown_[static_cast<std::size_t>(row)])];
        set_cell(items_, row, 0, qs(r.value("id", std::string())));
        set_cell(items_, row, 1, qs(r.value("group", std::string())));
        set_cell(items_, row, 2, qs(r.value("prompt", std::string())));
        set_cell(items_, row, 3, qs(r.value("answer", std::string())));
        set_cell(items_, row, 4, r.contains("correct") ? (r["correct"].get<bool>() ? "yes" : "no") : "");
        set_cell(items_, row, 5, qs(r.value("expected", std::string())));
        QStringList hits;
        for (const auto& [name, c] : pointing_of(r))
            if (name != "random" && name != "center")
                hits << QString("%1 %2/%3").arg(qs(name)).arg(c.first).arg(c.second);
        const QString not_scored = qs(r.value("not_scored", std::string()));
        set_cell(items_, row, 6, hits.isEmpty() ? not_scored : hits.join(", "), not_scored);
        set_cell(items_, row, 7, qs(r.value("error", std::string())));
    }
    items_->resizeColumnsToContents();
    // Long answers (descriptions) keep to a readable width; the whole text is in the cell's tooltip.
    for (int c = 0; c < items_->columnCount(); ++c)
        items_->setColumnWidth(c, std::min(items_->columnWidth(c), 260));
}

BatchItemToOpen BatchResultsDialog::itemAt(int row) const {
    BatchItemToOpen out;
    if (row < 0 || row >= static_cast<int>(shown_.size())) return out;
    const auto& r = records_[static_cast<std::size_t>(shown_[static_cast<std::size_t>(row)])];
    out.id = qs(r.value("id", std::string()));
    out.image = qs(r.value("image", std::string()));
    out.prompt = qs(r.value("prompt", std::string()));
    out.expected = qs(r.value("expected", std::string()));
    if (out.image.isEmpty()) return out;  // a line that could not be read names no image
    // The item's ground truth as the run read it (the record keeps the manifest's truth and answer words).
    if (!r.contains("truth")) return out;
    try {
        const QSize size = QImageReader(out.image).size();
        if (!size.isValid()) throw std::runtime_error("cannot read the image's size");
        batch::ManifestItem item;
        item.id = r.value("id", std::string());
        item.image = out.image.toStdString();
        if (r.contains("expected")) item.expected = r["expected"].get<std::string>();
        item.truth = r["truth"];
        item.answer_words = r.value("answer_words", nlohmann::json());
        out.truth = batch::item_truth(item, size.width(), size.height()).image;
    } catch (const std::exception& ex) {
        out.truth_error = qs(ex.what());
    }
    return out;
}

}  // namespace sightline::ui
