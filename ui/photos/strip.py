"""The case's photos as a strip of thumbnails grouped by step (report, handled, verification, callback,
detection frame), with attaching: drop files or a picture on it (or on the case detail), paste one with
Ctrl+V, or pick files. Thumbnails are read from the console's cache off the GUI thread; a click (or Tab to a
thumbnail and Space) opens the viewer, and "Before / after" opens the report photo beside the handled photo."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.photos import images
from ui.photos.attach import (
    PICKER_FILTER,
    AttachOutcome,
    PhotoAttacher,
    files_from_mime,
    mime_has_files,
)
from ui.photos.describe import describe_photo
from ui.photos.steps import AFTER_STEPS, BEFORE_STEPS, STEPS, default_step, step_label
from ui.shell.ops import run_op

log = logging.getLogger(__name__)


def _placeholder(kind: str) -> QPixmap:
    """A grey tile with the file's kind for what is not a picture (a video, a PDF) or not cached yet."""
    pixmap = QPixmap(images.THUMB_PX, images.THUMB_PX)
    pixmap.fill(Qt.GlobalColor.lightGray)
    painter = QPainter(pixmap)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, kind)
    painter.end()
    return pixmap


class PhotoStrip(QWidget):
    """The case's photos, attach controls and the drop target. `set_case(case)` shows a case."""

    shown = Signal(int)              # thumbnails on screen (after each load)
    message = Signal(object, str, bool)  # case id, text, is error

    def __init__(self, store, parent: QWidget | None = None, *, refdata=None, language=None, unit_name=None,
                 learn=None):
        super().__init__(parent)
        self.setObjectName("photoStrip")
        self.store = store
        # learn(case_id): ask the server for the case's photos other consoles attached (blocking: run off the
        # GUI thread; None when there is no server)
        self._learn = learn
        if store is not None and hasattr(store, "events"):
            self._relay = _StoreRelay()  # the store's events come from the writer and sync threads
            self._relay.changed.connect(self._store_changed)
            store.events.changed.connect(self._relay.changed.emit)
            self.destroyed.connect(lambda *_: store.events.changed.disconnect(self._relay.changed.emit))
        # For the case report's names (callables: the reference data and language in use when it is made)
        self._refdata, self._language, self._unit_name = refdata, language, unit_name
        self.case = None
        self.thumbs: list[images.Thumb] = []
        self.buttons: list[QToolButton] = []
        self._generation = 0
        self.load_started = 0.0
        self.last_load_ms = 0.0
        self.attacher = PhotoAttacher(store, self)
        self.attacher.attached.connect(self._attached)
        self.attacher.failed.connect(lambda case_id, text: self.message.emit(
            case_id, self.tr("Cannot attach: {error}").format(error=text), True))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.setSpacing(2)
        bar = QHBoxLayout()
        self.title = QLabel(self)
        self.step_box = QComboBox(self)
        self.step_box.setObjectName("photoStep")
        for step in STEPS:
            self.step_box.addItem("", step)
        self.attach_button = QPushButton(self)
        self.attach_button.setObjectName("photoAttach")
        self.attach_button.clicked.connect(self.pick_files)
        self.compare_button = QPushButton(self)
        self.compare_button.setObjectName("photoCompare")
        self.compare_button.clicked.connect(self.open_compare)
        self.report_button = QPushButton(self)
        self.report_button.setObjectName("photoCaseReport")
        self.report_button.clicked.connect(lambda: self.export_report())
        self.hint = QLabel(self)
        self.hint.setObjectName("placeholderText")
        bar.addWidget(self.title)
        bar.addWidget(self.step_box)
        bar.addWidget(self.attach_button)
        bar.addWidget(self.compare_button)
        bar.addWidget(self.hint)
        bar.addStretch(1)
        bar.addWidget(self.report_button)
        layout.addLayout(bar)

        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFixedHeight(images.THUMB_PX + 48)
        self.content = QWidget()
        self.row = QHBoxLayout(self.content)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addStretch(1)
        self.scroll.setWidget(self.content)
        layout.addWidget(self.scroll)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setAcceptDrops(True)
        self.retranslate()
        self.set_case(None)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Photos"))
        for i, step in enumerate(STEPS):
            self.step_box.setItemText(i, step_label(step))
        self.step_box.setToolTip(self.tr("The step the photos you attach belong to"))
        self.attach_button.setText(self.tr("Attach…"))
        self.attach_button.setToolTip(self.tr("Attach photos, videos or PDFs from files"))
        self.compare_button.setText(self.tr("Before / after"))
        self.compare_button.setToolTip(self.tr("The report photo beside the handled photo (B in the viewer)"))
        self.hint.setText(self.tr("Drop files here or paste a picture (Ctrl+V)"))
        self.report_button.setText(self.tr("Case report (PDF)…"))
        self.report_button.setToolTip(self.tr("The case with its steps and the thumbnails of its photos, as a PDF"))
        self._rebuild()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ------------------------------------------------------------------ loading

    def set_case(self, case) -> None:
        same = self.case is not None and case is not None and self.case.id == case.id
        self.case = case
        enabled = case is not None and self.store is not None
        for w in (self.step_box, self.attach_button):
            w.setEnabled(enabled)
        self.report_button.setEnabled(case is not None)
        if case is not None and not same:
            index = self.step_box.findData(default_step(case.status))
            self.step_box.setCurrentIndex(max(index, 0))
            if self._learn is not None and self.store is not None:
                learn, case_id = self._learn, case.id
                run_op(lambda: learn(case_id), None,
                       lambda exc: log.info("photos of case %s not learned from the server: %s", case_id, exc),
                       owner=self)  # what it finds comes back as the store's `changed` event
        self.reload()

    def _store_changed(self, case_ids) -> None:
        if self.case is not None and self.case.id in set(case_ids or ()):
            self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        case, store = self.case, self.store
        if case is None or store is None:
            self._show(generation, [])
            return
        self.load_started = time.perf_counter()
        run_op(lambda: images.load_thumbs(store, case.id), lambda thumbs: self._show(generation, thumbs),
               lambda exc: self.message.emit(case.id, self.tr("Cannot read the photos: {error}").format(
                   error=exc), True), owner=self)

    def _show(self, generation: int, thumbs: list[images.Thumb]) -> None:
        if generation != self._generation:  # a later case or load wins
            return
        self.thumbs = thumbs
        self._rebuild()
        if self.load_started:
            self.last_load_ms = (time.perf_counter() - self.load_started) * 1000
        self.shown.emit(len(thumbs))

    def _rebuild(self) -> None:
        if not hasattr(self, "row"):
            return
        while self.row.count() > 1:  # the last item is the stretch
            item = self.row.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.buttons = []
        self.headers: list[QLabel] = []
        by_step: dict[str, list[int]] = {}
        for i, thumb in enumerate(self.thumbs):
            by_step.setdefault(thumb.photo.step, []).append(i)
        for step, indexes in by_step.items():
            group = QWidget(self.content)
            box = QVBoxLayout(group)
            box.setContentsMargins(0, 0, 6, 0)
            box.setSpacing(1)
            header = QLabel(self.tr("{step} ({n})").format(step=step_label(step), n=len(indexes)), group)
            header.setObjectName("photoStepHeader")
            self.headers.append(header)
            box.addWidget(header)
            line = QHBoxLayout()
            line.setSpacing(3)
            for i in indexes:
                line.addWidget(self._button(i, group))
            line.addStretch(1)
            box.addLayout(line)
            self.row.insertWidget(self.row.count() - 1, group)
        self.compare_button.setEnabled(bool(self.before_after()[0] and self.before_after()[1]))
        self.hint.setVisible(not self.thumbs)

    def _button(self, index: int, parent: QWidget) -> QToolButton:
        thumb = self.thumbs[index]
        button = QToolButton(parent)
        button.setObjectName("photoThumb")
        button.setProperty("step", thumb.photo.step)
        button.setIconSize(QSize(images.THUMB_PX, images.THUMB_PX))
        button.setAutoRaise(True)
        if thumb.image.isNull():
            mime = str(getattr(thumb.photo, "mime", "") or "")
            button.setIcon(QIcon(_placeholder(mime.split("/")[-1].upper() or "?")))
        else:
            button.setIcon(QIcon(QPixmap.fromImage(thumb.image)))
        button.setToolTip(describe_photo(thumb.photo))
        button.setAccessibleName(self.tr("Photo {n}: {step}").format(n=index + 1, step=step_label(thumb.photo.step)))
        button.clicked.connect(lambda _checked=False, i=index: self.open_viewer(i))
        self.buttons.append(button)
        return button

    # ------------------------------------------------------------------ viewer

    def before_after(self) -> tuple[list, list]:
        photos = [t.photo for t in self.thumbs if not t.image.isNull()]
        return ([p for p in photos if p.step in BEFORE_STEPS], [p for p in photos if p.step in AFTER_STEPS])

    def open_viewer(self, index: int = 0):
        from ui.photos.viewer import PhotoViewer

        if not self.thumbs:
            return None
        viewer = PhotoViewer(self.store, [t.photo for t in self.thumbs], index, parent=self.window())
        viewer.show()
        self.viewer = viewer
        return viewer

    def open_compare(self):
        from ui.photos.viewer import PhotoViewer

        before, after = self.before_after()
        if not before or not after:
            return None
        photos = [t.photo for t in self.thumbs]
        viewer = PhotoViewer(self.store, photos, photos.index(after[-1]), parent=self.window())
        viewer.set_compare(True)
        viewer.show()
        self.viewer = viewer
        return viewer

    # ------------------------------------------------------------------ the case report

    def export_report(self, path: str | None = None) -> str | None:
        """Ask where (unless `path` is given) and write the case report PDF; returns the path written."""
        from ui.photos.report_pdf import export_case_report

        case = self.case
        if case is None:
            return None
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Export the case report"), f"case-{case.display_number}.pdf",
                self.tr("PDF documents (*.pdf)"))
            if not path:
                return None
        refdata = self._refdata() if self._refdata else None
        language = self._language() if self._language else None
        try:
            export_case_report(case, self.store, path, refdata, language,
                               self._unit_name or (lambda unit_id: unit_id or ""))
        except OSError as exc:
            self.message.emit(case.id, self.tr("Cannot write {path}: {error}").format(path=path, error=exc), True)
            return None
        self.message.emit(case.id, self.tr("Case report saved to {path}").format(path=path), False)
        return path

    # ------------------------------------------------------------------ attaching

    @property
    def step(self) -> str:
        return self.step_box.currentData()

    def attach(self, paths: list[Path], image=None) -> bool:
        if self.case is None or self.store is None or (not paths and image is None):
            return False
        self.attacher.attach(self.case.id, self.step, list(paths), image)
        return True

    def pick_files(self) -> None:
        if self.case is None:
            return
        names, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("Attach to {step}").format(step=step_label(self.step)), "",
            self.tr("Photos, videos and PDFs ({patterns})").format(patterns=PICKER_FILTER))
        self.attach([Path(n) for n in names])

    def paste(self) -> bool:
        """Ctrl+V: the files or the picture on the clipboard."""
        paths, image = files_from_mime(QApplication.clipboard().mimeData())
        return self.attach(paths, image)

    def install_on(self, widget: QWidget) -> None:
        """Let `widget` (the case detail dock) take drops and Ctrl+V for this strip."""
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), widget)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.paste)
        self.paste_shortcut = shortcut
        widget.setAcceptDrops(True)
        self._drop_filter = _DropFilter(self, widget)
        widget.installEventFilter(self._drop_filter)

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if self.case is not None and mime_has_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths, image = files_from_mime(event.mimeData())
        if self.attach(paths, image):
            event.acceptProposedAction()

    def _attached(self, case_id, outcome: AttachOutcome) -> None:
        parts = []
        if outcome.photos:
            parts.append(self.tr("{n} attached to {step}.").format(
                n=len(outcome.photos), step=step_label(outcome.photos[0].step)))
            located = [p for p in outcome.photos if getattr(p, "lat", None) is not None]
            if located:
                parts.append(describe_photo(located[0]))
        for name, reason in outcome.refused:
            parts.append(self.tr("{file} refused: {reason}").format(file=name, reason=reason))
        self.message.emit(case_id, " ".join(parts), bool(outcome.refused))
        if self.case is not None and self.case.id == case_id:
            self.reload()


class _StoreRelay(QObject):
    changed = Signal(object)  # case ids whose photos changed


class _DropFilter(QObject):
    """Drops on the whole case detail go to the strip."""

    def __init__(self, strip: PhotoStrip, parent: QObject):
        super().__init__(parent)
        self.strip = strip

    def eventFilter(self, _obj, event) -> bool:  # noqa: N802
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if self.strip.case is not None and mime_has_files(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            self.strip.dropEvent(event)
            return True
        return False
