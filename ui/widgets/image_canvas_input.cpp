// ImageCanvas input: selection clicks and rubber band, pan, wheel zoom, keys, hover, tool tips, drops.
#include <QApplication>
#include <QDragEnterEvent>
#include <QFileInfo>
#include <QHelpEvent>
#include <QImageReader>
#include <QMimeData>
#include <QMouseEvent>
#include <QToolTip>
#include <QWheelEvent>
#include <cmath>

#include "ui/widgets/image_canvas.h"

namespace sightline::ui {

// ---- input ------------------------------------------------------------------------------------------

void ImageCanvas::setHovered(QPoint patch) {
    if (patch == hovered_) return;
    hovered_ = patch;
    update();
    Q_EMIT patchHovered(patch.y(), patch.x(), valueAt(patch.y(), patch.x()));
}

void ImageCanvas::mousePressEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    if (event->button() == Qt::LeftButton && drag_ == Drag::None) {
        drag_ = Drag::Press;
        pressPos_ = lastPos_ = pos;
        pressCtrl_ = event->modifiers().testFlag(Qt::ControlModifier);
    } else if ((event->button() == Qt::MiddleButton || event->button() == Qt::RightButton) && hasImage()) {
        drag_ = Drag::Pan;
        lastPos_ = pos;
        setCursor(Qt::ClosedHandCursor);
    }
    event->accept();
}

void ImageCanvas::mouseMoveEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    if (drag_ == Drag::Pan) {
        view_.pan(pos - lastPos_);
        lastPos_ = pos;
        fitted_ = false;
        update();
        return;
    }
    if (drag_ == Drag::Press && (pos - pressPos_).manhattanLength() >= QApplication::startDragDistance())
        drag_ = Drag::Band;
    if (drag_ == Drag::Band) {
        lastPos_ = pos;
        update();
    }
    const QPoint patch = view_.patchAt(pos);
    setHovered(patch);
    if (patch.x() >= 0)
        setCursor(Qt::CrossCursor);
    else
        unsetCursor();
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    if (drag_ == Drag::Pan && event->button() != Qt::LeftButton) {
        drag_ = Drag::None;
        unsetCursor();
        return;
    }
    if (event->button() != Qt::LeftButton || (drag_ != Drag::Press && drag_ != Drag::Band)) return;
    QVector<bool> next = pressCtrl_ ? selected_ : QVector<bool>(selected_.size(), false);
    if (drag_ == Drag::Band) {
        const QRect patches = view_.patchesIn(QRectF(QPointF(pressPos_), QPointF(pos)));
        if (patches.isValid())
            for (int r = patches.top(); r <= patches.bottom(); ++r)
                for (int c = patches.left(); c <= patches.right(); ++c) next[r * gridW_ + c] = true;
    } else {
        const QPoint patch = view_.patchAt(pressPos_);
        if (patch.x() >= 0) {
            const int i = patch.y() * gridW_ + patch.x();
            next[i] = pressCtrl_ ? !selected_[i] : true;
        }
    }
    drag_ = Drag::None;
    update();
    commitSelection(std::move(next));
}

void ImageCanvas::mouseDoubleClickEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) fitToWindow();
    event->accept();
}

void ImageCanvas::wheelEvent(QWheelEvent* event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (!hasImage() || steps == 0.0) {
        event->ignore();
        return;
    }
    applyZoom(std::pow(CanvasView::kZoomStep, steps), event->position());
    setHovered(view_.patchAt(event->position()));
    event->accept();
}

void ImageCanvas::keyPressEvent(QKeyEvent* event) {
    switch (event->key()) {
        case Qt::Key_Escape:
            if (drag_ == Drag::Band) {
                drag_ = Drag::None;
                update();
            } else if (selected_.contains(true)) {
                clearSelection();
            } else {
                QWidget::keyPressEvent(event);  // let a dialog or the window see it
            }
            return;
        case Qt::Key_Plus:
        case Qt::Key_Equal:
            zoomIn();
            return;
        case Qt::Key_Minus:
            zoomOut();
            return;
        case Qt::Key_0:
            fitToWindow();
            return;
        default:
            QWidget::keyPressEvent(event);
    }
}

void ImageCanvas::leaveEvent(QEvent* event) {
    setHovered({-1, -1});
    QWidget::leaveEvent(event);
}

bool ImageCanvas::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        const QPoint patch = view_.patchAt(help->pos());
        if (patch.x() >= 0)
            QToolTip::showText(help->globalPos(), patchToolTip(patch.y(), patch.x()), this,
                               view_.patchRect(patch.y(), patch.x()).toAlignedRect());
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

// ---- drops -----------------------------------------------------------------------------------------

QString ImageCanvas::droppedImagePath(const QMimeData* mime) {
    if (!mime || !mime->hasUrls() || mime->urls().isEmpty() || !mime->urls().first().isLocalFile()) return {};
    const QString path = mime->urls().first().toLocalFile();
    const QByteArray suffix = QFileInfo(path).suffix().toLower().toUtf8();
    return QImageReader::supportedImageFormats().contains(suffix) ? path : QString();
}

void ImageCanvas::dragEnterEvent(QDragEnterEvent* event) {
    if (!droppedImagePath(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void ImageCanvas::dragMoveEvent(QDragMoveEvent* event) {
    if (!droppedImagePath(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void ImageCanvas::dropEvent(QDropEvent* event) {
    const QString path = droppedImagePath(event->mimeData());
    if (path.isEmpty()) return;
    event->acceptProposedAction();
    Q_EMIT imageFileDropped(path);
}

}  // namespace sightline::ui
