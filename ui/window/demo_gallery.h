#pragma once
// Demo scenes for teaching and first launch: held-out scene-world images (generated on the fly,
// deterministic) each with a suggested question, shown as a gallery to pick from.
#include <QDialog>
#include <QImage>
#include <QVector>

#include "core/toy/task.h"

class QListWidget;

namespace sightline::ui {

struct DemoScene {
    quint64 seed = 0;
    QString task, question, expected_answer;
    QImage image;
    QString label() const;
};

// The scene-world sample of (seed, task) as a demo scene.
DemoScene scene_for(quint64 seed, toy::TaskType task);

// The gallery's scenes (the same on every machine).
QVector<DemoScene> demo_scenes(int count = 14);

class DemoGallery : public QDialog {
    Q_OBJECT
  public:
    explicit DemoGallery(QWidget* parent = nullptr);
    // The chosen scene, valid after exec() returned Accepted.
    DemoScene selected() const;
    QListWidget* list() const { return list_; }

  private:
    QVector<DemoScene> scenes_;
    QListWidget* list_;
};

}  // namespace sightline::ui
