#include "ui/window/demo_gallery.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

#include "core/toy/sample.h"
#include "core/toy/seeds.h"
#include "ui/widgets/cv_qimage.h"

namespace sightline::ui {

QString DemoScene::label() const {
    return QString("demo scene %1").arg(seed);
}

DemoScene scene_for(quint64 seed, toy::TaskType task) {
    const toy::Sample s = toy::make_sample(seed, task);
    DemoScene d;
    d.seed = seed;
    d.task = QString::fromStdString(toy::to_string(s.task));
    d.question = QString::fromStdString(s.question);
    d.expected_answer = QString::fromStdString(s.answer);
    d.image = rgbMatToQImage(s.scene.image);
    return d;
}

QVector<DemoScene> demo_scenes(int count) {
    const std::vector<toy::TaskType> order = {
        toy::TaskType::Color,    toy::TaskType::Describe, toy::TaskType::Shape, toy::TaskType::Position,
        toy::TaskType::Relation, toy::TaskType::Count,    toy::TaskType::Exist};
    QVector<DemoScene> out;
    for (int i = 0; i < count; ++i) {
        const quint64 seed = toy::kHeldOutSeedBase + 900'000'000ull + static_cast<quint64>(i);
        out.push_back(scene_for(seed, order[static_cast<std::size_t>(i) % order.size()]));
    }
    return out;
}

DemoGallery::DemoGallery(QWidget* parent) : QDialog(parent), scenes_(demo_scenes()) {
    setWindowTitle("Demo scenes");
    resize(760, 560);
    list_ = new QListWidget;
    list_->setObjectName("demoList");
    list_->setViewMode(QListView::IconMode);
    list_->setIconSize({144, 144});
    list_->setGridSize({210, 210});
    list_->setResizeMode(QListView::Adjust);
    list_->setWordWrap(true);
    list_->setMovement(QListView::Static);
    for (const auto& s : scenes_) {
        auto* item = new QListWidgetItem(
            QIcon(QPixmap::fromImage(s.image.scaled(144, 144, Qt::KeepAspectRatio, Qt::FastTransformation))),
            s.question);
        item->setToolTip(QString("%1 question — expected answer: %2").arg(s.task, s.expected_answer));
        list_->addItem(item);
    }
    list_->setCurrentRow(0);
    auto* info = new QLabel(
        "Scenes from the synthetic world the embedded model was trained on (held-out seeds). "
        "Pick one, press Generate, then click any word of the answer.");
    info->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    auto* v = new QVBoxLayout(this);
    v->addWidget(info);
    v->addWidget(list_, 1);
    v->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(list_, &QListWidget::itemDoubleClicked, this, &QDialog::accept);
}

DemoScene DemoGallery::selected() const {
    const int row = list_->currentRow();
    return row >= 0 && row < scenes_.size() ? scenes_[row] : DemoScene{};
}

}  // namespace sightline::ui
