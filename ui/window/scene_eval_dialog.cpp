#include "ui/window/scene_eval_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "core/toy/seeds.h"
#include "core/toy/task.h"
#include "ui/worker/worker_host.h"

namespace sightline::ui {
namespace {

constexpr int kSeedRole = Qt::UserRole;
constexpr int kTaskRole = Qt::UserRole + 1;

QString percent(double v) {
    return QString::number(100.0 * v, 'f', 1) + "%";
}

}  // namespace

SceneEvalDialog::SceneEvalDialog(WorkerHost* host, QWidget* parent) : QDialog(parent), host_(host) {
    setWindowTitle("Scene-world accuracy");
    resize(760, 680);
    count_ = new QSpinBox;
    count_->setObjectName("questionCount");
    count_->setRange(7, 100000);
    count_->setSingleStep(70);
    count_->setValue(140);
    count_->setToolTip(
        "Seed S+i asks question type i mod 7, so multiples of 7 ask every type equally often.");
    first_seed_ = new QLineEdit(QString::number(toy::kHeldOutSeedBase));
    first_seed_->setObjectName("firstSeed");
    first_seed_->setToolTip(QString("Seeds from %1 were never used in training (the model card reports seeds "
                                    "%1 .. %1+999).")
                                .arg(toy::kHeldOutSeedBase));
    run_ = new QPushButton("Run");
    run_->setObjectName("runEval");
    progress_ = new QProgressBar;
    progress_->setRange(0, 1);
    progress_->setValue(0);

    table_ = new QTableWidget(0, 4);
    table_->setObjectName("accuracyTable");
    table_->setHorizontalHeaderLabels({"question type", "right", "asked", "accuracy"});
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 8);
    // Room for the seven question types without scrolling.
    table_->setMinimumHeight(table_->horizontalHeader()->sizeHint().height() +
                             7 * table_->verticalHeader()->defaultSectionSize() + 2 * table_->frameWidth());
    summary_ = new QLabel(
        "Asks the loaded model held-out questions about generated scenes and compares its "
        "greedy answers with the exact answers.");
    summary_->setObjectName("evalSummary");
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    failures_ = new QListWidget;
    failures_->setObjectName("wrongAnswers");
    failures_->setToolTip("Double-click to open the scene and its question in the explorer.");

    auto* form = new QFormLayout;
    form->addRow("Questions", count_);
    form->addRow("First seed", first_seed_);
    auto* top = new QHBoxLayout;
    top->addLayout(form, 1);
    top->addWidget(run_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    auto* v = new QVBoxLayout(this);
    v->addLayout(top);
    v->addWidget(progress_);
    v->addWidget(table_);
    v->addWidget(summary_);
    v->addWidget(new QLabel("Wrong answers (double-click to explore):"));
    v->addWidget(failures_, 3);
    v->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(this, &QDialog::rejected, this, &SceneEvalDialog::cancel);
    connect(run_, &QPushButton::clicked, this, [this] { running() ? cancel() : run(); });
    connect(failures_, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
        const DemoScene scene = failureScene(failures_->row(item));
        if (scene.seed != 0) Q_EMIT openScene(scene);
    });

    // The host forwards the answers of the current evaluation only (a newer run supersedes an older one).
    connect(host_, &WorkerHost::progress, this, [this](const JobKey& key, int done, int total) {
        if (key.channel != Channel::SceneEval || !running()) return;
        progress_->setRange(0, total);
        progress_->setValue(done);
    });
    connect(host_, &WorkerHost::sceneEvalReady, this, [this](const train::ToyEvalResult& result) {
        if (!running()) return;
        set_running(false);
        show_result(result);
        Q_EMIT evaluated();
    });
    connect(host_, &WorkerHost::failed, this, [this](const JobKey& key, const QString& message) {
        if (key.channel != Channel::SceneEval || !running()) return;
        set_running(false);
        summary_->setText("The evaluation failed: " + message);
    });
    connect(host_, &WorkerHost::cancelled, this, [this](const JobKey& key) {
        if (key.channel != Channel::SceneEval || !running()) return;
        set_running(false);
        summary_->setText("Cancelled.");
    });
}

void SceneEvalDialog::setQuestionCount(int n) {
    count_->setValue(n);
}

void SceneEvalDialog::setFirstSeed(quint64 seed) {
    first_seed_->setText(QString::number(seed));
}

void SceneEvalDialog::run() {
    bool ok = false;
    const quint64 seed = first_seed_->text().trimmed().toULongLong(&ok);
    if (!ok) {
        summary_->setText("The first seed must be a whole number.");
        return;
    }
    if (!toy::is_held_out_seed(seed))
        summary_->setText(
            QString("Note: seeds below %1 overlap the training range.").arg(toy::kHeldOutSeedBase));
    else
        summary_->setText(QString("Asking %1 questions …").arg(count_->value()));
    table_->setRowCount(0);
    failures_->clear();
    progress_->setRange(0, count_->value());
    progress_->setValue(0);
    host_->evaluateScenes(count_->value(), seed);
    set_running(true);
}

void SceneEvalDialog::cancel() {
    if (running()) host_->cancel({Channel::SceneEval, {}});
}

void SceneEvalDialog::set_running(bool running) {
    running_ = running;
    run_->setText(running ? "Cancel" : "Run");
    count_->setEnabled(!running);
    first_seed_->setEnabled(!running);
}

void SceneEvalDialog::show_result(const train::ToyEvalResult& r) {
    table_->setRowCount(0);
    for (toy::TaskType t : toy::all_tasks()) {
        const std::string name = toy::to_string(t);
        const auto it = r.by_task.find(name);
        if (it == r.by_task.end()) continue;
        const auto [right, asked] = it->second;
        const double acc = train::ToyEvalResult::rate(it->second);
        const int row = table_->rowCount();
        table_->insertRow(row);
        const QStringList cells = {QString::fromStdString(name), QString::number(right),
                                   QString::number(asked), percent(acc)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c > 0) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table_->setItem(row, c, item);
        }
    }
    QStringList parts;
    parts << QString("<b>Overall %1</b> (%2 of %3 right)").arg(percent(r.overall())).arg(r.correct).arg(r.n);
    if (r.descriptions > 0)
        parts << QString("descriptions with every object word right: %1")
                     .arg(percent(r.description_object_words()));
    if (r.relation_with_decoy.second + r.relation_without_decoy.second > 0)
        parts << QString(
                     "relation questions with a decoy (another object in the asked direction, off the "
                     "row or column): right in %1 of %2; without a decoy: %3 of %4")
                     .arg(percent(train::ToyEvalResult::rate(r.relation_with_decoy)))
                     .arg(r.relation_with_decoy.second)
                     .arg(percent(train::ToyEvalResult::rate(r.relation_without_decoy)))
                     .arg(r.relation_without_decoy.second);
    parts << QString("%1 ms per question").arg(r.mean_ms_per_question, 0, 'f', 1);
    summary_->setText(parts.join("<br>"));
    failures_->clear();
    for (const auto& f : r.failures) {
        auto* item = new QListWidgetItem(
            QString("[%1] %2 → “%3” (expected “%4”)")
                .arg(QString::fromStdString(f.task), QString::fromStdString(f.question),
                     QString::fromStdString(f.predicted), QString::fromStdString(f.expected)));
        item->setData(kSeedRole, QVariant::fromValue<quint64>(f.seed));
        item->setData(kTaskRole, QString::fromStdString(f.task));
        failures_->addItem(item);
    }
    if (failures_->count() == 0) failures_->addItem("(none)");
}

DemoScene SceneEvalDialog::failureScene(int row) const {
    const QListWidgetItem* item = failures_->item(row);
    if (item == nullptr || !item->data(kSeedRole).isValid()) return {};
    const auto task = toy::parse_task(item->data(kTaskRole).toString().toStdString());
    if (!task) return {};
    return scene_for(item->data(kSeedRole).value<quint64>(), *task);
}

}  // namespace sightline::ui
