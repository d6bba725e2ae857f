"""The photo viewer: zoom (wheel, + and -), rotate (R, Shift+R), fit (F or 0), next and previous (→ ←,
Page Down/Up), and before/after side by side (B): the report photo on the left, the handled photo on the
right, for the lead's closing decision. Full pictures are read off the GUI thread (the store may fetch one
from the server on demand); EXIF orientation is applied when reading."""
from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.photos import images
from ui.photos.describe import describe_photo
from ui.photos.steps import AFTER_STEPS, BEFORE_STEPS, step_label
from ui.shell.ops import run_op

log = logging.getLogger(__name__)

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.05, 20.0
FULL_MAX_SIDE = 4096  # enough for any screen; a 50-megapixel photo is not decoded whole


class PhotoView(QGraphicsView):
    """One picture: zoom around the cursor with the wheel, rotate by quarter turns, fit to the view."""

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("photoView")
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setRenderHints(QPainter.RenderHint.SmoothPixmapTransform | QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.zoom = 1.0
        self.rotation = 0
        self.fitted = True

    def set_image(self, image) -> None:
        self.item.setPixmap(QPixmap.fromImage(image) if not image.isNull() else QPixmap())
        self.item.setTransformOriginPoint(self.item.boundingRect().center())
        self.rotation = 0
        self.item.setRotation(0)
        self.fit()

    def has_image(self) -> bool:
        return not self.item.pixmap().isNull()

    def _apply(self) -> None:
        self.resetTransform()
        self.scale(self.zoom, self.zoom)
        self.zoom_changed.emit(self.zoom)

    def zoom_by(self, factor: float) -> None:
        self.fitted = False
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom * factor))
        self._apply()

    def rotate_by(self, degrees: int) -> None:
        self.rotation = (self.rotation + degrees) % 360
        self.item.setRotation(self.rotation)
        self.setSceneRect(self.item.sceneBoundingRect())
        if self.fitted:
            self.fit()

    def fit(self) -> None:
        self.fitted = True
        rect = self.item.sceneBoundingRect()
        self.setSceneRect(rect)
        if rect.isEmpty() or self.viewport().width() < 2:
            return
        self.zoom = min(self.viewport().width() / rect.width(), self.viewport().height() / rect.height())
        self._apply()
        self.centerOn(self.item)

    def wheelEvent(self, event) -> None:  # noqa: N802
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(ZOOM_STEP if delta > 0 else 1 / ZOOM_STEP)
        event.accept()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.fitted:
            self.fit()


class _Pane(QWidget):
    """A view with a caption (its step, and in comparison 'Before' or 'After') and the photo's details."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel(self)
        self.caption.setObjectName("photoCaption")
        self.view = PhotoView(self)
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # two lines always: side by side, the two photos then stand at the same height
        self.details.setFixedHeight(self.details.fontMetrics().lineSpacing() * 2 + 4)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.details)


class PhotoViewer(QDialog):
    """`PhotoViewer(store, photos, index)`: one photo at a time, or (B) before and after side by side."""

    loaded = Signal()  # a picture was put on screen

    def __init__(self, store, photos: list, index: int = 0, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("photoViewer")
        self.store = store
        self.photos = list(photos)
        self.index = max(0, min(index, len(self.photos) - 1))
        self.compare = False
        self.before_index = 0
        self._generation = 0
        self.resize(1100, 720)

        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.buttons: dict[str, QToolButton] = {}
        for key, handler in (("previous", self.previous), ("next", self.next), ("zoom_in", self.zoom_in),
                             ("zoom_out", self.zoom_out), ("rotate_left", self.rotate_left),
                             ("rotate_right", self.rotate_right), ("fit", self.fit), ("compare", self.toggle_compare)):
            button = QToolButton(self)
            button.setObjectName(f"photo_{key}")
            button.clicked.connect(handler)
            bar.addWidget(button)
            self.buttons[key] = button
        self.buttons["compare"].setCheckable(True)
        self.position = QLabel(self)
        bar.addStretch(1)
        bar.addWidget(self.position)
        layout.addLayout(bar)
        panes = QHBoxLayout()
        self.before_pane = _Pane(self)
        self.pane = _Pane(self)
        panes.addWidget(self.before_pane, 1)
        panes.addWidget(self.pane, 1)
        layout.addLayout(panes, 1)
        self.before_pane.hide()

        keys = ((QKeySequence.StandardKey.ZoomIn, self.zoom_in), ("+", self.zoom_in), ("=", self.zoom_in),
                (QKeySequence.StandardKey.ZoomOut, self.zoom_out), ("-", self.zoom_out),
                ("R", self.rotate_right), ("Shift+R", self.rotate_left), ("L", self.rotate_left),
                ("F", self.fit), ("0", self.fit), ("Right", self.next), ("PgDown", self.next),
                ("Left", self.previous), ("PgUp", self.previous), ("B", self.toggle_compare))
        self._shortcuts = []
        for key, handler in keys:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(handler)
            self._shortcuts.append(shortcut)
        self.retranslate()
        self._load()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Photos"))
        texts = {"previous": (self.tr("◀ Previous"), self.tr("Previous photo (←, Page Up)")),
                 "next": (self.tr("Next ▶"), self.tr("Next photo (→, Page Down)")),
                 "zoom_in": (self.tr("Zoom in"), self.tr("Zoom in (+ or the wheel)")),
                 "zoom_out": (self.tr("Zoom out"), self.tr("Zoom out (- or the wheel)")),
                 "rotate_left": (self.tr("⟲ Rotate"), self.tr("Rotate left (Shift+R)")),
                 "rotate_right": (self.tr("Rotate ⟳"), self.tr("Rotate right (R)")),
                 "fit": (self.tr("Fit"), self.tr("Fit to the window (F or 0)")),
                 "compare": (self.tr("Before / after"), self.tr("The report photo beside the handled photo (B)"))}
        for key, (text, tip) in texts.items():
            self.buttons[key].setText(text)
            self.buttons[key].setToolTip(tip)
        self._captions()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ------------------------------------------------------------------ which photos

    @property
    def photo(self):
        return self.photos[self.index] if self.photos else None

    def _side(self, steps) -> list[int]:
        return [i for i, p in enumerate(self.photos) if p.step in steps]

    def set_compare(self, on: bool) -> None:
        """Before/after: the left pane pages through the report photos, the right through the handled ones."""
        before, after = self._side(BEFORE_STEPS), self._side(AFTER_STEPS)
        on = bool(on and before and after)
        self.compare = on
        self.buttons["compare"].setChecked(on)
        self.before_pane.setVisible(on)
        if on:
            if self.index not in after:
                self.index = after[-1]
            if self.before_index not in before:
                self.before_index = before[0]
        self._load()

    def toggle_compare(self) -> None:
        self.set_compare(not self.compare)

    def _step_through(self, delta: int) -> None:
        if not self.photos:
            return
        if self.compare:
            after = self._side(AFTER_STEPS)
            self.index = after[(after.index(self.index) + delta) % len(after)]
        else:
            self.index = (self.index + delta) % len(self.photos)
        self._load()

    def next(self) -> None:
        self._step_through(1)

    def previous(self) -> None:
        self._step_through(-1)

    # ------------------------------------------------------------------ view operations (both panes)

    def views(self) -> list[PhotoView]:
        return [self.before_pane.view, self.pane.view] if self.compare else [self.pane.view]

    def zoom_in(self) -> None:
        for view in self.views():
            view.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        for view in self.views():
            view.zoom_by(1 / ZOOM_STEP)

    def rotate_right(self) -> None:
        self._rotate(90)

    def rotate_left(self) -> None:
        self._rotate(-90)

    def _rotate(self, degrees: int) -> None:
        # In comparison only the pane with focus turns: the two photos were rarely taken the same way up.
        views = self.views()
        focused = [v for v in views if v.hasFocus()]
        for view in focused or views[-1:]:
            view.rotate_by(degrees)

    def fit(self) -> None:
        for view in self.views():
            view.fit()

    # ------------------------------------------------------------------ loading

    def _captions(self) -> None:
        photo = self.photo
        if photo is None:
            self.position.setText(self.tr("No photos"))
            return
        self.position.setText(self.tr("{n} of {total}").format(n=self.index + 1, total=len(self.photos)))
        if self.compare:
            before = self.photos[self.before_index]
            self.before_pane.caption.setText(self.tr("Before: {step}").format(step=step_label(before.step)))
            self.before_pane.details.setText(describe_photo(before))
            self.pane.caption.setText(self.tr("After: {step}").format(step=step_label(photo.step)))
        else:
            self.pane.caption.setText(step_label(photo.step))
        self.pane.details.setText(describe_photo(photo))

    def _load(self) -> None:
        self._captions()
        self._generation += 1
        generation = self._generation
        targets = [(self.pane, self.photo)]
        if self.compare:
            targets.insert(0, (self.before_pane, self.photos[self.before_index]))
        store = self.store
        for pane, photo in targets:
            if photo is None:
                continue
            run_op(lambda p=photo: images.read_image(_full_or_thumb(store, p), FULL_MAX_SIDE),
                   lambda image, pane=pane: self._show(generation, pane, image),
                   lambda exc, pane=pane: pane.details.setText(self.tr("Cannot open the photo: {error}").format(
                       error=exc)), owner=self)

    def _show(self, generation: int, pane: _Pane, image) -> None:
        if generation != self._generation:
            return
        pane.view.set_image(image)
        if image.isNull():
            pane.details.setText(self.tr("Not a picture the console can show (a video or a PDF): open it "
                                         "from the case's files."))
        self.loaded.emit()


def _full_or_thumb(store, photo):
    """The full picture when the cache has it or the store can fetch it, else its thumbnail."""
    try:
        path = store.full_path(photo)
    except OSError as exc:  # offline and not cached: the thumbnail is better than nothing
        log.info("photo %s not available in full: %s", photo.sha256, exc)
        path = None
    return path or store.thumbnail_path(photo)
