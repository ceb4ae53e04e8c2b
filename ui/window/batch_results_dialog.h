#pragma once
// "Batch results": a dataset batch run's folder (the --out of `sightline-cli batch`, on a cluster's shared
// disk or copied home) read without changing it, so a run still in progress can be watched (Refresh):
// progress per shard, answer accuracy, per method the evaluation's figures where ground truth exists, and
// every item (question, expected and given answer, pointing hits per method, its error). Double-clicking an
// item opens its image and question in the explorer with its ground truth, to look at it live.
#include <QDialog>
#include <QString>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "core/eval/image_truth.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace sightline::ui {

// What the explorer needs to open one item.
struct BatchItemToOpen {
    QString id, image, prompt, expected;
    std::optional<ImageTruth> truth;  // loaded for the image's size; empty without ground truth
    QString truth_error;              // why the ground truth could not be read
};

class BatchResultsDialog : public QDialog {
    Q_OBJECT
  public:
    explicit BatchResultsDialog(QWidget* parent = nullptr);

    // Reads a run folder (shard files, else merged results); false with a message shown when it cannot.
    bool openFolder(const QString& dir, QString* error = nullptr);
    void refresh();
    QString folder() const { return dir_; }
    // Item filter: 0 all, 1 wrong answers, 2 bad items, 3 a method missed an object.
    void setFilter(int filter);
    // The item shown in `row` of the items table, ready to open (its ground truth read).
    BatchItemToOpen itemAt(int row) const;

    // Widgets, for tests.
    QTableWidget* methodsTable() const { return methods_; }
    QTableWidget* itemsTable() const { return items_; }
    QLabel* summary() const { return summary_; }
    QComboBox* filter() const { return filter_; }

  Q_SIGNALS:
    void openItem(const sightline::ui::BatchItemToOpen& item);

  private:
    void show_run();
    void fill_items();
    QString dir_;
    nlohmann::json run_, summary_json_;
    std::vector<nlohmann::json> records_;
    std::vector<int> shown_;  // records_ index per items-table row
    QString progress_;
    QPushButton* open_;
    QPushButton* refresh_;
    QComboBox* filter_;
    QLabel* summary_;
    QTableWidget* methods_;
    QTableWidget* items_;
};

}  // namespace sightline::ui
