#pragma once
// "Scene-world accuracy": asks the loaded model held-out scene-world questions on the worker thread
// (train::evaluate_toy: seed S+i asks task i mod 7) and shows exact-match accuracy per task, the relation
// questions split by decoy, the time per question and every wrong answer. Double-clicking a wrong answer
// opens its scene and question in the explorer, where the ground-truth readout applies.
#include <QDialog>
#include <QString>

#include "core/train/toy_eval.h"
#include "ui/window/demo_gallery.h"

class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace sightline::ui {

class WorkerHost;

class SceneEvalDialog : public QDialog {
    Q_OBJECT
  public:
    explicit SceneEvalDialog(WorkerHost* host, QWidget* parent = nullptr);

    void setQuestionCount(int n);
    void setFirstSeed(quint64 seed);
    void run();     // starts an evaluation (cancels a running one)
    void cancel();  // cancels the running evaluation
    bool running() const { return running_; }

    // The scene of row `row` of the wrong-answer list, as a demo scene (seed, task, question, image).
    DemoScene failureScene(int row) const;

    // Widgets, for tests.
    QTableWidget* table() const { return table_; }
    QListWidget* failures() const { return failures_; }
    QLabel* summary() const { return summary_; }
    QPushButton* runButton() const { return run_; }
    QProgressBar* progressBar() const { return progress_; }

  Q_SIGNALS:
    void evaluated();                                       // a result is shown
    void openScene(const sightline::ui::DemoScene& scene);  // a wrong answer was double-clicked

  private:
    void show_result(const train::ToyEvalResult& result);
    void set_running(bool running);

    WorkerHost* host_;
    bool running_ = false;
    QSpinBox* count_;
    QLineEdit* first_seed_;
    QPushButton* run_;
    QProgressBar* progress_;
    QTableWidget* table_;
    QLabel* summary_;
    QListWidget* failures_;
};

}  // namespace sightline::ui
