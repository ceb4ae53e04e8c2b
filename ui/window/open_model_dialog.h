#pragma once
// File > Open model folder: what loading the folder will take before anything is read (parameters, stored
// dtype, memory per compute dtype against what the machine has, the automatic choice and why, from
// plan_load), with the compute dtype to load in. A folder that is not a loadable checkpoint shows the
// loader's error and cannot be accepted.
#include <QDialog>
#include <QString>

class QComboBox;
class QLabel;
class QPushButton;

namespace sightline::ui {

class OpenModelDialog : public QDialog {
    Q_OBJECT
  public:
    OpenModelDialog(const QString& dir, const QString& dtype, QWidget* parent = nullptr);
    QString dtype() const;  // "auto", "f32" or "bf16"
    bool loadable() const { return loadable_; }
    QLabel* planLabel() const { return plan_; }
    QComboBox* dtypeBox() const { return dtype_; }
    QPushButton* loadButton() const { return load_; }

  private:
    QLabel* plan_;
    QComboBox* dtype_;
    QPushButton* load_;
    bool loadable_ = false;
};

}  // namespace sightline::ui
